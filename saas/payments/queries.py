"""Reads for QRIS payments: the cooperative's code and the shares a member can pay with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session

from saas.loans import queries as loan_queries
from saas.loans.models import Loan, LoanStatus
from saas.members.models import Member
from saas.payments.models import QrisSetting
from saas.savings.models import Bill, BillItem, SavingsKind

OPEN_SHARES_SHOWN = 500  # the list is for ticking by eye; a search narrows a longer one


@dataclass(frozen=True)
class OpenShare:
    """A member's unpaid share of mandatory savings for a month."""

    item: BillItem
    bill: Bill
    member: Member


def _escaped(search: str) -> str:
    """The search as literal text inside a LIKE pattern (escape character: backslash)."""
    return search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def get_qris_setting(session: Session) -> QrisSetting | None:
    return session.get(QrisSetting, 1)


def owed_shares(session: Session, member_id: int, today: date) -> list[tuple[Bill, BillItem]]:
    """The member's unpaid mandatory savings up to this month, oldest first."""
    query = (
        select(Bill, BillItem)
        .join(BillItem, BillItem.bill_id == Bill.id)
        .where(
            BillItem.member_id == member_id,
            BillItem.receipt_id.is_(None),
            Bill.kind == SavingsKind.WAJIB,
            tuple_(Bill.year, Bill.month) <= (today.year, today.month),
        )
        .order_by(Bill.year, Bill.month)
    )
    return [(bill, item) for bill, item in session.execute(query)]


def open_shares(session: Session, today: date, search: str = "") -> list[OpenShare]:
    """Unpaid mandatory savings of this month and earlier, by member number then month; a
    search matches the member's number or name."""
    query = (
        select(BillItem, Bill, Member)
        .join(Bill, Bill.id == BillItem.bill_id)
        .join(Member, Member.id == BillItem.member_id)
        .where(
            BillItem.receipt_id.is_(None),
            Bill.kind == SavingsKind.WAJIB,
            tuple_(Bill.year, Bill.month) <= (today.year, today.month),
        )
        .order_by(Member.number, Bill.year, Bill.month)
        .limit(OPEN_SHARES_SHOWN)
    )
    if search.strip():
        text = _escaped(search)
        query = query.where(
            or_(
                Member.number.ilike(f"{text}%", escape="\\"),
                Member.name.ilike(f"%{text}%", escape="\\"),
            )
        )
    return [OpenShare(item, bill, member) for item, bill, member in session.execute(query)]


DUE_LOANS_SHOWN = 200  # active loans looked at for what they owe today; a search narrows


@dataclass(frozen=True)
class InstalmentDue:
    """What an active loan owes today (its arrears and today's instalment, late fees included)."""

    loan: Loan
    member: Member
    amount: int


def instalments_due(session: Session, today: date, search: str = "") -> list[InstalmentDue]:
    """The active loans owing something today, by member number; a search matches the member's
    number or name, or the loan's number. The first ``DUE_LOANS_SHOWN`` active loans are looked
    at, all in one statement."""
    rank = func.row_number().over(order_by=(Member.number, Loan.id)).label("rank")
    chosen = (
        select(Loan.id, rank)
        .join(Member, Member.id == Loan.member_id)
        .where(Loan.status == LoanStatus.ACTIVE)
        .order_by(Member.number, Loan.id)
        .limit(DUE_LOANS_SHOWN)
    )
    if search.strip():
        text = _escaped(search)
        chosen = chosen.where(
            or_(
                Member.number.ilike(f"{text}%", escape="\\"),
                Member.name.ilike(f"%{text}%", escape="\\"),
                Loan.number.ilike(f"%{text}%", escape="\\"),
            )
        )
    return [
        InstalmentDue(owing.loan, owing.member, owing.owed)  # the arrears and today's instalment
        for owing in loan_queries.dues_until(session, chosen, today, today, ordered=True)
        if owing.owed > 0
    ]


def bill_number(member: Member, shares: list[tuple[Bill, BillItem]]) -> str:
    """The label a QRIS payment carries, so the treasurer can match it: the member number and
    the months (``12 W 11/2026-12/2026``)."""
    first, last = shares[0][0], shares[-1][0]
    months = f"{first.month:02d}/{first.year}"
    if (last.year, last.month) != (first.year, first.month):
        months += f"-{last.month:02d}/{last.year}"
    return f"{member.number} W {months}"
