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
)
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import TenantBase, value_enum
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


class Receipt(TenantBase):
    """A kuitansi for one savings movement; the number runs without gaps."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
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


class Bill(TenantBase):
    """A tagihan: savings of one kind due for one month from the members it lists."""

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


class BillItem(TenantBase):
    """One member's share of a bill; paid when it points at its receipt."""

    __tablename__ = "bill_items"
    __table_args__ = (UniqueConstraint("bill_id", "member_id"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id", ondelete="RESTRICT"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    receipt_id: Mapped[int | None] = mapped_column(
        ForeignKey("receipts.id", ondelete="RESTRICT"), unique=True
    )
