"""The national directory and dashboard: platform tables only, grouped by region code prefix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.orm import Mapped, Session

from saas import clock
from saas.dashboard.models import TenantSummary
from saas.regions.models import Region
from saas.tenants.models import Tenant, TenantStatus
from saas.verification.models import Application, VerificationStatus

ACTIVE_DAYS = 30


@dataclass(frozen=True)
class DirectoryEntry:
    tenant: Tenant
    running_units: int


@dataclass(frozen=True)
class RegionFigures:
    code: str
    name: str
    registered: int
    verified: int
    active: int
    waiting: int
    average_wait_days: float | None
    rat_held: int = 0  # held the RAT of the last book year

    @property
    def rat_rate(self) -> int:
        return round(100 * self.rat_held / self.registered) if self.registered else 0

    @property
    def verified_rate(self) -> int:
        return round(100 * self.verified / self.registered) if self.registered else 0

    @property
    def active_rate(self) -> int:
        return round(100 * self.active / self.registered) if self.registered else 0


def _escape(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _in_region(column: Mapped[str | None], prefix: str | None) -> ColumnElement[bool]:
    """``column`` names a region inside ``prefix`` (always true without one)."""
    return true() if not prefix else column.like(_escape(prefix) + ".%", escape="\\")


def search_directory(
    session: Session,
    *,
    text: str = "",
    region_prefix: str | None = None,
    offset: int = 0,
    limit: int = 30,
) -> tuple[list[DirectoryEntry], int]:
    """Verified, active cooperatives by name, optionally inside a region; with the total."""
    query: Select = (
        select(Tenant, func.coalesce(TenantSummary.running_units, 0))
        .outerjoin(TenantSummary, TenantSummary.tenant_id == Tenant.id)
        .where(
            Tenant.status == TenantStatus.ACTIVE,
            Tenant.verified_at.is_not(None),
            _in_region(Tenant.region_code, region_prefix),
        )
    )
    if text.strip():
        query = query.where(Tenant.display_name.ilike(f"%{_escape(text.strip())}%", escape="\\"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Tenant.display_name, Tenant.id).offset(offset).limit(limit)
    )
    return [DirectoryEntry(tenant, int(units)) for tenant, units in rows], int(total)


def region_figures(session: Session, parent: str | None = None) -> list[RegionFigures]:
    """Per province (or per kabupaten/kota inside ``parent``): registered, verified, active,
    those whose last RAT was of the last book year, and how many wait for verification and for
    how long on average (days)."""
    width = 2 if parent is None else 5
    now = datetime.now(UTC)
    last_book_year = clock.today().year - 1
    key = func.substr(Tenant.region_code, 1, width).label("key")
    counts = (
        select(
            key,
            func.count().label("registered"),
            func.count(Tenant.verified_at).label("verified"),
            func.count()
            .filter(TenantSummary.content_updated_at > now - timedelta(days=ACTIVE_DAYS))
            .label("active"),
            func.count().filter(TenantSummary.rat_year >= last_book_year).label("rat_held"),
        )
        .outerjoin(TenantSummary, TenantSummary.tenant_id == Tenant.id)
        .where(
            Tenant.status.in_([TenantStatus.ACTIVE, TenantStatus.SUSPENDED]),
            Tenant.region_code.is_not(None),
            _in_region(Tenant.region_code, parent),
        )
        .group_by(key)
        .subquery()
    )
    wait_key = func.substr(Application.region_code, 1, width).label("key")
    waits = (
        select(
            wait_key,
            func.count().label("waiting"),
            func.avg(func.extract("epoch", now - Application.waiting_since) / 86400).label("days"),
        )
        .where(
            Application.status.in_([VerificationStatus.SUBMITTED, VerificationStatus.IN_REVIEW]),
            _in_region(Application.region_code, parent),
        )
        .group_by(wait_key)
        .subquery()
    )
    rows = session.execute(
        select(counts, Region.name, waits.c.waiting, waits.c.days)
        .outerjoin(Region, Region.code == counts.c.key)
        .outerjoin(waits, waits.c.key == counts.c.key)
        .order_by(Region.name)
    )
    return [
        RegionFigures(
            code=row.key,
            name=row.name or row.key,
            registered=row.registered,
            verified=row.verified,
            active=row.active,
            waiting=row.waiting or 0,
            average_wait_days=round(float(row.days), 1) if row.days is not None else None,
            rat_held=row.rat_held,
        )
        for row in rows
    ]


def total_figures(rows: list[RegionFigures]) -> RegionFigures:
    waiting = sum(r.waiting for r in rows)
    weighted = sum((r.average_wait_days or 0) * r.waiting for r in rows)
    return RegionFigures(
        code="",
        name="Indonesia",
        registered=sum(r.registered for r in rows),
        verified=sum(r.verified for r in rows),
        active=sum(r.active for r in rows),
        waiting=waiting,
        average_wait_days=round(weighted / waiting, 1) if waiting else None,
        rat_held=sum(r.rat_held for r in rows),
    )
