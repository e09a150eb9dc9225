"""Microsite content, in each tenant's schema."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Numeric,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.db import TenantBase, value_enum
from saas.tenants.models import utcnow


class Position(enum.StrEnum):
    KETUA = "ketua"
    WAKIL_KETUA_USAHA = "wakil_ketua_usaha"
    WAKIL_KETUA_ANGGOTA = "wakil_ketua_anggota"
    SEKRETARIS = "sekretaris"
    BENDAHARA = "bendahara"
    KETUA_PENGAWAS = "ketua_pengawas"
    ANGGOTA_PENGAWAS = "anggota_pengawas"


class UnitKind(enum.StrEnum):
    """The seven mandated units first, then common extras, then anything else."""

    KANTOR = "kantor"
    SEMBAKO = "sembako"
    SIMPAN_PINJAM = "simpan_pinjam"
    KLINIK = "klinik"
    APOTEK = "apotek"
    GUDANG = "gudang"
    LOGISTIK = "logistik"
    LPG = "lpg"
    PUPUK = "pupuk"
    AGEN_BANK = "agen_bank"
    PPOB = "ppob"
    LAINNYA = "lainnya"


class UnitStatus(enum.StrEnum):
    PLANNED = "planned"
    RUNNING = "running"


class Edited:
    """Microsite rows carry when they last changed: the page shows "last updated N days ago"."""

    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class CooperativeProfile(Edited, TenantBase):
    """The one profile row of the cooperative (id is always 1)."""

    __tablename__ = "profile"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1, autoincrement=False)
    vision: Mapped[str | None] = mapped_column(String(2000))
    mission: Mapped[str | None] = mapped_column(String(4000))
    # Potensi desa: what the village produces and could sell (harvests, crafts, tourism).
    village_potential: Mapped[str | None] = mapped_column(String(4000))
    address: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    phone: Mapped[str | None] = mapped_column(String(20))
    whatsapp: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    logo_key: Mapped[str | None] = mapped_column(String(120))
    sk_ahu_number: Mapped[str | None] = mapped_column(String(100))
    sk_ahu_date: Mapped[date | None] = mapped_column(Date)
    npwp: Mapped[str | None] = mapped_column(String(16))
    nib: Mapped[str | None] = mapped_column(String(13))
    nik_koperasi: Mapped[str | None] = mapped_column(String(20))


class BoardMember(Edited, TenantBase):
    """A member of the board: pengurus (officers) or pengawas (supervisors)."""

    __tablename__ = "board_members"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    position: Mapped[Position] = mapped_column(value_enum(Position, "position", native=False))
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    # Juklak rules the platform warns about (never blocks): officials and relatives on the board.
    is_village_official: Mapped[bool] = mapped_column(Boolean, default=False)
    is_related_to_board: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_key: Mapped[str | None] = mapped_column(String(120))


class BusinessUnit(Edited, TenantBase):
    """A line of business: one of the mandated units, a common extra, or the cooperative's own."""

    __tablename__ = "business_units"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    kind: Mapped[UnitKind] = mapped_column(value_enum(UnitKind, "unit_kind", native=False))
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[UnitStatus] = mapped_column(
        value_enum(UnitStatus, "unit_status", native=False), default=UnitStatus.PLANNED
    )
    description: Mapped[str | None] = mapped_column(String(2000))
    opening_hours: Mapped[str | None] = mapped_column(String(120))
    photo_key: Mapped[str | None] = mapped_column(String(120))


class NewsPost(Edited, TenantBase):
    """Berita kegiatan: what the cooperative did, told by its officers."""

    __tablename__ = "news_posts"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(20000))  # as typed; shown through sanitize_news_body
    published_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    photos: Mapped[list[NewsPhoto]] = relationship(
        order_by="NewsPhoto.id", cascade="all, delete-orphan", passive_deletes=True
    )


class NewsPhoto(TenantBase):
    """A photo of a news post, in the order it was added."""

    __tablename__ = "news_photos"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("news_posts.id", ondelete="CASCADE"), index=True
    )
    photo_key: Mapped[str] = mapped_column(String(120))


class Product(Edited, TenantBase):
    """Something for sale: the cooperative's own goods or members' goods on consignment."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(String(2000))
    price: Mapped[int | None] = mapped_column(BigInteger)  # rupiah
    unit: Mapped[str | None] = mapped_column(String(40))  # "per kg", "per karung"
    seller: Mapped[str | None] = mapped_column(String(120))  # a member, for consignment goods
    is_available: Mapped[bool] = mapped_column(Boolean, default=True)
    photo_key: Mapped[str | None] = mapped_column(String(120))
