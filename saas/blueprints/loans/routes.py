"""The loans blueprint with every page of the area: the loans, their products, paying them
back, restructuring them and the reminders of what falls due."""

from saas.blueprints.loans import payments, products, reminders, restructuring
from saas.blueprints.loans.views import bp

PAGES = (products, payments, restructuring, reminders)  # the modules that add pages to bp
__all__ = ["bp"]
