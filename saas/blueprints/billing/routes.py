"""The billing blueprint with every page of the area: the cooperative's plan, the webhook, and
the admins' overview."""

from saas.blueprints.billing import admin, domains
from saas.blueprints.billing.views import bp

PAGES = (admin, domains)  # the modules that add their pages to bp, loaded with it
__all__ = ["bp"]
