"""The statements' blueprint with every page of the area."""

from saas.blueprints.reports import loans, statements
from saas.blueprints.reports.views import bp

PAGES = (loans, statements)  # the modules that add their pages to bp, loaded with it
__all__ = ["bp"]
