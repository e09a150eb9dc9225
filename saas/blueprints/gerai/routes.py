"""The gerai blueprint with every page of the area: products and stock, and the counter."""

from saas.blueprints.gerai import consignment, credit, sales
from saas.blueprints.gerai.views import bp

PAGES = (consignment, credit, sales)  # the modules that add their pages to bp, loaded with it
__all__ = ["bp"]
