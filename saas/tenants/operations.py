"""Lifecycle changes of a provisioned tenant: suspend and resume (the caller commits)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.tenants.models import Tenant, TenantStatus


class TenantNotFound(LookupError):
    pass


def get_tenant_by_slug(session: Session, slug: str) -> Tenant:
    tenant = session.scalars(
        select(Tenant).where(Tenant.slug == slug, Tenant.status != TenantStatus.FAILED)
    ).first()
    if tenant is None:
        raise TenantNotFound(slug)
    return tenant


def suspend_tenant(session: Session, tenant: Tenant, reason: str) -> None:
    if tenant.status != TenantStatus.ACTIVE:
        raise ValueError(f"only an active tenant can be suspended (it is {tenant.status})")
    tenant.status = TenantStatus.SUSPENDED
    tenant.suspended_reason = reason
    session.flush()


def resume_tenant(session: Session, tenant: Tenant) -> None:
    if tenant.status != TenantStatus.SUSPENDED:
        raise ValueError(f"only a suspended tenant can be resumed (it is {tenant.status})")
    tenant.status = TenantStatus.ACTIVE
    tenant.suspended_reason = None
    session.flush()
