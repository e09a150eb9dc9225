"""The members' meeting blueprint with every page of the area: the meetings and their
decisions, the invitations and the attendance desk."""

from saas.blueprints.rat import attendance, invitations
from saas.blueprints.rat.views import bp

PAGES = (attendance, invitations)  # the modules adding pages
__all__ = ["bp"]
