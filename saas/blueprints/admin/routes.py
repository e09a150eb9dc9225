"""The admins' blueprint with every page of the area: cooperatives, verification."""

from saas.blueprints.admin import verification
from saas.blueprints.admin.views import bp

PAGES = (verification,)  # the modules that add their pages to bp, loaded with it
__all__ = ["bp"]
