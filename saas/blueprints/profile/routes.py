"""The profile's blueprint with every page of the area: profile, documents, news, products."""

from saas.blueprints.profile import content, documents
from saas.blueprints.profile.views import bp

PAGES = (content, documents)  # the modules that add their pages to bp, loaded with it
__all__ = ["bp"]
