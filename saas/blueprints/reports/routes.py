"""The statements' blueprint with every page of the area."""

from saas.blueprints.reports import statements
from saas.blueprints.reports.views import bp

PAGES = (statements,)  # the modules that add their pages to bp, loaded with it
__all__ = ["bp"]
