"""A business unit's products, stock movements, sales and day closings, in each tenant's schema.

Stock is kept on the product (quantity on hand and its value at moving-average cost) and every
change is a stock movement that is never changed or deleted; each movement's value is posted to
the inventory account in the same journal entry. The database refuses a movement of nothing, a
sale line at no price, and credit to anyone but a member (``GERAI_GUARDS``).
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    exists,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from saas.db import TenantBase, create_guards_with, value_enum
from saas.savings.models import RANDOM_HEX_SQL
from saas.tenants.models import utcnow

MAX_QUANTITY = 100_000  # on one line: more is a typing slip at a village shop's counter
MAX_PRICE = 1_000_000_000  # Rp1 billion for one item


class SaleMethod(enum.StrEnum):
    CASH = "cash"
    QRIS = "qris"
    TRANSFER = "transfer"
    CREDIT = "credit"  # a member's receivable, paid later

    @property
    def account_role(self) -> str:
        """Cash to the till, QRIS and transfers to the bank, credit to the members' receivables."""
        return {"cash": "cash", "credit": "trade_receivables"}.get(self.value, "bank")


class SupplierPayment(enum.StrEnum):
    CASH = "cash"
    BANK = "bank"
    PAYABLE = "payable"  # owed to the supplier

    @property
    def account_role(self) -> str:
        return "trade_payables" if self is SupplierPayment.PAYABLE else self.value


class MovementKind(enum.StrEnum):
    RECEIVED = "received"
    SOLD = "sold"
    COUNTED = "counted"  # the difference a stock count found
    CONSIGNED = "consigned"  # a consignor's goods brought in: theirs, so of no value to the books
    RETURNED = "returned"  # a consignor's unsold goods taken back
    UNSOLD = "unsold"  # a reversed sale's goods back on the shelf, at the cost they left at


class GeraiSettings(TenantBase):
    """How one business unit sells: whether it may sell goods it has not received yet."""

    __tablename__ = "gerai_settings"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("business_units.id", ondelete="CASCADE"), primary_key=True
    )
    allow_negative_stock: Mapped[bool] = mapped_column(Boolean, default=False)


class GeraiProduct(TenantBase):
    """A product one unit sells, with its stock on hand at moving-average cost (rupiah)."""

    __tablename__ = "gerai_products"
    __table_args__ = (
        UniqueConstraint("unit_id", "code"),
        CheckConstraint(
            f"price > 0 AND price <= {MAX_PRICE} AND cost >= 0 AND cost <= {MAX_PRICE}",
            name="prices",
        ),
        CheckConstraint("low_stock >= 0", name="low_stock_not_negative"),
        # A consignor's goods are theirs: no cost and no stock value in the books, and the
        # cooperative's fee is never more than the price the item sells at.
        CheckConstraint(
            "(consignor_id IS NULL AND consignment_fee = 0) OR (consignor_id IS NOT NULL AND "
            "consignment_fee >= 0 AND consignment_fee <= price AND cost = 0 AND stock_value = 0)",
            name="consignment",
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("business_units.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(40))  # the barcode, or the shop's own code
    name: Mapped[str] = mapped_column(String(120))
    measure: Mapped[str] = mapped_column(String(20))  # "pcs", "kg", "karung"
    price: Mapped[int] = mapped_column(BigInteger)  # selling price per unit of measure
    cost: Mapped[int] = mapped_column(BigInteger)  # cost per unit when there is no stock to value
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    low_stock: Mapped[int] = mapped_column(Integer, default=0)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    stock_value: Mapped[int] = mapped_column(BigInteger, default=0)  # rupiah, moving average
    consignor_id: Mapped[int | None] = mapped_column(
        ForeignKey("gerai_consignors.id", ondelete="RESTRICT"), index=True
    )
    consignment_fee: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    @property
    def average_cost(self) -> int:
        """Rupiah per unit of the stock on hand; the product's cost when there is none."""
        if self.on_hand > 0 and self.stock_value > 0:
            return round(self.stock_value / self.on_hand)
        return self.cost


class Consignor(TenantBase):
    """Someone whose goods a unit sells for them (titip jual): a member, or a named outsider."""

    __tablename__ = "gerai_consignors"
    __table_args__ = (CheckConstraint("btrim(name) <> ''", name="named"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("business_units.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    phone: Mapped[str] = mapped_column(String(20), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Consignment(TenantBase):
    """A consignor's goods brought in, or their unsold goods taken back: its lines are stock
    movements of no value; made once per form (``idempotency_key``)."""

    __tablename__ = "gerai_consignments"
    __table_args__ = (CheckConstraint("kind IN ('consigned', 'returned')", name="kind"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    consignor_id: Mapped[int] = mapped_column(
        ForeignKey("gerai_consignors.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[MovementKind] = mapped_column(
        value_enum(MovementKind, "movement_kind", native=False)
    )
    moved_on: Mapped[date] = mapped_column(Date)
    idempotency_key: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsignmentSettlement(TenantBase):
    """What a consignor's sold goods earned, paid to them once: each sale line it pays is
    named in ``gerai_consignment_settled_lines``, where a line can stand only once."""

    __tablename__ = "gerai_consignment_settlements"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    consignor_id: Mapped[int] = mapped_column(
        ForeignKey("gerai_consignors.id", ondelete="RESTRICT"), index=True
    )
    settled_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SettledLine(TenantBase):
    """A sale line of consigned goods paid to its consignor by a settlement."""

    __tablename__ = "gerai_consignment_settled_lines"

    sale_line_id: Mapped[int] = mapped_column(
        ForeignKey("gerai_sale_lines.id", ondelete="RESTRICT"), primary_key=True
    )
    settlement_id: Mapped[int] = mapped_column(
        ForeignKey("gerai_consignment_settlements.id", ondelete="RESTRICT"), index=True
    )


class GoodsReceipt(TenantBase):
    """Goods received from a supplier: its lines are stock movements, posted as one entry."""

    __tablename__ = "gerai_goods_receipts"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("business_units.id", ondelete="RESTRICT"))
    supplier: Mapped[str] = mapped_column(String(120))
    received_on: Mapped[date] = mapped_column(Date)
    payment: Mapped[SupplierPayment] = mapped_column(
        value_enum(SupplierPayment, "supplier_payment", native=False)
    )
    total: Mapped[int] = mapped_column(BigInteger)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Sale(TenantBase):
    """A sale at a unit's counter with its receipt (nota): numbered without gaps for people, a
    token for the check page. Credit is for members only."""

    __tablename__ = "gerai_sales"
    __table_args__ = (
        CheckConstraint("token ~ '^[0-9a-f]{32}$'", name="token_shape"),
        CheckConstraint("total > 0", name="total_positive"),
        CheckConstraint("method <> 'credit' OR member_id IS NOT NULL", name="credit_to_members"),
        Index("ix_gerai_sales_unit_sold_on", "unit_id", "sold_on"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("business_units.id", ondelete="RESTRICT"))
    number: Mapped[str] = mapped_column(String(30), unique=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, server_default=text(RANDOM_HEX_SQL))
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    method: Mapped[SaleMethod] = mapped_column(value_enum(SaleMethod, "sale_method", native=False))
    total: Mapped[int] = mapped_column(BigInteger)
    sold_on: Mapped[date] = mapped_column(Date)
    officer_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    lines: Mapped[list[SaleLine]] = relationship(order_by="SaleLine.id")
    reversal: Mapped[SaleReversal | None] = relationship(viewonly=True)


class SaleLine(TenantBase):
    """One line of a sale: a product, or a free amount (no product), at a positive price."""

    __tablename__ = "gerai_sale_lines"
    __table_args__ = (
        CheckConstraint(
            f"quantity > 0 AND quantity <= {MAX_QUANTITY} AND price > 0 AND price <= {MAX_PRICE}",
            name="positive",
        ),
        CheckConstraint(
            "(consignor_id IS NULL AND consignor_share = 0) OR (consignor_id IS NOT NULL AND "
            "consignor_share >= 0 AND consignor_share <= quantity * price)",
            name="consignor_share",
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    sale_id: Mapped[int] = mapped_column(
        ForeignKey("gerai_sales.id", ondelete="RESTRICT"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("gerai_products.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(BigInteger)
    cost: Mapped[int] = mapped_column(BigInteger, default=0)  # of the whole line, rupiah
    # Consigned goods: whose they were and what of the line is owed to them (the rest is the
    # cooperative's fee).
    consignor_id: Mapped[int | None] = mapped_column(
        ForeignKey("gerai_consignors.id", ondelete="RESTRICT"), index=True
    )
    consignor_share: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    @property
    def amount(self) -> int:
        return self.quantity * self.price


class SaleReversal(TenantBase):
    """A sale taken back once, with the reason: its entry reversed, its goods back in stock.

    The database checks that the entry reverses the sale's own entry, and that no line of the
    sale has been paid to its consignor (``SALE_REVERSAL_CHECKED``)."""

    __tablename__ = "gerai_sale_reversals"
    __table_args__ = (CheckConstraint("btrim(reason) <> ''", name="reason_given"),)

    sale_id: Mapped[int] = mapped_column(
        ForeignKey("gerai_sales.id", ondelete="RESTRICT"), primary_key=True
    )
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    reversed_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    officer_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def sale_not_reversed() -> ColumnElement[bool]:
    """Whether no reversal took a sale back: the unit's reports and settlements count only these."""
    return ~exists().where(SaleReversal.sale_id == Sale.id)


class StockCount(TenantBase):
    """A unit's stock counted on a day: each difference is a movement, posted as one entry
    against the account the count names (cost of goods sold or other expenses)."""

    __tablename__ = "gerai_stock_counts"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("business_units.id", ondelete="RESTRICT"))
    counted_on: Mapped[date] = mapped_column(Date)
    against_role: Mapped[str] = mapped_column(String(30))
    difference: Mapped[int] = mapped_column(BigInteger)  # rupiah: found minus missing
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    # The form's key: a count that found no difference posts no entry, and is still made once.
    idempotency_key: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StockMovement(TenantBase):
    """One change of a product's stock, with its value at cost (rupiah, signed like the
    quantity). Written once: corrections are new movements."""

    __tablename__ = "gerai_stock_movements"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        CheckConstraint(
            "(kind = 'received') = (receipt_id IS NOT NULL) AND (kind IN ('sold', 'unsold')) = "
            "(sale_id IS NOT NULL) AND (kind = 'counted') = (count_id IS NOT NULL)",
            name="one_source",
        ),
        CheckConstraint(
            "(kind IN ('consigned', 'returned')) = (consignment_id IS NOT NULL) AND "
            "(kind NOT IN ('consigned', 'returned') OR value = 0)",
            name="consigned_of_no_value",
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("gerai_products.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[MovementKind] = mapped_column(
        value_enum(MovementKind, "movement_kind", native=False)
    )
    quantity: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(BigInteger)
    moved_on: Mapped[date] = mapped_column(Date)
    receipt_id: Mapped[int | None] = mapped_column(
        ForeignKey("gerai_goods_receipts.id", ondelete="RESTRICT"), index=True
    )
    sale_id: Mapped[int | None] = mapped_column(
        ForeignKey("gerai_sales.id", ondelete="RESTRICT"), index=True
    )
    count_id: Mapped[int | None] = mapped_column(
        ForeignKey("gerai_stock_counts.id", ondelete="RESTRICT"), index=True
    )
    consignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("gerai_consignments.id", ondelete="RESTRICT"), index=True
    )


class DayClosing(TenantBase):
    """A unit's day closed: the cash counted against that day's cash sales; a difference is
    posted (a shortfall as an expense, a surplus as other income)."""

    __tablename__ = "gerai_day_closings"
    __table_args__ = (UniqueConstraint("unit_id", "closed_on"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("business_units.id", ondelete="RESTRICT"))
    closed_on: Mapped[date] = mapped_column(Date)
    expected: Mapped[int] = mapped_column(BigInteger)
    counted: Mapped[int] = mapped_column(BigInteger)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def difference(self) -> int:
        return self.counted - self.expected


# -- the database's own guards -------------------------------------------------------------------
# Stock movements, sales and their lines are the shop's records: never changed or removed. The
# function reads no table, so it needs no search_path of its own.

RECORD_KEPT = """
CREATE OR REPLACE FUNCTION {schema}.gerai_record_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the shop''s records are never changed: record a correction'
        USING ERRCODE = 'restrict_violation';
END $$;
"""


def kept(table: str) -> str:
    """Triggers refusing any UPDATE, DELETE or TRUNCATE of ``table``."""
    return f"""
CREATE TRIGGER {table}_kept BEFORE UPDATE OR DELETE ON {{schema}}.{table}
    FOR EACH ROW EXECUTE FUNCTION {{schema}}.gerai_record_kept();
CREATE TRIGGER {table}_truncate BEFORE TRUNCATE ON {{schema}}.{table}
    FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.gerai_record_kept();
"""


# The function comes with each table that may be created first: sales come before their lines
# and the movements, but consignments and settlements may come before sales.
create_guards_with(Sale.__table__, RECORD_KEPT + kept("gerai_sales"))
create_guards_with(SaleLine.__table__, kept("gerai_sale_lines"))
create_guards_with(StockMovement.__table__, kept("gerai_stock_movements"))
create_guards_with(Consignment.__table__, RECORD_KEPT + kept("gerai_consignments"))
create_guards_with(
    ConsignmentSettlement.__table__, RECORD_KEPT + kept("gerai_consignment_settlements")
)
create_guards_with(SettledLine.__table__, kept("gerai_consignment_settled_lines"))

# A reversal names the entry that reverses the sale's own, and a sale with a line paid to its
# consignor stays (the money has left); a line of a reversed sale is never paid. Both sides
# check, so neither order of two officers' commits lets both through; the operations lock the
# consignor first, so the second is refused with a message rather than by this guard.
SALE_REVERSAL_CHECKED = """
CREATE OR REPLACE FUNCTION {schema}.gerai_sale_reversal_checked() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
BEGIN
    IF TG_TABLE_NAME = 'gerai_sale_reversals' THEN
        IF NOT EXISTS (
            SELECT FROM gerai_sales s JOIN journal_entries e ON e.reverses_id = s.entry_id
            WHERE s.id = NEW.sale_id AND e.id = NEW.entry_id
        ) THEN
            RAISE EXCEPTION 'sale % is reversed only by the reversal of its own entry',
                NEW.sale_id USING ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (
            SELECT FROM gerai_sale_lines l JOIN gerai_consignment_settled_lines p
                ON p.sale_line_id = l.id
            WHERE l.sale_id = NEW.sale_id
        ) THEN
            RAISE EXCEPTION 'sale % has a line paid to its consignor', NEW.sale_id
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF EXISTS (
        SELECT FROM gerai_sale_lines l JOIN gerai_sale_reversals r ON r.sale_id = l.sale_id
        WHERE l.id = NEW.sale_line_id
    ) THEN
        RAISE EXCEPTION 'sale line % was reversed: nothing is owed for it', NEW.sale_line_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
"""
REVERSAL_CHECKED = """
CREATE TRIGGER gerai_sale_reversals_checked BEFORE INSERT ON {schema}.gerai_sale_reversals
    FOR EACH ROW EXECUTE FUNCTION {schema}.gerai_sale_reversal_checked();
"""
SETTLED_LINE_CHECKED = """
CREATE TRIGGER gerai_consignment_settled_lines_not_reversed
    BEFORE INSERT ON {schema}.gerai_consignment_settled_lines
    FOR EACH ROW EXECUTE FUNCTION {schema}.gerai_sale_reversal_checked();
"""
# The function comes with whichever of the two tables is created first.
create_guards_with(
    SaleReversal.__table__,
    RECORD_KEPT + kept("gerai_sale_reversals") + SALE_REVERSAL_CHECKED + REVERSAL_CHECKED,
)
create_guards_with(SettledLine.__table__, SALE_REVERSAL_CHECKED + SETTLED_LINE_CHECKED)
