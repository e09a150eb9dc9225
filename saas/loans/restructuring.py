"""Restructuring (rescheduling) a loan: a new schedule for the principal it still owes.

The schedule it replaces stays as it was, with the payments made on it, and a record says when,
why, by whom and on which terms. Interest and late fees owed on the old schedule and not paid
are not carried over: interest is income when it is received, so dropping what was never
received moves no money. Operations flush and never commit.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.loans.models import Loan, LoanInstalment, LoanRestructure, LoanStatus
from saas.loans.operations import LoanError, lock_loan
from saas.loans.repayments import standing
from saas.loans.schedule import (
    BASIS_POINTS,
    MAX_INSTALMENTS,
    MIN_PER_INSTALMENT,
    Terms,
    build,
)


def restructure(
    session: Session,
    loan: Loan,
    *,
    instalments: int,
    rate_bp: int | None,
    on: date,
    reason: str,
    user_id: int,
) -> LoanRestructure:
    """Give an active loan a new schedule from ``on`` for its principal still owed, over
    ``instalments`` at ``rate_bp`` (the loan's own rate when None)."""
    lock_loan(session, loan)
    if loan.status is not LoanStatus.ACTIVE:
        raise LoanError("not_active")
    reason = " ".join(reason.split())
    if not reason:
        raise LoanError("reason_required")
    if not 1 <= instalments <= MAX_INSTALMENTS:
        raise LoanError("tenor_out_of_range", low=1, high=MAX_INSTALMENTS)
    principal = standing(session, loan, on).principal_left
    if principal < instalments * MIN_PER_INSTALMENT:
        raise LoanError("too_small_for_tenor", minimum=instalments * MIN_PER_INSTALMENT)
    rate = loan.rate_bp if rate_bp is None else rate_bp
    if not 0 <= rate <= BASIS_POINTS:
        raise LoanError("rate_out_of_range")
    terms = Terms(principal, rate, instalments, loan.method, loan.frequency)
    current = session.scalar(
        select(func.max(LoanInstalment.version)).where(LoanInstalment.loan_id == loan.id)
    )
    version = int(current or 1) + 1
    session.add_all(
        LoanInstalment(
            loan_id=loan.id,
            version=version,
            number=row.number,
            due_date=row.due_date,
            principal=row.principal,
            interest=row.interest,
        )
        for row in build(terms, on)
    )
    record = LoanRestructure(
        loan_id=loan.id,
        from_version=version - 1,
        to_version=version,
        restructured_on=on,
        principal=principal,
        rate_bp=rate,
        instalments=instalments,
        reason=reason[:300],
        user_id=user_id,
    )
    session.add(record)
    session.flush()
    return record


def history(session: Session, loan: Loan) -> list[LoanRestructure]:
    query = select(LoanRestructure).where(LoanRestructure.loan_id == loan.id)
    return list(session.scalars(query.order_by(LoanRestructure.to_version)))
