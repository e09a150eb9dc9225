"""Sales at a unit's counter and the day's closing: the only code that writes them.

A sale is one journal entry through ``ledger.post_entry`` under the form's idempotency key, so a
double tap finds the first sale; its products are locked in id order (``lock_products``) while
their stock changes, and the receipt takes the next number under the counter's row lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    cast,
    func,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from saas.db import attach_inserted
from saas.gerai.models import (
    MAX_PRICE,
    DayClosing,
    GeraiProduct,
    MovementKind,
    Sale,
    SaleLine,
    SaleMethod,
    SaleReversal,
    StockMovement,
)
from saas.gerai.operations import check_quantity, get_settings, lock_products
from saas.gerai.rules import CartLine, GeraiError, cost_of, merged
from saas.ledger import operations as ledger
from saas.ledger.models import EntrySource, JournalEntry
from saas.ledger.operations import PostResult
from saas.ledger.rules import Line
from saas.members.models import Counter, Member, MemberStatus

SALE_COUNTER = "gerai_sales"


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
    try:
        _check_checkout(checkout)
        cart = merged(checkout.lines)  # the same item scanned twice is checked against stock once
        for item in cart:
            check_quantity(item.quantity)  # and its quantities added up stay within reason
        wanted = {line.product_id for line in cart if line.product_id is not None}
        products = lock_products(session, checkout.unit_id, wanted) if wanted else {}
        lines = [_sale_line(session, checkout.unit_id, line, products) for line in cart]
    except GeraiError:
        # Sent again after the first took the stock (or the member left since): the sale
        # stands and is judged no more. A retry that still passes is found by its key when
        # posting.
        if (first := find_sale_by_key(session, checkout.idempotency_key)) is not None:
            return first, False
        raise
    posted = _post_sale(session, checkout, lines)
    if not posted.created:  # the same form, sent again while the first was being recorded
        return _first_sale(session, checkout.idempotency_key), False
    sale = _record_sale(session, checkout, posted.entry.id, lines)
    for product in products.values():  # their stock changed in the database, not here
        session.expire(product, ["on_hand", "stock_value"])
    return sale, True


def _record_sale(
    session: Session, checkout: Checkout, entry_id: int, lines: Sequence[SaleLine]
) -> Sale:
    """The sale of a posted entry, written by one statement (``RECORDING``)."""
    values = {
        "unit_id": checkout.unit_id,
        "entry_id": entry_id,
        "member_id": checkout.member.id if checkout.member else None,
        "method": checkout.method,
        "total": sum(line.amount for line in lines),
        "sold_on": checkout.sold_on,
        "officer_name": checkout.officer_name,
        "created_at": datetime.now(UTC),
    }
    params = {  # named apart from any column: the UPDATE would take those as values to set
        **{f"sale_{name}": value for name, value in values.items()},
        "sale_year": checkout.sold_on.year,
        **{
            name: [getattr(line, field) for line in lines]
            for name, (field, _) in LINE_ARRAYS.items()
        },
    }
    sale_id, number = session.connection().execute(RECORDING, params).one()
    return attach_inserted(session, Sale(id=sale_id, number=number, **values))


# The sale's lines as arrays, one element per line in cart order: the statement's parameter,
# the SaleLine attribute it is read from and the type of its elements.
LINE_ARRAYS: dict[str, tuple[str, type[TypeEngine[Any]]]] = {
    "line_products": ("product_id", BigInteger),
    "line_descriptions": ("description", String),
    "line_quantities": ("quantity", Integer),
    "line_prices": ("price", BigInteger),
    "line_costs": ("cost", BigInteger),
    "line_consignors": ("consignor_id", BigInteger),
    "line_shares": ("consignor_share", BigInteger),
}
LINE_FIELDS = [field for field, _type in LINE_ARRAYS.values()]


def _recording_statement() -> Select[int, str]:
    """Record a posted sale in one statement: take the receipt's next number (the counter's
    row stays locked until commit, so numbers have no gaps), insert the sale and its lines in
    cart order, take the lines' stock off their products (locked by ``lock_products``) and
    write a movement for each. Answers the sale's id and number."""
    numbered = (
        insert(Counter)
        .values(name=SALE_COUNTER, value=1)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
        .returning(Counter.value)
        .cte("numbered")
    )
    given_sale = select(
        bindparam("sale_unit_id", type_=BigInteger),
        _number(bindparam("sale_year", type_=Integer), numbered.c.value),
        bindparam("sale_entry_id", type_=BigInteger),
        bindparam("sale_member_id", type_=BigInteger),
        bindparam("sale_method", type_=Sale.__table__.c.method.type),
        bindparam("sale_total", type_=BigInteger),
        bindparam("sale_sold_on", type_=Date),
        bindparam("sale_officer_name", type_=String),
        bindparam("sale_created_at", type_=DateTime(timezone=True)),
    ).select_from(numbered)
    columns = ["unit_id", "number", "entry_id", "member_id", "method", "total", "sold_on"]
    sale = (
        insert(Sale)
        .from_select([*columns, "officer_name", "created_at"], given_sale)
        .returning(Sale.id, Sale.number)
        .cte("sale")
    )
    given = (
        select(
            func.unnest(
                *(bindparam(name, type_=ARRAY(kind)) for name, (_, kind) in LINE_ARRAYS.items())
            )
            .table_valued(*LINE_FIELDS, with_ordinality="position")
            .render_derived(name="line")
        )
    ).cte("given")
    lines = insert(SaleLine).from_select(
        [*LINE_FIELDS, "sale_id"],
        select(*(given.c[field] for field in LINE_FIELDS), sale.c.id)
        .select_from(sale.join(given, true()))
        .order_by(given.c.position),  # the lines' ids keep the cart's order
    )
    stock = (
        update(GeraiProduct)
        .where(GeraiProduct.id == given.c.product_id)  # a merged cart names each product once
        .values(
            on_hand=GeraiProduct.on_hand - given.c.quantity,
            stock_value=GeraiProduct.stock_value - given.c.cost,
        )
    )
    moved = insert(StockMovement).from_select(
        ["product_id", "kind", "quantity", "value", "moved_on", "sale_id"],
        select(
            given.c.product_id,
            literal(MovementKind.SOLD, StockMovement.__table__.c.kind.type),
            -given.c.quantity,
            -given.c.cost,
            bindparam("sale_sold_on", type_=Date),
            sale.c.id,
        )
        .select_from(sale.join(given, true()))
        .where(given.c.product_id.is_not(None)),
    )
    return select(sale.c.id, sale.c.number).add_cte(
        lines.cte("lines"), stock.cte("stock"), moved.cte("moved")
    )


def _number(year: ColumnElement[int], value: ColumnElement[int]) -> ColumnElement[str]:
    """``rules.sale_number`` in SQL: ``NJ-<year>-<number>`` with at least six digits."""
    digits = cast(value, Text)
    return (
        literal("NJ-")
        + cast(year, Text)
        + "-"
        + func.lpad(digits, func.greatest(6, func.length(digits)), "0")
    )


RECORDING = _recording_statement()


def _check_checkout(checkout: Checkout) -> None:
    if not checkout.lines:
        raise GeraiError("no_lines")
    if checkout.method is SaleMethod.CREDIT and checkout.member is None:
        raise GeraiError("credit_to_public")
    if checkout.member is not None and checkout.member.status != MemberStatus.ACTIVE:
        raise GeraiError("member_left")
    for line in checkout.lines:
        check_quantity(line.quantity)
        if line.product_id is None and not 0 < line.price <= MAX_PRICE:
            raise GeraiError("bad_price")


def _sale_line(
    session: Session, unit_id: int, line: CartLine, products: dict[int, GeraiProduct]
) -> SaleLine:
    """The line as sold: a product at its price and its cost at moving average. The unit's
    settings are read only for a line beyond the stock on hand, so most sales never ask."""
    if line.product_id is None:
        description = line.description.strip()[:120] or "-"
        return SaleLine(
            description=description,
            quantity=line.quantity,
            price=line.price,
            cost=0,
            consignor_share=0,
        )
    product = products[line.product_id]
    if not product.is_active:
        raise GeraiError("inactive_product", name=product.name)
    if line.quantity > product.on_hand and (
        product.consignor_id is not None or not get_settings(session, unit_id).allow_negative_stock
    ):
        # A consignor's goods are only what they brought: none can be sold ahead of them.
        raise GeraiError("out_of_stock", name=product.name, on_hand=product.on_hand)
    if product.consignor_id is not None:
        return SaleLine(
            product_id=product.id,
            description=product.name,
            quantity=line.quantity,
            price=product.price,
            cost=0,
            consignor_id=product.consignor_id,
            consignor_share=line.quantity * (product.price - product.consignment_fee),
        )
    return SaleLine(
        product_id=product.id,
        description=product.name,
        quantity=line.quantity,
        price=product.price,
        cost=cost_of(product.on_hand, product.stock_value, line.quantity, product.cost),
        consignor_share=0,
    )


def _first_sale(session: Session, key: uuid.UUID) -> Sale:
    """The sale first posted under ``key``; its entry without one is a sale still on its way."""
    if (first := find_sale_by_key(session, key)) is None:
        raise GeraiError("retry_pending")
    return first


def _post_sale(session: Session, checkout: Checkout, sold: Sequence[SaleLine]) -> PostResult:
    """Money in; the cooperative's own goods as sales revenue (at cost against inventory), a
    consignor's goods as what is owed to them and the cooperative's fee on them."""
    member_id = checkout.member.id if checkout.member else None
    total = sum(line.amount for line in sold)
    cost = sum(line.cost for line in sold)
    owed = sum(line.consignor_share for line in sold)
    fees = sum(line.amount - line.consignor_share for line in sold if line.consignor_id)
    money = ledger.account_by_role(session, checkout.method.account_role)
    receivable_of = member_id if checkout.method is SaleMethod.CREDIT else None
    lines = [Line(money.id, debit=total, member_id=receivable_of)]
    if own := total - owed - fees:
        role = "sales_members" if member_id else "sales_non_members"
        lines.append(
            Line(ledger.account_by_role(session, role).id, credit=own, member_id=member_id)
        )
    if fees:
        fee_account = ledger.account_by_role(session, "consignment_fees")
        lines.append(Line(fee_account.id, credit=fees, member_id=member_id))
    if owed:
        lines.append(Line(ledger.account_by_role(session, "consignment_held").id, credit=owed))
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
    )


def find_sale_by_key(session: Session, key: uuid.UUID) -> Sale | None:
    """The sale posted under an idempotency key, if any."""
    return session.scalar(
        select(Sale)
        .join(JournalEntry, JournalEntry.id == Sale.entry_id)
        .where(JournalEntry.idempotency_key == key)
    )


# -- the day's closing ----------------------------------------------------------------------------


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
    """The day's cash sales at the unit less the cash handed back that day for sales it
    reversed (rupiah): what the till should hold."""
    cash = Sale.unit_id == unit_id, Sale.method == SaleMethod.CASH
    taken = select(func.coalesce(func.sum(Sale.total), 0)).where(*cash, Sale.sold_on == day)
    refunded = (
        select(func.coalesce(func.sum(Sale.total), 0))
        .join(SaleReversal, SaleReversal.sale_id == Sale.id)
        .where(*cash, SaleReversal.reversed_on == day)
    )
    return int(session.scalar(taken) or 0) - int(session.scalar(refunded) or 0)
