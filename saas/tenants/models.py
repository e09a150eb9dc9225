"""The tenant registry, kept in the platform database's ``public`` schema."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Identity, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.db import PlatformBase, value_enum


def utcnow() -> datetime:
    return datetime.now(UTC)


class TenantStatus(enum.StrEnum):
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    FAILED = "failed"


class DomainKind(enum.StrEnum):
    SUBDOMAIN = "subdomain"
    CUSTOM = "custom"


class Tenant(PlatformBase):
    """A cooperative: which shard and schema hold its data, and its lifecycle state."""

    __tablename__ = "tenants"
    __table_args__ = (
        # A failed provisioning keeps its row for the record but frees the slug.
        Index(
            "uq_tenants_live_slug",
            "slug",
            unique=True,
            postgresql_where=text("status <> 'failed'"),
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(String(40))
    display_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[TenantStatus] = mapped_column(
        value_enum(TenantStatus, "tenant_status"),
        default=TenantStatus.PROVISIONING,
    )
    shard: Mapped[str] = mapped_column(String(40))
    schema_name: Mapped[str | None] = mapped_column(String(63), unique=True)
    schema_revision: Mapped[str | None] = mapped_column(String(32), index=True)
    default_locale: Mapped[str] = mapped_column(String(8), default="id")
    # The village (dotted kode wilayah) the cooperative serves; national figures group by it.
    region_code: Mapped[str | None] = mapped_column(String(13), index=True)
    # "Desa X, Kec. Y, Kabupaten Z, Province", kept with the tenant so pages need no look-up.
    region_label: Mapped[str | None] = mapped_column(String(300))
    # Set while KODE Indonesia's verification stands (the microsite's badge reads it).
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    suspended_reason: Mapped[str | None] = mapped_column(Text)
    # The shard the cooperative's data is being copied to (tenants move): read-only meanwhile.
    moving_to: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    domains: Mapped[list[TenantDomain]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.status == TenantStatus.ACTIVE

    def __repr__(self) -> str:
        return f"<Tenant {self.id} {self.slug} {self.status}>"


class ShardLoad(PlatformBase):
    """How many live tenants each shard holds, kept with every registration (no count scans)."""

    __tablename__ = "shard_loads"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenants: Mapped[int] = mapped_column(Integer, default=0)


class TenantDomain(PlatformBase):
    """A host name that resolves to a tenant: its subdomain label, or a verified custom domain."""

    __tablename__ = "tenant_domains"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DomainKind] = mapped_column(value_enum(DomainKind, "domain_kind"))
    # For a subdomain, the label alone ("demo"), so BASE_DOMAIN can change; else the full host.
    host: Mapped[str] = mapped_column(String(253), unique=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    tenant: Mapped[Tenant] = relationship(back_populates="domains")
