"""The members' register, in each tenant's schema."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Identity, String
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import TenantBase, value_enum
from saas.tenants.models import utcnow


class MemberStatus(enum.StrEnum):
    ACTIVE = "active"
    LEFT = "left"


class Gender(enum.StrEnum):
    MALE = "L"
    FEMALE = "P"


class Member(TenantBase):
    """An anggota. The NIK and the KTP photo are sensitive personal data (UU 27/2022)."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    gender: Mapped[Gender | None] = mapped_column(value_enum(Gender, "gender", native=False))
    birth_date: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(String(300))
    village: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    join_date: Mapped[date] = mapped_column(Date)
    status: Mapped[MemberStatus] = mapped_column(
        value_enum(MemberStatus, "member_status", native=False), default=MemberStatus.ACTIVE
    )
    left_on: Mapped[date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(String(300))
    ktp_photo_key: Mapped[str | None] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Counter(TenantBase):
    """Gap-free running numbers (member numbers, receipts), taken under a row lock."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
