"""The cooperative's QRIS code, in each tenant's schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import TenantBase
from saas.tenants.models import utcnow

PAYLOAD_MAX = 512  # EMVCo's limit for a merchant-presented payload


class QrisSetting(TenantBase):
    """The static QRIS payload the cooperative's bank gave it, and the merchant read from it;
    one row. Bills show a dynamic code derived from it, with their exact amount."""

    __tablename__ = "qris_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        # A static code (Payload Format 01, Point of Initiation 11): the amount is added per bill.
        CheckConstraint("left(payload, 12) = '000201010211'", name="static_payload"),
        CheckConstraint("nmid <> ''", name="nmid_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1, autoincrement=False)
    payload: Mapped[str] = mapped_column(String(PAYLOAD_MAX))
    merchant_name: Mapped[str] = mapped_column(String(25))
    merchant_city: Mapped[str] = mapped_column(String(15))
    nmid: Mapped[str] = mapped_column(String(40))
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
