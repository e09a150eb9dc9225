"""Every host's public pages on one blueprint: home, microsite sections, the QR checks."""

from saas.blueprints.site import checks, microsite
from saas.blueprints.site.views import bp

PAGES = (checks, microsite)  # the modules that add their pages to bp, loaded with it
__all__ = ["bp"]
