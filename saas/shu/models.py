"""SHU allocations and the bylaws' split, in each tenant's schema. The money itself is posted to
the ledger; these rows keep what was decided, for the members' view and the reports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    SmallInteger,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.db import TenantBase
from saas.tenants.models import utcnow


class ShuSplit(TenantBase):
    """The bylaws' percentages per fund (``saas.shu.rules.FUNDS``); one row, summing to 100."""

    __tablename__ = "shu_split"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1, autoincrement=False)
    percentages: Mapped[dict[str, int]] = mapped_column(JSONB)


class ShuAllocation(TenantBase):
    """One book year's SHU as shared out: its figures, the journal entry that posted it and,
    once paid, the entry that credited the members' shares to their voluntary savings. A
    cancelled allocation (its entry reversed) stays on record; a year has one live allocation."""

    __tablename__ = "shu_allocations"
    __table_args__ = (
        Index(
            "uq_shu_allocations_live_year",
            "year",
            unique=True,
            postgresql_where=text("cancelled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    shu: Mapped[int] = mapped_column(BigInteger)  # the year's result
    revenue: Mapped[int] = mapped_column(BigInteger)
    member_revenue: Mapped[int] = mapped_column(BigInteger)  # revenue recorded against members
    percentages: Mapped[dict[str, int]] = mapped_column(JSONB)
    funds: Mapped[dict[str, int]] = mapped_column(JSONB)  # rupiah per fund, as posted
    decided_on: Mapped[date] = mapped_column(Date)  # the members' meeting (RAT): the entry's date
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    paid_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    shares: Mapped[list[ShuShare]] = relationship(
        order_by="ShuShare.member_id", back_populates="allocation"
    )

    @property
    def members_total(self) -> int:
        return self.funds.get("jasa_usaha", 0) + self.funds.get("jasa_modal", 0)


class ShuShare(TenantBase):
    """One member's part of an allocation: the bases and the two shares in rupiah."""

    __tablename__ = "shu_shares"
    __table_args__ = (UniqueConstraint("allocation_id", "member_id"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    allocation_id: Mapped[int] = mapped_column(
        ForeignKey("shu_allocations.id", ondelete="RESTRICT")
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    transactions: Mapped[int] = mapped_column(BigInteger)  # Va
    savings: Mapped[int] = mapped_column(BigInteger)  # Sa: pokok + wajib at the year's end
    jasa_usaha: Mapped[int] = mapped_column(BigInteger)
    jasa_modal: Mapped[int] = mapped_column(BigInteger)

    allocation: Mapped[ShuAllocation] = relationship(back_populates="shares")

    @property
    def total(self) -> int:
        return self.jasa_usaha + self.jasa_modal
