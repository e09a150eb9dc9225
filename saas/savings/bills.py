"""Tagihan: billing a month's savings to the members, and marking each share paid.

Paying a share is a savings deposit whose idempotency key is derived from the form's key and the
share, under a row lock on the share: a double tap, a retried bulk form or two officers paying
the same share at once make one payment and one receipt.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from saas.members.models import Member, MemberStatus
from saas.savings import operations as savings
from saas.savings.models import Bill, BillItem, PaymentMethod, Receipt, SavingsKind
from saas.savings.operations import Movement, SavingsError


@dataclass(frozen=True)
class BillSummary:
    bill: Bill
    members: int
    paid: int
    collected: int  # rupiah


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
    """Bill a month to every active member (or those chosen); one bill per kind and month."""
    if kind == SavingsKind.SUKARELA:
        raise SavingsError("not_billable")
    exists = select(Bill.id).where(Bill.kind == kind, Bill.year == year, Bill.month == month)
    if session.scalar(exists) is not None:
        raise SavingsError("bill_exists")
    query = select(Member.id).where(Member.status == MemberStatus.ACTIVE)
    if member_ids is not None:
        query = query.where(Member.id.in_(member_ids))
    ids = list(session.scalars(query.order_by(Member.number)))
    if not ids:
        raise SavingsError("no_members")
    bill = Bill(kind=kind, year=year, month=month, amount=amount)
    session.add(bill)
    session.flush()
    session.execute(
        insert(BillItem),
        [{"bill_id": bill.id, "member_id": member_id, "amount": amount} for member_id in ids],
    )
    session.commit()
    return bill


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
        if item.receipt_id is not None:
            session.rollback()  # release the lock: someone paid it already
            already += 1
            continue
        member = session.get_one(Member, item.member_id)
        receipt, _created = savings.deposit(
            session,
            Movement(
                member=member,
                kind=bill.kind,
                amount=item.amount,
                method=method,
                paid_on=paid_on,
                idempotency_key=item_key(form_key, item.id),
                officer_id=officer_id,
                officer_name=officer_name,
            ),
            commit=False,
        )
        item.receipt_id = receipt.id
        session.commit()
        newly += 1
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
