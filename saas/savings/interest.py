"""Interest on voluntary savings, paid monthly on the average daily balance.

A month that has ended (and is still open in the books) is paid once, as one entry dated on its
last day: the interest expense is debited with the gross, each member's voluntary savings is
credited with their net interest, and the tax withheld goes to taxes payable.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saas.ledger import operations as ledger
from saas.ledger.models import EntrySource, JournalLine
from saas.ledger.rules import LedgerError, Line
from saas.members.models import Member, MemberStatus
from saas.savings.models import InterestRun, SavingsKind
from saas.savings.operations import get_settings
from saas.savings.rules import interest_tax, monthly_interest


@dataclass(frozen=True)
class InterestRow:
    member_id: int
    number: str
    name: str
    average_balance: int
    gross: int
    tax: int

    @property
    def net(self) -> int:
        return self.gross - self.tax


@dataclass(frozen=True)
class InterestPlan:
    year: int
    month: int
    rate_bp: int
    rows: list[InterestRow]  # members who earn anything, by number

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def gross(self) -> int:
        return sum(row.gross for row in self.rows)

    @property
    def tax(self) -> int:
        return sum(row.tax for row in self.rows)


def _balance_days(session: Session, start: date, end: date) -> dict[int, int]:
    """Each member's voluntary savings summed over the month's days (rupiah x days): the
    opening balance counts every day, a movement from its own day to the month's end."""
    days = (end - start).days + 1
    account = ledger.account_by_role(session, SavingsKind.SUKARELA.account_role).id
    weight = case(
        (JournalLine.entry_date < start, days),
        else_=end - JournalLine.entry_date + 1,
    )
    query = (
        select(JournalLine.member_id, func.sum((JournalLine.credit - JournalLine.debit) * weight))
        .where(
            JournalLine.account_id == account,
            JournalLine.member_id.is_not(None),
            JournalLine.entry_date <= end,
        )
        .group_by(JournalLine.member_id)
    )
    return {member: int(total) for member, total in session.execute(query) if member}


def plan_interest(session: Session, year: int, month: int, *, today: date) -> InterestPlan:
    """What each active member earns for the month (raises LedgerError: month_not_ended,
    no_interest_rate)."""
    if (year, month) >= (today.year, today.month):
        raise LedgerError("period_not_ended")
    rate = get_settings(session).sukarela_interest_bp
    if rate <= 0:
        raise LedgerError("no_interest_rate")
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    days = (end - start).days + 1
    totals = _balance_days(session, start, end)
    members = session.execute(
        select(Member.id, Member.number, Member.name)
        .where(Member.id.in_(totals), Member.status == MemberStatus.ACTIVE)
        .order_by(Member.number)
    )
    rows = []
    for member_id, number, name in members:
        gross = monthly_interest(totals[member_id], rate)
        if gross > 0:
            rows.append(
                InterestRow(
                    member_id, number, name, totals[member_id] // days, gross, interest_tax(gross)
                )
            )
    return InterestPlan(year, month, rate, rows)


def find_run(session: Session, year: int, month: int) -> InterestRun | None:
    return session.scalar(
        select(InterestRun).where(InterestRun.year == year, InterestRun.month == month)
    )


def list_runs(session: Session, limit: int = 24) -> list[InterestRun]:
    query = select(InterestRun).order_by(InterestRun.year.desc(), InterestRun.month.desc())
    return list(session.scalars(query.limit(limit)))


def post_interest(
    session: Session, plan: InterestPlan, *, idempotency_key: uuid.UUID, user_id: int
) -> tuple[InterestRun, bool]:
    """Post the month's interest once; (run, True) when new, (the first run, False) on a retry.
    Raises LedgerError: already_paid, nothing_to_pay, period_closed."""
    if (first := ledger.find_entry_by_key(session, idempotency_key)) is not None:
        done = session.scalar(select(InterestRun).where(InterestRun.entry_id == first.id))
        if done is not None:
            return done, False
    if find_run(session, plan.year, plan.month) is not None:
        raise LedgerError("already_paid")
    latest = session.execute(
        select(InterestRun.year, InterestRun.month).order_by(
            InterestRun.year.desc(), InterestRun.month.desc()
        )
    ).first()
    if latest is not None and (plan.year, plan.month) < tuple(latest):
        # A later month's average balance was taken without this month's interest.
        raise LedgerError("later_month_paid")
    if not plan.rows:
        raise LedgerError("nothing_to_pay")
    sukarela = ledger.account_by_role(session, SavingsKind.SUKARELA.account_role).id
    lines = [Line(ledger.account_by_role(session, "savings_interest").id, debit=plan.gross)]
    lines += [Line(sukarela, credit=row.net, member_id=row.member_id) for row in plan.rows]
    if plan.tax:
        lines.append(Line(ledger.account_by_role(session, "taxes_payable").id, credit=plan.tax))
    result = ledger.post_entry(
        session,
        entry_date=plan.last_day,
        description=f"Bunga simpanan sukarela {plan.month:02d}/{plan.year}",
        lines=lines,
        idempotency_key=idempotency_key,
        source=EntrySource.INTEREST,
        posted_by_id=user_id,
    )
    run = InterestRun(
        year=plan.year,
        month=plan.month,
        rate_bp=plan.rate_bp,
        members=len(plan.rows),
        gross=plan.gross,
        tax=plan.tax,
        entry_id=result.entry.id,
        posted_by_id=user_id,
    )
    session.add(run)
    try:
        session.flush()
    except IntegrityError:  # another officer paid this month a moment before: roll back
        raise LedgerError("already_paid") from None
    return run, True
