"""Savings settings and receipts, in each tenant's schema. Balances live in the ledger."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from saas.db import TenantBase, create_guards_with, value_enum
from saas.ledger.models import JournalEntry
from saas.tenants.models import utcnow


class SavingsKind(enum.StrEnum):
    POKOK = "pokok"  # once, on joining
    WAJIB = "wajib"  # every period
    SUKARELA = "sukarela"  # any time, may be withdrawn

    @property
    def account_role(self) -> str:
        """The account new movements of this kind post to."""
        return f"savings_{self.value}"

    @property
    def account_roles(self) -> tuple[str, ...]:
        """Every account holding this kind: pokok and wajib count as equity or as liabilities
        (the cooperative's choice); the other classification's account keeps their history."""
        if self is SavingsKind.SUKARELA:
            return (self.account_role,)
        return (self.account_role, f"{self.account_role}_other")


# Every savings account's role, and the kind it holds.
SAVINGS_ROLES = {role: kind for kind in SavingsKind for role in kind.account_roles}


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    QRIS = "qris"
    TRANSFER = "transfer"

    @property
    def account_role(self) -> str:
        """Cash goes to the till; QRIS and transfers land in the bank account."""
        return "cash" if self is PaymentMethod.CASH else "bank"


class SavingsSettings(TenantBase):
    """The cooperative's own amounts (from its bylaws); one row."""

    __tablename__ = "savings_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1, autoincrement=False)
    pokok_amount: Mapped[int] = mapped_column(BigInteger, default=100_000)
    wajib_amount: Mapped[int] = mapped_column(BigInteger, default=10_000)
    # Interest on voluntary savings, in basis points a year (300 = 3%); 0: none is paid.
    sukarela_interest_bp: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")


class InterestRun(TenantBase):
    """A month's interest on voluntary savings, posted once as one entry."""

    __tablename__ = "savings_interest_runs"
    __table_args__ = (
        UniqueConstraint("year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int] = mapped_column(SmallInteger)
    rate_bp: Mapped[int] = mapped_column(SmallInteger)
    members: Mapped[int] = mapped_column(Integer)  # how many were paid
    gross: Mapped[int] = mapped_column(BigInteger)
    tax: Mapped[int] = mapped_column(BigInteger)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def net(self) -> int:
        return self.gross - self.tax


# A version 4 UUID as 32 hex digits: 122 bits from PostgreSQL's strong random source.
RANDOM_HEX_SQL = "replace(gen_random_uuid()::text, '-', '')"


class Receipt(TenantBase):
    """A kuitansi for one savings movement; the number runs without gaps.

    The number is for people and is guessable; the check page and its QR code use the token.
    """

    __tablename__ = "receipts"
    __table_args__ = (CheckConstraint("token ~ '^[0-9a-f]{32}$'", name="token_shape"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, server_default=text(RANDOM_HEX_SQL))
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[SavingsKind] = mapped_column(value_enum(SavingsKind, "savings_kind", native=False))
    method: Mapped[PaymentMethod] = mapped_column(
        value_enum(PaymentMethod, "payment_method", native=False)
    )
    is_withdrawal: Mapped[bool] = mapped_column(default=False)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    officer_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # The entry that cancelled the movement, if any: the receipt then reads as cancelled.
    reversal: Mapped[JournalEntry | None] = relationship(
        primaryjoin=lambda: foreign(JournalEntry.reverses_id) == Receipt.entry_id,
        viewonly=True,
        uselist=False,
    )


# A handed-out receipt is a document: its number, amount and token never change, and it is
# never deleted (a cancelled movement shows through its reversing entry instead).
RECEIPT_GUARDS = """
CREATE FUNCTION {schema}.receipt_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'receipts are never changed: reverse the entry of the movement'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER receipts_immutable BEFORE UPDATE OR DELETE ON {schema}.receipts
    FOR EACH ROW EXECUTE FUNCTION {schema}.receipt_immutable();
CREATE TRIGGER receipts_truncate BEFORE TRUNCATE ON {schema}.receipts
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.receipt_immutable();
"""


create_guards_with(Receipt.__table__, RECEIPT_GUARDS)


class Bill(TenantBase):
    """A month of principal or mandatory savings: the month the shares (``BillItem``) belong to.

    The row appears when the month is billed to every active member (``billed_at``) or when a
    member pays that month at the counter first (paid ahead, or before the treasurer billed it).
    """

    __tablename__ = "bills"
    __table_args__ = (
        UniqueConstraint("kind", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    kind: Mapped[SavingsKind] = mapped_column(value_enum(SavingsKind, "savings_kind", native=False))
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int] = mapped_column(SmallInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    billed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BillItem(TenantBase):
    """Member X's savings of one kind for month M: the one record every screen reads and
    settles (the counter, the bill's ticks, arrears, the member's own page). Paid when it points
    at its receipt; one receipt may pay several months. The database keeps it paid once
    (``DUES_DDL``): a paid share is never re-pointed or deleted, and goes back to unpaid only
    when its receipt's entry is reversed."""

    __tablename__ = "bill_items"
    __table_args__ = (UniqueConstraint("bill_id", "member_id"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="RESTRICT"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    receipt_id: Mapped[int | None] = mapped_column(
        ForeignKey("receipts.id", ondelete="RESTRICT"), index=True
    )


# -- the database's own guards -------------------------------------------------------------------
# As the ledger's: functions in the tenant's schema, run with their search_path set to it.

DUES_FUNCTIONS = """
CREATE FUNCTION {schema}.bill_item_paid_once() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    fits boolean;
    reversed boolean;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.receipt_id IS NOT NULL THEN
            RAISE EXCEPTION 'a paid share is never deleted' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.receipt_id IS NOT NULL THEN
        IF NEW.amount <> OLD.amount OR NEW.member_id <> OLD.member_id
                OR NEW.bill_id <> OLD.bill_id
                OR (NEW.receipt_id IS NOT NULL AND NEW.receipt_id <> OLD.receipt_id) THEN
            RAISE EXCEPTION 'share % is paid by receipt %', OLD.id, OLD.receipt_id
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.receipt_id IS NULL THEN
            reversed := EXISTS (SELECT FROM receipts r JOIN journal_entries e
                                ON e.reverses_id = r.entry_id WHERE r.id = OLD.receipt_id);
            IF NOT reversed THEN
                RAISE EXCEPTION 'share % stays paid until receipt % is reversed',
                    OLD.id, OLD.receipt_id USING ERRCODE = 'restrict_violation';
            END IF;
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.receipt_id IS NOT NULL THEN
        fits := EXISTS (SELECT FROM receipts r JOIN bills b ON b.id = NEW.bill_id
                        WHERE r.id = NEW.receipt_id AND r.member_id = NEW.member_id
                          AND r.kind = b.kind AND NOT r.is_withdrawal);
        IF NOT fits THEN
            RAISE EXCEPTION 'receipt % is not a deposit of this member''s savings of this kind',
                NEW.receipt_id USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION {schema}.bill_items_release_reversed() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
BEGIN
    -- A reversed deposit pays no month: its shares are owed again, whoever reversed it.
    UPDATE bill_items SET receipt_id = NULL
    WHERE receipt_id IN (SELECT id FROM receipts WHERE entry_id = NEW.reverses_id);
    RETURN NULL;
END $$;
"""

DUES_TRIGGERS = """
CREATE TRIGGER bill_items_paid_once BEFORE INSERT OR UPDATE OR DELETE ON {schema}.bill_items
    FOR EACH ROW EXECUTE FUNCTION {schema}.bill_item_paid_once();
CREATE TRIGGER journal_entries_release_shares AFTER INSERT ON {schema}.journal_entries
    FOR EACH ROW WHEN (NEW.reverses_id IS NOT NULL)
    EXECUTE FUNCTION {schema}.bill_items_release_reversed();
"""


create_guards_with(BillItem.__table__, DUES_FUNCTIONS + DUES_TRIGGERS)
