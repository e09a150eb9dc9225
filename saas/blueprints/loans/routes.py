"""The loans blueprint with every page of the area: the loans and their products."""

from saas.blueprints.loans import portfolio, products
from saas.blueprints.loans.views import bp

PAGES = (portfolio, products)  # the modules that add their pages to bp, loaded with it
__all__ = ["bp"]
