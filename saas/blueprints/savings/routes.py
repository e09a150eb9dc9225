"""The savings blueprint with every page of the area: the counter, bills, interest."""

from saas.blueprints.savings import bills, interest, qris
from saas.blueprints.savings.views import bp

PAGES = (bills, interest, qris)  # the modules that add their pages to bp, loaded with it
__all__ = ["bp"]
