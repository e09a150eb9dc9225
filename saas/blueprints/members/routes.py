"""The register's blueprint with every page of the area: members, import/export, statements."""

from saas.blueprints.members import statement, transfer
from saas.blueprints.members.views import bp

PAGES = (statement, transfer)  # the modules that add their pages to bp, loaded with it
__all__ = ["bp"]
