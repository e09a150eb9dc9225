"""Names of loan methods, frequencies, payoff rules, statuses and the rules' refusals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.loans.models import LoanStatus, PayoffRule, RepaymentMethod
from saas.loans.queries import StatusGroup
from saas.loans.schedule import Frequency, InterestMethod
from saas.savings.models import PaymentMethod

INTEREST_METHOD_LABELS = {
    InterestMethod.FLAT: _l("Flat"),
    InterestMethod.DECLINING: _l("Declining (menurun)"),
    InterestMethod.ANNUITY: _l("Annuity (anuitas)"),
}
INTEREST_METHOD_HELP = {
    InterestMethod.FLAT: _l(
        "Interest on the whole loan every time, even as it is paid back: the same instalment"
        " throughout, and the dearest for the member at the same rate."
    ),
    InterestMethod.DECLINING: _l(
        "Interest only on what is still owed: the first instalments are the largest and each"
        " one after is smaller."
    ),
    InterestMethod.ANNUITY: _l(
        "Interest only on what is still owed, with the same instalment throughout: more"
        " interest at first, more principal later."
    ),
}
FREQUENCY_LABELS = {
    Frequency.MONTHLY: _l("Monthly"),
    Frequency.WEEKLY: _l("Weekly"),
    Frequency.DAILY: _l("Daily"),
}
PAYOFF_LABELS = {
    PayoffRule.ALL_INTEREST: _l(
        "Paying off early costs the interest of every remaining instalment"
    ),
    PayoffRule.CURRENT_INTEREST: _l(
        "Paying off early costs only the interest of the current instalment"
    ),
}
STATUS_LABELS = {
    LoanStatus.APPLIED: _l("Waiting for approval"),
    LoanStatus.APPROVED: _l("Approved, not paid out"),
    LoanStatus.REJECTED: _l("Rejected"),
    LoanStatus.CANCELLED: _l("Cancelled"),
    LoanStatus.ACTIVE: _l("Active"),
    LoanStatus.PAID_OFF: _l("Paid off"),
}
GROUP_LABELS = {
    StatusGroup.WAITING: _l("Waiting for approval"),
    StatusGroup.APPROVED: _l("Approved, not paid out"),
    StatusGroup.ACTIVE: _l("Active"),
    StatusGroup.PAID_OFF: _l("Paid off"),
    StatusGroup.CLOSED: _l("Rejected or cancelled"),
}
PAYOUT_METHOD_LABELS = {
    PaymentMethod.CASH: _l("Cash"),
    PaymentMethod.TRANSFER: _l("Bank transfer"),
}
REPAYMENT_METHOD_LABELS = {
    RepaymentMethod.CASH: _l("Cash"),
    RepaymentMethod.QRIS: _l("QRIS"),
    RepaymentMethod.TRANSFER: _l("Bank transfer"),
    RepaymentMethod.SAVINGS: _l("From the member's savings"),
}
# Refusals whose message names nothing; the rest are written with their details in the views.
LOAN_ERRORS = {
    "product_closed": _l("This product is no longer offered. Choose another."),
    "guarantor_required": _l("This product needs a guarantor. Enter the guarantor's name."),
    "fees_exceed_principal": _l("The fees would take the whole loan. Borrow more."),
    "product_name_taken": _l("Another product has this name. Choose another name."),
    "no_maximum": _l("Set a maximum amount, a multiple of the savings, or both."),
    "bad_approval_rule": _l("Tick at least one role, and ask for 1 to 5 approvals."),
    "decided_already": _l("This loan has been decided already."),
    "own_application": _l("You took this application, so you cannot decide on it."),
    "role_not_allowed": _l("Your role does not approve loans in this cooperative."),
    "decided_by_you": _l("You have decided on this loan already."),
    "not_cancellable": _l("A loan that has been paid out or closed cannot be cancelled."),
    "not_approved": _l("Only an approved loan can be paid out."),
    "period_closed": _l("The books of this month are closed, so nothing can be paid out today."),
    "not_enough_money": _l("There is not that much money in the cash or bank account."),
}
UNKNOWN_REFUSAL = _l("This could not be recorded. Open the page again and try once more.")
