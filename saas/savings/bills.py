"""Shares of principal and mandatory savings: member X's savings of a kind for month M is one
row (``BillItem``) that every screen reads and settles.

A month is billed to every active member at once, or a member pays months at the counter first
(behind, this month or ahead); either way the same share is marked paid by its receipt, one
receipt may pay several months, and a month already paid is refused with the receipt that paid
it. Paying is a savings deposit under row locks on the member and the shares, taken in a fixed
order: a double tap, a retried bulk form or two officers paying the same share at once make one
payment and one receipt. Nothing here commits; the request does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from saas.members.models import Member, MemberStatus
from saas.savings import operations as savings
from saas.savings.models import Bill, BillItem, PaymentMethod, Receipt, SavingsKind
from saas.savings.operations import Movement, SavingsError

# How many months the counter offers, from the oldest unpaid one, and how far ahead of this one.
MONTHS_OFFERED = 24
MONTHS_AHEAD = 5


@dataclass(frozen=True)
class BillSummary:
    bill: Bill
    members: int
    paid: int
    collected: int  # rupiah


@dataclass(frozen=True)
class Due:
    """A month of a member's savings that can be paid at the counter."""

    year: int
    month: int
    amount: int  # rupiah
    billed: bool  # the share exists (billed, or paid ahead and reversed since)

    @property
    def value(self) -> str:
        """The month as a form value, ``YYYY-MM``."""
        return f"{self.year}-{self.month:02d}"


@dataclass(frozen=True)
class Arrear:
    member: Member
    months: int  # unpaid shares
    amount: int  # rupiah owed


def create_bill(
    session: Session,
    *,
    kind: SavingsKind,
    year: int,
    month: int,
    amount: int,
    member_ids: list[int] | None = None,
) -> Bill:
    """Bill a month to every active member (or those chosen); once per kind and month. Members
    who paid the month ahead keep their paid share."""
    if kind == SavingsKind.SUKARELA:
        raise SavingsError("not_billable")
    bill = _month_for_update(session, kind, year, month, amount)
    if bill.billed_at is not None:
        raise SavingsError("bill_exists")
    query = select(Member.id).where(Member.status == MemberStatus.ACTIVE)
    if member_ids is not None:
        query = query.where(Member.id.in_(member_ids))
    ids = list(session.scalars(query.order_by(Member.number)))
    if not ids:
        raise SavingsError("no_members")
    bill.amount, bill.billed_at = amount, datetime.now(UTC)
    session.execute(
        insert(BillItem)
        .values(
            [{"bill_id": bill.id, "member_id": member_id, "amount": amount} for member_id in ids]
        )
        .on_conflict_do_nothing(index_elements=[BillItem.bill_id, BillItem.member_id])
    )
    session.flush()
    return bill


def _month_for_update(
    session: Session, kind: SavingsKind, year: int, month: int, amount: int
) -> Bill:
    """The row of a kind's month, made when missing (at ``amount`` a share), locked."""
    session.execute(
        insert(Bill)
        .values(kind=kind, year=year, month=month, amount=amount, created_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=[Bill.kind, Bill.year, Bill.month])
    )
    return session.scalars(
        select(Bill)
        .where(Bill.kind == kind, Bill.year == year, Bill.month == month)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _share_for_update(
    session: Session, member_id: int, kind: SavingsKind, year: int, month: int
) -> tuple[Bill, BillItem]:
    """Member X's share of a kind for month M, made when missing, locked."""
    default = savings.get_settings(session)
    amount = default.wajib_amount if kind == SavingsKind.WAJIB else default.pokok_amount
    bill = _month_for_update(session, kind, year, month, amount)
    session.execute(
        insert(BillItem)
        .values(bill_id=bill.id, member_id=member_id, amount=bill.amount)
        .on_conflict_do_nothing(index_elements=[BillItem.bill_id, BillItem.member_id])
    )
    item = session.scalars(
        select(BillItem)
        .where(BillItem.bill_id == bill.id, BillItem.member_id == member_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return bill, item


def pay_dues(
    session: Session, movement: Movement, months: Iterable[tuple[int, int]]
) -> tuple[Receipt, bool]:
    """Pay the member's shares of ``movement.kind`` for ``months`` with one deposit and one
    receipt; (receipt, True) when new, (the first receipt, False) on a retry. The amount must be
    the shares' total; a month already paid is refused, naming its receipt."""
    first = savings.find_receipt_by_key(session, movement.idempotency_key)
    if first is not None:
        return first, False
    chosen = sorted(set(months))
    if not chosen:
        raise SavingsError("no_month")
    savings.lock_member(session, movement.member)
    shares = [_share_for_update(session, movement.member.id, movement.kind, *m) for m in chosen]
    for bill, item in shares:
        if item.receipt_id is not None:
            paid_by = session.get_one(Receipt, item.receipt_id)
            raise SavingsError(
                "month_paid", month=f"{bill.month:02d}/{bill.year}", receipt=paid_by.number
            )
    expected = sum(item.amount for _bill, item in shares)
    if movement.amount != expected:
        raise SavingsError("dues_amount", expected=expected, months=len(shares))
    receipt, created = savings.deposit(session, movement)
    for _bill, item in shares:
        item.receipt_id = receipt.id
    session.flush()
    return receipt, created


def open_dues(session: Session, member: Member, kind: SavingsKind, today: date) -> list[Due]:
    """The months of a kind the member can pay, oldest first: shares billed and unpaid, then the
    months after the member's latest share, up to six months ahead of this one."""
    settings = savings.get_settings(session)
    rows = session.execute(
        select(Bill.year, Bill.month, BillItem.amount, BillItem.receipt_id)
        .join(BillItem, BillItem.bill_id == Bill.id)
        .where(BillItem.member_id == member.id, Bill.kind == kind)
        .order_by(Bill.year, Bill.month)
    ).all()
    dues = [Due(y, m, int(amount), True) for y, m, amount, paid in rows if paid is None]
    if kind == SavingsKind.POKOK:
        return dues
    # Months never billed nor paid are not offered (the cooperative may have kept them on
    # paper): the counter goes on from the member's latest share, or from this month.
    start = _next_month(rows[-1].year, rows[-1].month) if rows else (today.year, today.month)
    last = today.year * 12 + today.month - 1 + MONTHS_AHEAD  # months since year 0
    end = (last // 12, last % 12 + 1)
    current = start
    while current <= end and len(dues) < MONTHS_OFFERED:
        dues.append(Due(*current, settings.wajib_amount, False))
        current = _next_month(*current)
    return dues[:MONTHS_OFFERED]


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def record_deposit(
    session: Session,
    movement: Movement,
    months: Iterable[tuple[int, int]] = (),
) -> tuple[Receipt, bool]:
    """A deposit at the counter: mandatory savings pay the months chosen; principal savings
    settle the member's principal share when one was billed; voluntary savings go straight in."""
    if movement.kind == SavingsKind.WAJIB:
        return pay_dues(session, movement, months)
    if movement.kind == SavingsKind.POKOK:
        billed = session.execute(
            select(Bill.year, Bill.month)
            .join(BillItem, BillItem.bill_id == Bill.id)
            .where(
                BillItem.member_id == movement.member.id,
                Bill.kind == SavingsKind.POKOK,
                BillItem.receipt_id.is_(None),
            )
            .order_by(Bill.year, Bill.month)
            .limit(1)
        ).first()
        if billed and savings.find_receipt_by_key(session, movement.idempotency_key) is None:
            return pay_dues(session, movement, [(billed.year, billed.month)])
    return savings.deposit(session, movement)


def list_bills(session: Session) -> list[BillSummary]:
    paid = func.count(BillItem.receipt_id)
    collected = func.coalesce(func.sum(BillItem.amount).filter(BillItem.receipt_id.is_not(None)), 0)
    rows = session.execute(
        select(Bill, func.count(BillItem.id), paid, collected)
        .join(BillItem, BillItem.bill_id == Bill.id)
        .group_by(Bill.id)
        .order_by(Bill.year.desc(), Bill.month.desc(), Bill.kind)
    )
    return [BillSummary(bill, int(n), int(p), int(c)) for bill, n, p, c in rows]


def get_bill_for_tenant(session: Session, bill_id: int) -> Bill | None:
    return session.get(Bill, bill_id)


def bill_items(session: Session, bill: Bill) -> list[tuple[BillItem, Member]]:
    query = (
        select(BillItem, Member)
        .join(Member, Member.id == BillItem.member_id)
        .where(BillItem.bill_id == bill.id)
        .order_by(Member.number)
    )
    return [(item, member) for item, member in session.execute(query)]


def item_key(form_key: uuid.UUID, item_id: int) -> uuid.UUID:
    """The idempotency key of one share paid from one submitted form."""
    return uuid.uuid5(form_key, str(item_id))


def pay_items(
    session: Session,
    bill: Bill,
    item_ids: list[int],
    *,
    method: PaymentMethod,
    paid_on: date,
    form_key: uuid.UUID,
    officer_id: int,
    officer_name: str,
) -> tuple[int, int]:
    """Mark shares paid, each with its receipt; (newly paid, already paid before)."""
    newly = already = 0
    for item_id in sorted(set(item_ids)):  # a fixed order: concurrent bulk payments never deadlock
        item = session.scalars(
            select(BillItem)
            .where(BillItem.id == item_id, BillItem.bill_id == bill.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if item is None:
            continue
        key = item_key(form_key, item.id)
        if item.receipt_id is not None and savings.find_receipt_by_key(session, key) is None:
            already += 1  # paid at the counter, or by another officer's form
            continue
        movement = Movement(
            member=session.get_one(Member, item.member_id),
            kind=bill.kind,
            amount=item.amount,
            method=method,
            paid_on=paid_on,
            idempotency_key=key,
            officer_id=officer_id,
            officer_name=officer_name,
        )
        _receipt, created = pay_dues(session, movement, [(bill.year, bill.month)])
        if created:
            newly += 1
        else:
            already += 1
    return newly, already


def arrears(session: Session, *, as_of_year: int, as_of_month: int) -> list[Arrear]:
    """Members with unpaid shares of bills up to a month, most months first."""
    rows = session.execute(
        select(Member, func.count(BillItem.id), func.sum(BillItem.amount))
        .join(BillItem, BillItem.member_id == Member.id)
        .join(Bill, Bill.id == BillItem.bill_id)
        .where(
            BillItem.receipt_id.is_(None),
            tuple_(Bill.year, Bill.month) <= (as_of_year, as_of_month),
        )
        .group_by(Member.id)
        .order_by(func.count(BillItem.id).desc(), Member.number)
    )
    return [Arrear(member, int(months), int(amount)) for member, months, amount in rows]


def shares_of_member(session: Session, member_id: int) -> list[tuple[Bill, BillItem]]:
    """The member's bill shares, newest month first (paid ones point at their receipt)."""
    query = (
        select(Bill, BillItem)
        .join(BillItem, BillItem.bill_id == Bill.id)
        .where(BillItem.member_id == member_id)
        .order_by(Bill.year.desc(), Bill.month.desc(), Bill.kind)
    )
    return [(bill, item) for bill, item in session.execute(query)]


def receipt_of_item(session: Session, item: BillItem) -> Receipt | None:
    return session.get(Receipt, item.receipt_id) if item.receipt_id else None
