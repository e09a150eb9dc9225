"""The only code that writes a unit's products, stock and sales.

Every movement of goods or money is one journal entry through ``ledger.post_entry``, under the
form's idempotency key: a retried request finds the first sale (or receipt) and writes nothing.
Products are locked in id order while their stock changes, so two cashiers selling the last
item queue on it and the second is refused (or sells into negative stock where the unit allows).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saas.gerai.models import (
    MAX_PRICE,
    MAX_QUANTITY,
    DayClosing,
    GeraiProduct,
    GeraiSettings,
    GoodsReceipt,
    MovementKind,
    Sale,
    SaleLine,
    SaleMethod,
    StockCount,
    StockMovement,
    SupplierPayment,
)
from saas.gerai.rules import CartLine, GeraiError, cost_of, merged, sale_number
from saas.ledger import operations as ledger
from saas.ledger.models import EntrySource, JournalEntry
from saas.ledger.rules import Line
from saas.members.models import Counter, Member, MemberStatus

SALE_COUNTER = "gerai_sales"
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
    if product is None:
        product = GeraiProduct(unit_id=unit_id, on_hand=0, stock_value=0)
    for name, value in vars(details).items():
        setattr(product, name, value.strip() if isinstance(value, str) else value)
    try:
        with session.begin_nested():  # a colleague may have taken the code a moment ago
            session.add(product)
    except IntegrityError as exc:
        raise GeraiError("code_taken", product_code=details.code) from exc
    return product


def _locked_products(session: Session, unit_id: int, ids: set[int]) -> dict[int, GeraiProduct]:
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
        _check_quantity(line.quantity)
        if not 0 < line.unit_cost <= MAX_PRICE:
            raise GeraiError("bad_price")
    products = _locked_products(session, delivery.unit_id, {li.product_id for li in delivery.lines})
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


def _check_quantity(quantity: int) -> None:
    if not 0 < quantity <= MAX_QUANTITY:
        raise GeraiError("bad_quantity")


# -- sales ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkout:
    unit_id: int
    lines: Sequence[CartLine]
    member: Member | None  # None: the public
    method: SaleMethod
    sold_on: date
    idempotency_key: uuid.UUID
    officer_id: int | None
    officer_name: str


def sell(session: Session, checkout: Checkout) -> tuple[Sale, bool]:
    """Record a sale as one entry: money or the member's receivable; revenue from members
    (naming the member, for SHU) or the public; cost of goods against inventory at moving
    average. Once per key (raises GeraiError: credit_to_public, out_of_stock, bad_quantity,
    bad_price, no_lines; LedgerError: period_closed)."""
    if (first := find_sale_by_key(session, checkout.idempotency_key)) is not None:
        return first, False
    _check_checkout(checkout)
    cart = merged(checkout.lines)  # the same item scanned twice is checked against stock once
    wanted = {line.product_id for line in cart if line.product_id is not None}
    products = _locked_products(session, checkout.unit_id, wanted) if wanted else {}
    negative_ok = get_settings(session, checkout.unit_id).allow_negative_stock
    lines = [_sale_line(line, products, negative_ok) for line in cart]
    total = sum(line.amount for line in lines)
    cost = sum(line.cost for line in lines)
    entry = _post_sale(session, checkout, total, cost)
    sale = Sale(
        unit_id=checkout.unit_id,
        number=_next_number(session, checkout.sold_on),
        entry_id=entry.id,
        member_id=checkout.member.id if checkout.member else None,
        method=checkout.method,
        total=total,
        sold_on=checkout.sold_on,
        officer_name=checkout.officer_name,
        created_at=datetime.now(UTC),
        lines=lines,
    )
    session.add(sale)
    session.flush()
    for line in lines:
        if line.product_id is not None:
            _take_stock(session, products[line.product_id], line, sale)
    session.flush()
    return sale, True


def _check_checkout(checkout: Checkout) -> None:
    if not checkout.lines:
        raise GeraiError("no_lines")
    if checkout.method is SaleMethod.CREDIT and checkout.member is None:
        raise GeraiError("credit_to_public")
    if checkout.member is not None and checkout.member.status != MemberStatus.ACTIVE:
        raise GeraiError("member_left")
    for line in checkout.lines:
        _check_quantity(line.quantity)
        if line.product_id is None and not 0 < line.price <= MAX_PRICE:
            raise GeraiError("bad_price")


def _sale_line(line: CartLine, products: dict[int, GeraiProduct], negative_ok: bool) -> SaleLine:
    """The line as sold: a product at its price and its cost at moving average."""
    if line.product_id is None:
        description = line.description.strip()[:120] or "-"
        return SaleLine(description=description, quantity=line.quantity, price=line.price, cost=0)
    product = products[line.product_id]
    if not product.is_active:
        raise GeraiError("inactive_product", name=product.name)
    if line.quantity > product.on_hand and not negative_ok:
        raise GeraiError("out_of_stock", name=product.name, on_hand=product.on_hand)
    return SaleLine(
        product_id=product.id,
        description=product.name,
        quantity=line.quantity,
        price=product.price,
        cost=cost_of(product.on_hand, product.stock_value, line.quantity, product.cost),
    )


def _post_sale(session: Session, checkout: Checkout, total: int, cost: int) -> JournalEntry:
    member_id = checkout.member.id if checkout.member else None
    money = ledger.account_by_role(session, checkout.method.account_role)
    revenue = ledger.account_by_role(session, "sales_members" if member_id else "sales_non_members")
    receivable_of = member_id if checkout.method is SaleMethod.CREDIT else None
    lines = [
        Line(money.id, debit=total, member_id=receivable_of),
        Line(revenue.id, credit=total, member_id=member_id),
    ]
    if cost > 0:
        lines += [
            Line(ledger.account_by_role(session, "cogs").id, debit=cost),
            Line(ledger.account_by_role(session, "inventory").id, credit=cost),
        ]
    buyer = checkout.member.number if checkout.member else "umum"
    return ledger.post_entry(
        session,
        entry_date=checkout.sold_on,
        description=f"Penjualan gerai kepada {buyer}",
        lines=lines,
        idempotency_key=checkout.idempotency_key,
        source=EntrySource.SALE,
        posted_by_id=checkout.officer_id,
        member_id=member_id,
    ).entry


def _take_stock(session: Session, product: GeraiProduct, line: SaleLine, sale: Sale) -> None:
    product.on_hand -= line.quantity
    product.stock_value -= line.cost
    session.add(
        StockMovement(
            product_id=product.id,
            kind=MovementKind.SOLD,
            quantity=-line.quantity,
            value=-line.cost,
            moved_on=sale.sold_on,
            sale_id=sale.id,
        )
    )


def _next_number(session: Session, sold_on: date) -> str:
    """The next receipt number; the counter's row stays locked until commit (no gaps)."""
    value = session.scalar(
        insert(Counter)
        .values(name=SALE_COUNTER, value=1)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    )
    return sale_number(sold_on.year, int(value or 0))


def find_sale_by_key(session: Session, key: uuid.UUID) -> Sale | None:
    """The sale posted under an idempotency key, if any."""
    return session.scalar(
        select(Sale)
        .join(JournalEntry, JournalEntry.id == Sale.entry_id)
        .where(JournalEntry.idempotency_key == key)
    )


# -- stock counts and the day's closing ----------------------------------------------------------


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
    products = _locked_products(session, count.unit_id, set(count.counted))
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


def close_day(
    session: Session,
    unit_id: int,
    day: date,
    *,
    counted: int,
    idempotency_key: uuid.UUID,
    user_id: int | None,
) -> DayClosing:
    """Close the unit's day once: the cash counted against the day's cash sales, a shortfall
    posted to other expenses and a surplus to other income (raises GeraiError day_closed)."""
    if session.scalar(
        select(DayClosing.id).where(DayClosing.unit_id == unit_id, DayClosing.closed_on == day)
    ):
        raise GeraiError("day_closed")
    if not 0 <= counted <= MAX_PRICE * 100:
        raise GeraiError("bad_price")
    expected = expected_cash(session, unit_id, day)
    closing = DayClosing(
        unit_id=unit_id, closed_on=day, expected=expected, counted=counted, closed_by_id=user_id
    )
    if closing.difference:
        cash = ledger.account_by_role(session, "cash").id
        amount = abs(closing.difference)
        if closing.difference < 0:
            other = ledger.account_by_role(session, "other_expense").id
            lines = [Line(other, debit=amount), Line(cash, credit=amount)]
        else:
            other = ledger.account_by_role(session, "other_income").id
            lines = [Line(cash, debit=amount), Line(other, credit=amount)]
        closing.entry_id = ledger.post_entry(
            session,
            entry_date=day,
            description="Selisih kas tutup hari gerai",
            lines=lines,
            idempotency_key=idempotency_key,
            source=EntrySource.STOCK,
            posted_by_id=user_id,
        ).entry.id
    try:
        with session.begin_nested():  # a colleague may have closed the day a moment ago
            session.add(closing)
    except IntegrityError as exc:
        raise GeraiError("day_closed") from exc
    return closing


def expected_cash(session: Session, unit_id: int, day: date) -> int:
    """The day's cash sales at the unit (rupiah)."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Sale.total), 0)).where(
                Sale.unit_id == unit_id, Sale.sold_on == day, Sale.method == SaleMethod.CASH
            )
        )
        or 0
    )
