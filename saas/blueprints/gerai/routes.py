"""The gerai blueprint with every page of the area: products and stock, and the counter."""

from saas.blueprints.gerai import consignment, credit, sales, unit_reports
from saas.blueprints.gerai.views import bp

# The modules that add their pages to bp, loaded with it.
PAGES = (consignment, credit, sales, unit_reports)
__all__ = ["bp"]
