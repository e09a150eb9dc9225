"""Taking a sale back: the only code that reverses one.

A sale is reversed whole, once, with a reason: the ledger's reversing entry puts the money, the
member's receivable, the revenue, what is owed to consignors and the cost of goods back where
they were, and every item returns to stock at the cost it left at, so the products' values and
the inventory account stay equal to the rupiah.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from saas.gerai.credit import owed_by
from saas.gerai.models import (
    Consignor,
    GeraiProduct,
    MovementKind,
    Sale,
    SaleLine,
    SaleMethod,
    SaleReversal,
    SettledLine,
    StockMovement,
)
from saas.gerai.operations import lock_products
from saas.gerai.rules import GeraiError
from saas.ledger import operations as ledger
from saas.ledger.models import JournalEntry
from saas.ledger.rules import LedgerError


@dataclass(frozen=True)
class TakeBack:
    reason: str
    reversed_on: date
    idempotency_key: uuid.UUID
    officer_id: int | None
    officer_name: str


def reverse_sale(session: Session, sale: Sale, take_back: TakeBack) -> tuple[SaleReversal, bool]:
    """Reverse a sale once, on ``take_back.reversed_on``; the same key again finds the first.

    Refused (GeraiError) when the sale is reversed already (sale_reversed), when its month's
    books are closed (period_closed: the sale stands in statements already approved), when a
    consigned line was paid to its consignor (consignment_settled), and for a credit sale when
    the member owes less than its total (credit_paid_back). Payments on credit are not matched
    to sales, so whatever a member paid back may have paid this sale: reversing only part of it
    would guess, and reversing all of it would leave the member owed money by the shop. The
    ledger refuses the rest (not_enough_money for a refund the till cannot pay)."""
    if (first := _reversal_by_key(session, take_back.idempotency_key)) is not None:
        return first, False
    _lock_sale(session, sale)
    if session.get(SaleReversal, sale.id) is not None:
        raise GeraiError("sale_reversed")
    if (open_from := ledger.first_open_day(session)) is not None and sale.sold_on < open_from:
        raise GeraiError("period_closed", year=sale.sold_on.year, month=sale.sold_on.month)
    _check_consignors_unpaid(session, sale)
    products = _lock_sold_products(session, sale)
    entry = _reverse_entry(session, sale, take_back)
    reversal = SaleReversal(
        sale_id=sale.id,
        entry_id=entry.id,
        reversed_on=take_back.reversed_on,
        reason=" ".join(take_back.reason.split())[:200],
        reversed_by_id=take_back.officer_id,
        officer_name=take_back.officer_name,
    )
    session.add(reversal)
    for line in sale.lines:
        if line.product_id is None:
            continue
        product = products[line.product_id]
        product.on_hand += line.quantity
        product.stock_value += line.cost
        session.add(
            StockMovement(
                product_id=product.id,
                kind=MovementKind.UNSOLD,
                quantity=line.quantity,
                value=line.cost,
                moved_on=take_back.reversed_on,
                sale_id=sale.id,
            )
        )
    session.flush()
    session.expire(sale, ["reversal"])
    return reversal, True


def _lock_sale(session: Session, sale: Sale) -> None:
    """Two officers reversing one sale queue here; the second finds the first's reversal."""
    session.execute(select(Sale.id).where(Sale.id == sale.id).with_for_update()).one()


def _check_consignors_unpaid(session: Session, sale: Sale) -> None:
    """Lock the sale's consignors, as a settlement does, and refuse once a line is paid: the
    consignor has the money, so the sale stands."""
    consignor_ids = sorted({line.consignor_id for line in sale.lines if line.consignor_id})
    if not consignor_ids:
        return
    session.execute(
        select(Consignor.id).where(Consignor.id.in_(consignor_ids)).with_for_update()
    ).all()
    paid = exists().where(SettledLine.sale_line_id == SaleLine.id, SaleLine.sale_id == sale.id)
    if session.scalar(select(paid)):
        raise GeraiError("consignment_settled")


def _lock_sold_products(session: Session, sale: Sale) -> dict[int, GeraiProduct]:
    ids = {line.product_id for line in sale.lines if line.product_id is not None}
    return lock_products(session, sale.unit_id, ids) if ids else {}


def _reverse_entry(session: Session, sale: Sale, take_back: TakeBack) -> JournalEntry:
    """The ledger's reversal of the sale's entry; a member short of the credit is refused."""
    entry = session.get_one(JournalEntry, sale.entry_id)
    try:
        return ledger.reverse_entry(
            session,
            entry,
            entry_date=take_back.reversed_on,
            reason=f"Pembatalan {sale.number}: {take_back.reason}",
            idempotency_key=take_back.idempotency_key,
            posted_by_id=take_back.officer_id,
            by_owner=True,
        ).entry
    except LedgerError as exc:
        if exc.code == "already_reversed":
            raise GeraiError("sale_reversed") from exc
        if exc.code == "member_overdrawn" and sale.method is SaleMethod.CREDIT:
            assert sale.member_id is not None  # credit is for members only
            owed = owed_by(session, sale.member_id)
            raise GeraiError("credit_paid_back", owed=owed) from exc
        raise


def _reversal_by_key(session: Session, key: uuid.UUID) -> SaleReversal | None:
    return session.scalar(
        select(SaleReversal)
        .join(JournalEntry, JournalEntry.id == SaleReversal.entry_id)
        .where(JournalEntry.idempotency_key == key)
    )
