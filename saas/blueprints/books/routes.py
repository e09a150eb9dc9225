"""The books' blueprint with every page of the area: journal, chart, general ledger."""

from saas.blueprints.books import chart, ledger
from saas.blueprints.books.views import bp

PAGES = (chart, ledger)  # the modules that add their pages to bp, loaded with it
__all__ = ["bp"]
