"""Resolving the tenant of a request from its Host header, and nothing else."""

from __future__ import annotations

from flask import abort, current_app, g, request
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from saas.dashboard.models import TenantSummary
from saas.db import get_databases
from saas.tenants.models import DomainKind, Tenant, TenantDomain, TenantStatus
from saas.tenants.rules import split_host, subdomain_label

READS = frozenset({"GET", "HEAD", "OPTIONS"})


class TenantMoving(Exception):
    """A write to a cooperative whose data is moving to another shard (a 503 page)."""

    def __init__(self, tenant: Tenant) -> None:
        super().__init__(tenant.slug)
        self.tenant = tenant


class TenantSuspended(Exception):
    """The host names a suspended cooperative (rendered as a 403 page)."""

    def __init__(self, tenant: Tenant) -> None:
        super().__init__(tenant.slug)
        self.tenant = tenant


def find_tenant_for_host(
    session: Session, host: str, base_domain: str
) -> tuple[Tenant, TenantSummary | None] | None:
    """The tenant a host names (subdomain label or verified custom domain) with its summary row;
    one query."""
    label = subdomain_label(host, base_domain)
    if label is not None:
        condition = and_(TenantDomain.kind == DomainKind.SUBDOMAIN, TenantDomain.host == label)
    else:
        condition = and_(
            TenantDomain.kind == DomainKind.CUSTOM,
            TenantDomain.host == host,
            TenantDomain.verified_at.is_not(None),
        )
    row = session.execute(
        select(Tenant, TenantSummary)
        .join(TenantDomain, TenantDomain.tenant_id == Tenant.id)
        .outerjoin(TenantSummary, TenantSummary.tenant_id == Tenant.id)
        .where(
            condition,
            or_(Tenant.status == TenantStatus.ACTIVE, Tenant.status == TenantStatus.SUSPENDED),
        )
    ).first()
    return (row[0], row[1]) if row else None


def resolve_tenant() -> None:
    """before_request: set ``g.tenant`` (None on the platform site) or answer 404/403."""
    base_domain: str = current_app.extensions["guyub.settings"].base_domain
    host = split_host(request.host)
    g.tenant = None
    if request.path == "/healthz":
        return  # load balancers probe by IP address; health is not a tenant's business
    if host is None:
        abort(404)
    if host in (base_domain, "www." + base_domain):
        return
    # One autocommit read: no transaction round trips, and the connection goes back to the
    # pool before the view runs.
    with get_databases().platform_reader() as session:
        found = find_tenant_for_host(session, host, base_domain)
        if found is not None:
            session.expunge_all()
    if found is None:
        abort(404)
    tenant, g.tenant_summary = found
    g.tenant = tenant
    if tenant.status == TenantStatus.SUSPENDED:
        raise TenantSuspended(tenant)
    if tenant.moving_to is not None and request.method not in READS:
        # Reads go on from the source; a write would be lost with it (saas/portability/move.py).
        raise TenantMoving(tenant)
