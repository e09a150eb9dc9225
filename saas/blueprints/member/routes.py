"""The member's area with every page of it: their accounts and their loans."""

from saas.blueprints.member import loans
from saas.blueprints.member.views import bp

PAGES = (loans,)  # the modules that add their pages to bp, loaded with it
__all__ = ["bp"]
