"""Reading the tenant registry (platform admin pages, CLI)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from saas.tenants.models import Tenant, TenantStatus


def list_tenants(
    session: Session, *, search: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[Tenant], int]:
    """A page of live tenants, newest first, optionally filtered by slug or name."""
    query = select(Tenant).where(Tenant.status != TenantStatus.FAILED)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Tenant.slug.ilike(pattern), Tenant.display_name.ilike(pattern)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Tenant.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), int(total)


def count_tenants_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Tenant.status, func.count()).group_by(Tenant.status)).all()
    return {str(status): int(count) for status, count in rows}


def find_tenants_to_sign_in(session: Session, text: str, *, limit: int = 20) -> list[Tenant]:
    """Active cooperatives whose name, web address or village matches ``text``, by name."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = select(Tenant).where(
        Tenant.status == TenantStatus.ACTIVE,
        or_(
            Tenant.display_name.ilike(pattern, escape="\\"),
            Tenant.slug.ilike(pattern, escape="\\"),
            Tenant.region_label.ilike(pattern, escape="\\"),
        ),
    )
    return list(session.scalars(query.order_by(Tenant.display_name, Tenant.id).limit(limit)))
