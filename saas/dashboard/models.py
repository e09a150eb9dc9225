"""The platform's summary row per tenant, so national pages never read across tenant schemas."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import PlatformBase
from saas.tenants.models import utcnow


class TenantSummary(PlatformBase):
    """What the national directory and dashboard need to know of one cooperative."""

    __tablename__ = "tenant_summaries"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    content_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    running_units: Mapped[int] = mapped_column(Integer, default=0)
    members: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # active ones
    completeness: Mapped[int] = mapped_column(Integer, default=0)
    # The latest published book year's headline figures (none until one is published).
    report_year: Mapped[int | None] = mapped_column(SmallInteger)
    report_assets: Mapped[int | None] = mapped_column(BigInteger)
    report_result: Mapped[int | None] = mapped_column(BigInteger)
    report_shu: Mapped[int | None] = mapped_column(BigInteger)
    # The last annual members' meeting (RAT) held: its book year and day (none until one closes).
    rat_year: Mapped[int | None] = mapped_column(SmallInteger)
    rat_held_on: Mapped[date | None] = mapped_column(Date)
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Nudge(PlatformBase):
    """A reminder sent to a cooperative (admins see who was nudged, and when)."""

    __tablename__ = "nudges"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
