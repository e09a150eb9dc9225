"""What a loan's page shows once it is paid out: where it stands today, its schedule's states,
its payments and restructurings, and the forms that pay, pay off and restructure it."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user

from saas import clock
from saas.accounts.roles import Permission
from saas.blueprints.loans.repayment_forms import (
    PayoffForm,
    RepaymentForm,
    RestructureForm,
    fresh,
)
from saas.db import tenant_db
from saas.loans import queries, repayments
from saas.loans.models import Loan, LoanRepayment, LoanStatus

# Who restructures a loan: those who set the loan products and the approval rule (the chair and
# the treasurer); a restructuring changes the terms the approvers agreed to.
RESTRUCTURE_PERMISSION = Permission.MANAGE_LOANS


def officer_receipt_url(payment: LoanRepayment) -> str:
    return url_for("loans.payment", number=payment.number)


def repayment_panels(
    loan: Loan,
    *,
    pay: RepaymentForm | None = None,
    payoff: PayoffForm | None = None,
    restructure: RestructureForm | None = None,
    preview: list[Any] | None = None,
) -> dict[str, Any]:
    """The page's figures and forms for a paid-out loan; nothing before its payout."""
    session = tenant_db()
    now = queries.standing_if_paid_out(session, loan, clock.today())
    if now is None:
        return {"standing": None}
    active = loan.status is LoanStatus.ACTIVE
    payoff_form = payoff or fresh(PayoffForm)
    payoff_form.amount.data = now.payoff if active else 0
    pay_form = pay or fresh(RepaymentForm)
    if pay is None:
        pay_form.amount.data = now.due_now or (now.next_due.outstanding if now.next_due else None)
    return {
        "standing": now,
        "rows": queries.instalment_rows(now),
        "late_fees": queries.late_fees_due(now),
        "payments": repayments.repayments_of(session, loan),
        "receipt_url": officer_receipt_url,
        "restructures": queries.restructures_of(session, loan),
        "earlier_schedules": queries.earlier_schedules(session, loan),
        "may_take_payments": active and current_user.can(Permission.POST_MONEY),
        "may_restructure": active and current_user.can(RESTRUCTURE_PERMISSION),
        "pay": pay_form,
        "payoff": payoff_form,
        "restructure": restructure or RestructureForm(formdata=None, prefix="restruktur"),
        "preview": preview,
    }
