"""The loans blueprint with every page of the area: the loans, their products, paying them
back, restructuring them, the reminders of what falls due and the portfolio."""

from saas.blueprints.loans import payments, portfolio, products, reminders, restructuring
from saas.blueprints.loans.views import bp

PAGES = (products, payments, restructuring, reminders, portfolio)  # the modules adding pages
__all__ = ["bp"]
