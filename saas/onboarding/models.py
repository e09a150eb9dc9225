"""A cooperative's self-registration, kept in the platform database until it becomes a tenant."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Identity, String
from sqlalchemy.orm import Mapped, mapped_column

from saas.accounts.roles import Role
from saas.db import PlatformBase, value_enum
from saas.tenants.models import utcnow


class RegistrationStatus(enum.StrEnum):
    DRAFT = "draft"
    FINISHED = "finished"


class Registration(PlatformBase):
    """One sign-up in progress: every wizard step is saved here as it is completed."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    # What the visitor's session holds to resume; never the sequential id.
    public_id: Mapped[str] = mapped_column(
        String(36), unique=True, default=lambda: str(uuid.uuid4())
    )
    status: Mapped[RegistrationStatus] = mapped_column(
        value_enum(RegistrationStatus, "registration_status"),
        default=RegistrationStatus.DRAFT,
    )
    step: Mapped[int] = mapped_column(default=0)  # the last step completed (0-3)
    region_code: Mapped[str | None] = mapped_column(String(13), index=True)
    # Set when the village already had a cooperative: flagged to the admins, not refused.
    same_village_tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="SET NULL")
    )
    cooperative_name: Mapped[str | None] = mapped_column(String(200))
    slug: Mapped[str | None] = mapped_column(String(40))
    sk_ahu_number: Mapped[str | None] = mapped_column(String(100))
    sk_ahu_date: Mapped[date | None] = mapped_column(Date)
    npwp: Mapped[str | None] = mapped_column(String(16))
    nib: Mapped[str | None] = mapped_column(String(13))
    nik_koperasi: Mapped[str | None] = mapped_column(String(20))
    officer_name: Mapped[str | None] = mapped_column(String(120))
    officer_role: Mapped[Role | None] = mapped_column(value_enum(Role, "user_role", native=False))
    officer_email: Mapped[str | None] = mapped_column(String(254))
    officer_phone: Mapped[str | None] = mapped_column(String(20))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
