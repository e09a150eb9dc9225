"""The only code that writes a unit's products and its stock (sales: ``saas.gerai.sales``).

Every movement of goods is one journal entry through ``ledger.post_entry``, under the form's
idempotency key: a retried request finds the first delivery or count and writes nothing.
Products are locked in id order while their stock changes, so two cashiers selling the last
item queue on it and the second is refused (or sells into negative stock where the unit allows).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saas.billing.limits import require_feature
from saas.gerai.models import (
    MAX_PRICE,
    MAX_QUANTITY,
    GeraiProduct,
    GeraiSettings,
    GoodsReceipt,
    MovementKind,
    StockCount,
    StockMovement,
    SupplierPayment,
)
from saas.gerai.rules import GeraiError
from saas.ledger import operations as ledger
from saas.ledger.models import EntrySource, JournalEntry
from saas.ledger.rules import Line

COUNT_AGAINST = ("cogs", "other_expense")  # where a stock count's difference goes


# -- products ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductDetails:
    code: str
    name: str
    measure: str
    price: int  # rupiah per unit of measure
    cost: int  # rupiah per unit, used while there is no stock to value
    low_stock: int
    is_public: bool
    is_active: bool
    consignor_id: int | None = None  # a consignor's goods, sold for them
    consignment_fee: int = 0  # the cooperative's fee on one item sold (rupiah)

    def __post_init__(self) -> None:
        """A consignor's goods cost the books nothing, and the fee fits within the price."""
        if self.consignor_id is None and self.consignment_fee:
            raise GeraiError("fee_without_consignor")
        if self.consignor_id is not None and self.cost:
            raise GeraiError("consigned_cost")
        if not 0 <= self.consignment_fee <= self.price:
            raise GeraiError("fee_above_price")


def get_settings(session: Session, unit_id: int) -> GeraiSettings:
    """The unit's selling settings (defaults until saved)."""
    return session.get(GeraiSettings, unit_id) or GeraiSettings(
        unit_id=unit_id, allow_negative_stock=False
    )


def save_settings(session: Session, unit_id: int, *, allow_negative_stock: bool) -> None:
    session.execute(
        insert(GeraiSettings)
        .values(unit_id=unit_id, allow_negative_stock=allow_negative_stock)
        .on_conflict_do_update(
            index_elements=[GeraiSettings.unit_id],
            set_={"allow_negative_stock": allow_negative_stock},
        )
    )
    session.expire_all()


def save_product(
    session: Session, unit_id: int, product: GeraiProduct | None, details: ProductDetails
) -> GeraiProduct:
    """Add a product to the unit, or change one (raises GeraiError code_taken)."""
    # Only a new product needs the plan: sales of the products there are (money received is
    # always recorded), goods received and stock counts go on whatever the plan.
    if product is None:
        require_feature(session, "gerai")
        product = GeraiProduct(unit_id=unit_id, on_hand=0, stock_value=0)
    for name, value in vars(details).items():
        setattr(product, name, value.strip() if isinstance(value, str) else value)
    try:
        with session.begin_nested():  # a colleague may have taken the code a moment ago
            session.add(product)
    except IntegrityError as exc:
        raise GeraiError("code_taken", product_code=details.code) from exc
    return product


def lock_products(session: Session, unit_id: int, ids: set[int]) -> dict[int, GeraiProduct]:
    """The unit's products among ``ids``, locked in id order until commit; fresh from the row."""
    rows = session.scalars(
        select(GeraiProduct)
        .where(GeraiProduct.id.in_(ids), GeraiProduct.unit_id == unit_id)
        .order_by(GeraiProduct.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    found = {product.id: product for product in rows}
    if set(found) != ids:
        raise GeraiError("unknown_product")
    return found


# -- goods received ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedLine:
    product_id: int
    quantity: int
    unit_cost: int  # rupiah


@dataclass(frozen=True)
class Delivery:
    unit_id: int
    supplier: str
    received_on: date
    payment: SupplierPayment
    lines: Sequence[ReceivedLine]
    idempotency_key: uuid.UUID
    user_id: int | None


def receive_goods(session: Session, delivery: Delivery) -> tuple[GoodsReceipt, bool]:
    """Stock up at moving-average cost and post inventory against cash, bank or the supplier;
    once per key (raises GeraiError, LedgerError: period_closed, not_enough_money)."""
    if (first := _receipt_by_key(session, delivery.idempotency_key)) is not None:
        return first, False
    if not delivery.lines:
        raise GeraiError("no_lines")
    for line in delivery.lines:
        check_quantity(line.quantity)
        if not 0 < line.unit_cost <= MAX_PRICE:
            raise GeraiError("bad_price")
    products = lock_products(session, delivery.unit_id, {li.product_id for li in delivery.lines})
    if any(product.consignor_id is not None for product in products.values()):
        raise GeraiError("consigned_product")  # brought by their consignor, not bought
    total = sum(line.quantity * line.unit_cost for line in delivery.lines)
    inventory = ledger.account_by_role(session, "inventory")
    paid_from = ledger.account_by_role(session, delivery.payment.account_role)
    result = ledger.post_entry(
        session,
        entry_date=delivery.received_on,
        description=f"Penerimaan barang dari {delivery.supplier}",
        lines=[Line(inventory.id, debit=total), Line(paid_from.id, credit=total)],
        idempotency_key=delivery.idempotency_key,
        source=EntrySource.STOCK,
        posted_by_id=delivery.user_id,
    )
    if not result.created:  # the same form, sent again while the first was being recorded
        if (first := _receipt_by_key(session, delivery.idempotency_key)) is None:
            raise GeraiError("retry_pending")
        return first, False
    receipt = GoodsReceipt(
        unit_id=delivery.unit_id,
        supplier=delivery.supplier.strip(),
        received_on=delivery.received_on,
        payment=delivery.payment,
        total=total,
        entry_id=result.entry.id,
    )
    session.add(receipt)
    session.flush()
    for line in delivery.lines:
        value = line.quantity * line.unit_cost
        product = products[line.product_id]
        product.on_hand += line.quantity
        product.stock_value += value
        product.cost = line.unit_cost  # the latest price paid values stock bought into the red
        session.add(
            StockMovement(
                product_id=product.id,
                kind=MovementKind.RECEIVED,
                quantity=line.quantity,
                value=value,
                moved_on=delivery.received_on,
                receipt_id=receipt.id,
            )
        )
    session.flush()
    return receipt, True


def _receipt_by_key(session: Session, key: uuid.UUID) -> GoodsReceipt | None:
    return session.scalar(
        select(GoodsReceipt)
        .join(JournalEntry, JournalEntry.id == GoodsReceipt.entry_id)
        .where(JournalEntry.idempotency_key == key)
    )


def check_quantity(quantity: int) -> None:
    if not 0 < quantity <= MAX_QUANTITY:
        raise GeraiError("bad_quantity")


# -- stock counts ----------------------------------------------------------


@dataclass(frozen=True)
class Count:
    unit_id: int
    counted_on: date
    counted: dict[int, int]  # product id -> quantity found
    against_role: str
    idempotency_key: uuid.UUID
    user_id: int | None


def count_stock(session: Session, count: Count) -> tuple[StockCount, bool]:
    """Set each counted product's stock to what was found; the differences' value at moving
    average posted to inventory against cost of goods sold or other expenses, once per key."""
    if count.against_role not in COUNT_AGAINST:
        raise GeraiError("bad_account")
    if (first := _count_by_key(session, count.idempotency_key)) is not None:
        return first, False
    if any(not 0 <= found <= MAX_QUANTITY for found in count.counted.values()):
        raise GeraiError("bad_quantity")
    products = lock_products(session, count.unit_id, set(count.counted))
    if (first := _count_by_key(session, count.idempotency_key)) is not None:
        return first, False  # recorded while this one waited for the products
    changes = {
        product_id: (found - product.on_hand, _counted_value(product, found))
        for product_id, found in count.counted.items()
        if found != (product := products[product_id]).on_hand
    }
    difference = sum(value for _quantity, value in changes.values())
    record = StockCount(
        unit_id=count.unit_id,
        counted_on=count.counted_on,
        against_role=count.against_role,
        difference=difference,
        entry_id=_post_count(session, count, difference),
        idempotency_key=count.idempotency_key,
    )
    session.add(record)
    session.flush()
    for product_id, (quantity, value) in changes.items():
        product = products[product_id]
        product.on_hand += quantity
        product.stock_value += value
        session.add(
            StockMovement(
                product_id=product_id,
                kind=MovementKind.COUNTED,
                quantity=quantity,
                value=value,
                moved_on=count.counted_on,
                count_id=record.id,
            )
        )
    session.flush()
    return record, True


def _counted_value(product: GeraiProduct, found: int) -> int:
    """How much the stock's value changes when ``found`` is what is there (rupiah)."""
    if found == 0:
        return -product.stock_value
    return found * product.average_cost - product.stock_value


def _post_count(session: Session, count: Count, difference: int) -> int | None:
    """The entry of a count's difference; a count that found what the books hold posts none,
    so its key is kept on the record alone."""
    inventory = ledger.account_by_role(session, "inventory").id
    against = ledger.account_by_role(session, count.against_role).id
    if difference == 0:
        return None
    if difference > 0:
        lines = [Line(inventory, debit=difference), Line(against, credit=difference)]
    else:
        lines = [Line(against, debit=-difference), Line(inventory, credit=-difference)]
    return ledger.post_entry(
        session,
        entry_date=count.counted_on,
        description="Selisih stok opname",
        lines=lines,
        idempotency_key=count.idempotency_key,
        source=EntrySource.STOCK,
        posted_by_id=count.user_id,
    ).entry.id


def _count_by_key(session: Session, key: uuid.UUID) -> StockCount | None:
    return session.scalar(select(StockCount).where(StockCount.idempotency_key == key))
