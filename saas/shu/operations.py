"""Sharing out a closed year's SHU: the plan officers read, then one entry that posts it.

The plan reads the year's result from the ledger, each member's transactions with the
cooperative (revenue lines recorded against the member: Va) and pokok + wajib savings at the
year's end (Sa), and splits it with ``saas.shu.rules.allocate``. Posting it is one journal entry
dated on the members' meeting (RAT): the undistributed SHU is debited; the reserve, the funds and
each member's SHU payable are credited. A year has one live allocation; it is cancelled by
reversing its entry, never by editing it. Paying the shares credits the members' voluntary
savings in one more entry.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saas.ledger import operations as ledger
from saas.ledger.models import Account, AccountKind, EntrySource, JournalLine
from saas.ledger.queries import income_statement
from saas.ledger.rules import LedgerError, Line
from saas.members.models import Member, MemberStatus
from saas.publishing.models import PublishedReport
from saas.rat.queries import shu_approval
from saas.savings.models import SavingsKind
from saas.shu.models import ShuAllocation, ShuShare, ShuSplit
from saas.shu.rules import FUND_ROLES, TYPICAL_SPLIT, Allocation, allocate, check_percentages


def get_percentages(session: Session) -> dict[str, int]:
    """The bylaws' split, or the typical one until the cooperative saves its own."""
    split = session.get(ShuSplit, 1)
    return dict(split.percentages) if split is not None else dict(TYPICAL_SPLIT)


def save_percentages(session: Session, percentages: dict[str, int]) -> None:
    check_percentages(percentages)
    split = session.get(ShuSplit, 1)
    if split is None:
        session.add(ShuSplit(id=1, percentages=percentages))
    else:
        split.percentages = percentages
    session.flush()


@dataclass(frozen=True)
class ShareRow:
    member_id: int
    number: str
    name: str
    transactions: int
    savings: int
    jasa_usaha: int
    jasa_modal: int

    @property
    def total(self) -> int:
        return self.jasa_usaha + self.jasa_modal


@dataclass(frozen=True)
class Plan:
    year: int
    revenue: int
    member_revenue: int
    shu: int
    percentages: dict[str, int]
    allocation: Allocation
    shares: list[ShareRow]  # every active member with a base, by number

    @property
    def funds(self) -> dict[str, int]:
        return self.allocation.funds

    @property
    def fingerprint(self) -> str:
        """Changes with any figure that would be posted: the page shown and the plan posted
        must agree."""
        shares = [(s.member_id, s.jasa_usaha, s.jasa_modal) for s in self.shares]
        figures = (self.year, self.shu, sorted(self.funds.items()), shares)
        return hashlib.sha256(repr(figures).encode()).hexdigest()[:32]


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _transactions(session: Session, year: int) -> dict[int, int]:
    """Each member's revenue lines of the year (sales to them, loan interest they paid: Va)."""
    start, end = _year_bounds(year)
    query = (
        select(JournalLine.member_id, func.sum(JournalLine.credit - JournalLine.debit))
        .join(Account, Account.id == JournalLine.account_id)
        .where(
            Account.kind == AccountKind.REVENUE,
            JournalLine.member_id.is_not(None),
            JournalLine.entry_date.between(start, end),
        )
        .group_by(JournalLine.member_id)
    )
    return {member: int(total) for member, total in session.execute(query) if member and total > 0}


def _capital(session: Session, year: int) -> dict[int, int]:
    """Each member's pokok + wajib savings at the year's end (Sa)."""
    roles = SavingsKind.POKOK.account_roles + SavingsKind.WAJIB.account_roles
    query = (
        select(JournalLine.member_id, func.sum(JournalLine.credit - JournalLine.debit))
        .join(Account, Account.id == JournalLine.account_id)
        .where(
            Account.role.in_(roles),
            JournalLine.member_id.is_not(None),
            JournalLine.entry_date <= _year_bounds(year)[1],
        )
        .group_by(JournalLine.member_id)
    )
    return {member: int(total) for member, total in session.execute(query) if member and total > 0}


def plan(session: Session, year: int, percentages: dict[str, int]) -> Plan:
    """The allocation of ``year`` as it would be posted (raises LedgerError: year_not_closed,
    no_shu; ShuError for a bad split)."""
    check_percentages(percentages)
    if year not in ledger.closed_years(session):
        raise LedgerError("year_not_closed", year=year)
    statement = income_statement(session, *_year_bounds(year))
    if statement.result <= 0:
        raise LedgerError("no_shu", result=statement.result)
    members = {
        member.id: member
        for member in session.scalars(select(Member).where(Member.status == MemberStatus.ACTIVE))
    }
    # Members who have left are not shared: what their business earned counts as non-members'.
    transactions = {m: v for m, v in _transactions(session, year).items() if m in members}
    capital = {m: s for m, s in _capital(session, year).items() if m in members}
    member_revenue = sum(transactions.values())
    allocation = allocate(
        statement.result,
        percentages,
        transactions=transactions,
        savings=capital,
        non_member_revenue=max(statement.revenue.total - member_revenue, 0),
    )
    shares = [
        ShareRow(
            member_id=member_id,
            number=members[member_id].number,
            name=members[member_id].name,
            transactions=transactions.get(member_id, 0),
            savings=capital.get(member_id, 0),
            jasa_usaha=allocation.jasa_usaha.get(member_id, 0),
            jasa_modal=allocation.jasa_modal.get(member_id, 0),
        )
        for member_id in sorted(set(transactions) | set(capital), key=lambda m: members[m].number)
    ]
    return Plan(
        year=year,
        revenue=statement.revenue.total,
        member_revenue=member_revenue,
        shu=statement.result,
        percentages=dict(percentages),
        allocation=allocation,
        shares=shares,
    )


def live_allocation(session: Session, year: int) -> ShuAllocation | None:
    query = select(ShuAllocation).where(
        ShuAllocation.year == year, ShuAllocation.cancelled_at.is_(None)
    )
    return session.scalar(query)


def list_allocations(session: Session) -> list[ShuAllocation]:
    query = select(ShuAllocation).order_by(ShuAllocation.year.desc(), ShuAllocation.id.desc())
    return list(session.scalars(query))


def get_allocation(session: Session, allocation_id: int) -> ShuAllocation | None:
    return session.get(ShuAllocation, allocation_id)


def _allocation_of_entry(session: Session, entry_id: int) -> ShuAllocation | None:
    return session.scalar(select(ShuAllocation).where(ShuAllocation.entry_id == entry_id))


def post_allocation(
    session: Session,
    planned: Plan,
    *,
    decided_on: date,
    idempotency_key: uuid.UUID,
    user_id: int,
    shown: str | None = None,
) -> tuple[ShuAllocation, bool]:
    """Post the plan as one entry with its allocation rows, in one transaction; (allocation, True)
    when new, (the first one, False) when the key was posted before. ``shown`` is the plan's
    fingerprint as the treasurer saw it: the SHU posted is the SHU they saw, and the plan posted
    is the plan a closed members' meeting (RAT) approved. Raises LedgerError: plan_changed,
    rat_not_held, plan_not_approved, decided_before_rat, decided_too_early, already_allocated,
    period_closed."""
    first = ledger.find_entry_by_key(session, idempotency_key)
    if first is not None and (done := _allocation_of_entry(session, first.id)) is not None:
        return done, False
    if shown is not None and shown != planned.fingerprint:
        raise LedgerError("plan_changed")
    if decided_on <= _year_bounds(planned.year)[1]:
        raise LedgerError("decided_too_early", year=planned.year)
    check_approved(session, planned, decided_on)
    if live_allocation(session, planned.year) is not None:
        raise LedgerError("already_allocated", year=planned.year)
    lines = [Line(ledger.account_by_role(session, "retained_shu").id, debit=planned.shu)]
    for fund, amount in planned.funds.items():
        if amount and FUND_ROLES[fund] != "shu_payable":
            lines.append(Line(ledger.account_by_role(session, FUND_ROLES[fund]).id, credit=amount))
    payable = ledger.account_by_role(session, "shu_payable").id
    lines += [
        Line(payable, credit=share.total, member_id=share.member_id)
        for share in planned.shares
        if share.total
    ]
    result = ledger.post_entry(
        session,
        entry_date=decided_on,
        description=f"Pembagian SHU tahun buku {planned.year}",
        lines=lines,
        idempotency_key=idempotency_key,
        source=EntrySource.SHU,
        posted_by_id=user_id,
    )
    allocation = ShuAllocation(
        year=planned.year,
        shu=planned.shu,
        revenue=planned.revenue,
        member_revenue=planned.member_revenue,
        percentages=planned.percentages,
        funds=planned.funds,
        decided_on=decided_on,
        entry_id=result.entry.id,
        posted_by_id=user_id,
    )
    session.add(allocation)
    try:
        session.flush()
    except IntegrityError:  # another officer posted this year a moment before
        session.rollback()
        raise LedgerError("already_allocated", year=planned.year) from None
    if planned.shares:
        session.execute(
            insert(ShuShare),
            [
                {
                    "allocation_id": allocation.id,
                    "member_id": share.member_id,
                    "transactions": share.transactions,
                    "savings": share.savings,
                    "jasa_usaha": share.jasa_usaha,
                    "jasa_modal": share.jasa_modal,
                }
                for share in planned.shares
            ],
        )
    session.flush()
    return allocation, True


def check_approved(session: Session, planned: Plan, decided_on: date) -> None:
    """Refuse a plan no closed RAT approved as it stands, or dated before that meeting."""
    approval = shu_approval(session, planned.year)
    if approval is None:
        raise LedgerError("rat_not_held", year=planned.year)
    meeting, decision = approval
    if decision.shu_fingerprint != planned.fingerprint:
        raise LedgerError("plan_not_approved", year=planned.year)
    if decided_on < meeting.held_on:
        raise LedgerError("decided_before_rat", held_on=meeting.held_on)


def share_rows(session: Session, allocation: ShuAllocation) -> list[ShareRow]:
    """The allocation's shares with the members' numbers and names, by number."""
    query = (
        select(ShuShare, Member.number, Member.name)
        .join(Member, Member.id == ShuShare.member_id)
        .where(ShuShare.allocation_id == allocation.id)
        .order_by(Member.number)
    )
    return [
        ShareRow(
            member_id=share.member_id,
            number=number,
            name=name,
            transactions=share.transactions,
            savings=share.savings,
            jasa_usaha=share.jasa_usaha,
            jasa_modal=share.jasa_modal,
        )
        for share, number, name in session.execute(query)
    ]


def _published_shu(session: Session, year: int) -> bool:
    """Whether the year's published statements show its SHU (kept apart from saas.publishing,
    which reads this module)."""
    figures = session.scalar(select(PublishedReport.figures).where(PublishedReport.year == year))
    return bool(figures and "shu" in figures)


def _lock(session: Session, allocation: ShuAllocation) -> None:
    """Lock the allocation row and read it afresh: two officers cannot both pay or cancel."""
    session.refresh(allocation, with_for_update=True)


def cancel_allocation(
    session: Session,
    allocation: ShuAllocation,
    *,
    on: date,
    reason: str,
    idempotency_key: uuid.UUID,
    user_id: int,
) -> None:
    """Reverse the allocation's entry and mark it cancelled (not once its shares are paid)."""
    _lock(session, allocation)
    if allocation.cancelled_at is not None:
        raise LedgerError("already_reversed")
    if allocation.paid_entry_id is not None:
        raise LedgerError("shu_paid")
    if _published_shu(session, allocation.year):
        raise LedgerError("shu_published")
    entry = ledger.get_entry_for_tenant(session, allocation.entry_id)
    assert entry is not None  # a foreign key
    ledger.reverse_entry(
        session,
        entry,
        entry_date=on,
        reason=reason,
        idempotency_key=idempotency_key,
        posted_by_id=user_id,
        by_owner=True,
    )
    allocation.cancelled_at = datetime.now(UTC)
    session.flush()


def pay_into_savings(
    session: Session,
    allocation: ShuAllocation,
    *,
    on: date,
    idempotency_key: uuid.UUID,
    user_id: int,
) -> int:
    """Credit every active member's share to their voluntary savings, in one entry; how many
    members were paid. A share of a member who has left since stays payable (paid in cash)."""
    if (first := ledger.find_entry_by_key(session, idempotency_key)) is not None:
        return sum(1 for line in first.lines if line.debit)
    _lock(session, allocation)
    if allocation.cancelled_at is not None:
        raise LedgerError("already_reversed")
    if allocation.paid_entry_id is not None:
        raise LedgerError("shu_paid")
    if on < allocation.decided_on:
        raise LedgerError("paid_before_decision")
    shares = session.execute(
        select(ShuShare.member_id, ShuShare.jasa_usaha + ShuShare.jasa_modal)
        .join(Member, Member.id == ShuShare.member_id)
        .where(ShuShare.allocation_id == allocation.id, Member.status == MemberStatus.ACTIVE)
        .order_by(ShuShare.member_id)
    ).all()
    paid = [(member_id, int(total)) for member_id, total in shares if total > 0]
    if not paid:
        raise LedgerError("nothing_to_pay")
    payable = ledger.account_by_role(session, "shu_payable").id
    sukarela = ledger.account_by_role(session, SavingsKind.SUKARELA.account_role).id
    lines = [Line(payable, debit=total, member_id=member) for member, total in paid]
    lines += [Line(sukarela, credit=total, member_id=member) for member, total in paid]
    result = ledger.post_entry(
        session,
        entry_date=on,
        description=f"SHU tahun buku {allocation.year} ke simpanan sukarela",
        lines=lines,
        idempotency_key=idempotency_key,
        source=EntrySource.SHU,
        posted_by_id=user_id,
    )
    allocation.paid_entry_id = result.entry.id
    session.flush()
    return len(paid)


def shares_of_member(session: Session, member_id: int) -> list[tuple[ShuAllocation, ShuShare]]:
    """The member's SHU of every live allocation, newest year first (self-service)."""
    query = (
        select(ShuAllocation, ShuShare)
        .join(ShuShare, ShuShare.allocation_id == ShuAllocation.id)
        .where(ShuShare.member_id == member_id, ShuAllocation.cancelled_at.is_(None))
        .order_by(ShuAllocation.year.desc())
    )
    return [(allocation, share) for allocation, share in session.execute(query)]
