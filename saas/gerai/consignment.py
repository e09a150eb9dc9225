"""Consignment (titip jual): the only code that writes consignors, their goods brought in or
taken back, and the settlements paying them.

A consignor's goods are products that name them: they sell at the counter like any product
(``saas.gerai.sales``), and each sale line keeps what of it is owed to the consignor. A
settlement pays every line not yet paid, and names each line where a line can stand only once,
so a form sent twice or two settlements of one period make one payment.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.gerai.models import (
    Consignment,
    ConsignmentSettlement,
    Consignor,
    MovementKind,
    Sale,
    SaleLine,
    SettledLine,
    StockMovement,
    sale_not_reversed,
)
from saas.gerai.operations import check_quantity, lock_products
from saas.gerai.rules import GeraiError
from saas.ledger import operations as ledger
from saas.ledger.models import EntrySource, JournalEntry
from saas.ledger.rules import Line
from saas.members.models import Member

SETTLE_FROM = ("cash", "bank")  # the accounts a consignor is paid from


def save_consignor(
    session: Session,
    unit_id: int,
    consignor: Consignor | None,
    *,
    name: str,
    member: Member | None,
    phone: str,
) -> Consignor:
    """Add a consignor to the unit or change one; a member consignor goes by the member's name."""
    if consignor is None:
        consignor = Consignor(unit_id=unit_id)
    consignor.member_id = member.id if member else None
    consignor.name = (member.name if member else name).strip()
    consignor.phone = phone.strip()
    if not consignor.name:
        raise GeraiError("consignor_unnamed")
    session.add(consignor)
    session.flush()
    return consignor


@dataclass(frozen=True)
class ConsignedLine:
    product_id: int
    quantity: int


@dataclass(frozen=True)
class ConsignedGoods:
    """Goods a consignor brings in (``kind`` consigned) or takes back unsold (returned)."""

    unit_id: int
    consignor_id: int
    kind: MovementKind
    moved_on: date
    lines: Sequence[ConsignedLine]
    idempotency_key: uuid.UUID


def move_goods(session: Session, goods: ConsignedGoods) -> tuple[Consignment, bool]:
    """Add the consignor's goods to the stock, or take their unsold goods back; once per key
    (raises GeraiError: not_theirs, out_of_stock, bad_quantity, no_lines)."""
    if goods.kind not in (MovementKind.CONSIGNED, MovementKind.RETURNED):
        raise GeraiError("bad_kind")
    if (first := _consignment_by_key(session, goods.idempotency_key)) is not None:
        return first, False
    if not goods.lines:
        raise GeraiError("no_lines")
    for line in goods.lines:
        check_quantity(line.quantity)
    products = lock_products(session, goods.unit_id, {line.product_id for line in goods.lines})
    if (first := _consignment_by_key(session, goods.idempotency_key)) is not None:
        return first, False  # recorded while this one waited for the products
    if any(product.consignor_id != goods.consignor_id for product in products.values()):
        raise GeraiError("not_theirs")
    record = Consignment(
        consignor_id=goods.consignor_id,
        kind=goods.kind,
        moved_on=goods.moved_on,
        idempotency_key=goods.idempotency_key,
    )
    session.add(record)
    session.flush()
    sign = 1 if goods.kind is MovementKind.CONSIGNED else -1
    for line in goods.lines:
        product = products[line.product_id]
        if sign < 0 and line.quantity > product.on_hand:
            raise GeraiError("out_of_stock", name=product.name, on_hand=product.on_hand)
        product.on_hand += sign * line.quantity
        session.add(
            StockMovement(
                product_id=product.id,
                kind=goods.kind,
                quantity=sign * line.quantity,
                value=0,
                moved_on=goods.moved_on,
                consignment_id=record.id,
            )
        )
    session.flush()
    return record, True


def _consignment_by_key(session: Session, key: uuid.UUID) -> Consignment | None:
    return session.scalar(select(Consignment).where(Consignment.idempotency_key == key))


# -- settlement ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settle:
    consignor_id: int
    settled_on: date
    paid_from: str  # "cash" or "bank"
    idempotency_key: uuid.UUID
    user_id: int | None


def unpaid_lines(session: Session, consignor_id: int, through: date) -> list[SaleLine]:
    """The consignor's sale lines sold by ``through`` and not yet paid to them."""
    query = (
        select(SaleLine)
        .join(Sale, Sale.id == SaleLine.sale_id)
        .outerjoin(SettledLine, SettledLine.sale_line_id == SaleLine.id)
        .where(
            SaleLine.consignor_id == consignor_id,
            SaleLine.consignor_share > 0,
            Sale.sold_on <= through,
            SettledLine.sale_line_id.is_(None),
            sale_not_reversed(),
        )
        .order_by(SaleLine.id)
    )
    return list(session.scalars(query))


def settle(session: Session, unit_id: int, request: Settle) -> tuple[ConsignmentSettlement, bool]:
    """Pay the consignor what their goods sold by the day earned, as one entry (what is owed to
    consignors against cash or bank); once per key, and each sale line once (raises
    GeraiError: nothing_to_settle, bad_account; LedgerError: period_closed, not_enough_money)."""
    if request.paid_from not in SETTLE_FROM:
        raise GeraiError("bad_account")
    if (first := _settlement_by_key(session, request.idempotency_key)) is not None:
        return first, False
    consignor = session.scalar(
        select(Consignor)
        .where(Consignor.id == request.consignor_id, Consignor.unit_id == unit_id)
        .with_for_update()  # two settlements of one consignor queue here: the second finds none
    )
    if consignor is None:
        raise GeraiError("unknown_consignor")
    if (first := _settlement_by_key(session, request.idempotency_key)) is not None:
        return first, False
    lines = unpaid_lines(session, consignor.id, request.settled_on)
    if not lines:
        raise GeraiError("nothing_to_settle")
    amount = sum(line.consignor_share for line in lines)
    held = ledger.account_by_role(session, "consignment_held").id
    paid_from = ledger.account_by_role(session, request.paid_from).id
    posted = ledger.post_entry(
        session,
        entry_date=request.settled_on,
        description=f"Pembayaran titip jual kepada {consignor.name}",
        lines=[Line(held, debit=amount), Line(paid_from, credit=amount)],
        idempotency_key=request.idempotency_key,
        source=EntrySource.STOCK,
        posted_by_id=request.user_id,
    )
    if not posted.created:
        raise GeraiError("retry_pending")
    record = ConsignmentSettlement(
        consignor_id=consignor.id,
        settled_on=request.settled_on,
        amount=amount,
        entry_id=posted.entry.id,
    )
    session.add(record)
    session.flush()
    session.add_all(SettledLine(sale_line_id=line.id, settlement_id=record.id) for line in lines)
    session.flush()
    return record, True


def _settlement_by_key(session: Session, key: uuid.UUID) -> ConsignmentSettlement | None:
    return session.scalar(
        select(ConsignmentSettlement)
        .join(JournalEntry, JournalEntry.id == ConsignmentSettlement.entry_id)
        .where(JournalEntry.idempotency_key == key)
    )
