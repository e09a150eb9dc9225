"""Resolving the tenant of a request from its Host header, and nothing else."""

from __future__ import annotations

from flask import abort, current_app, g, redirect, request
from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from saas.blueprints.links import tenant_base_url
from saas.dashboard.models import TenantSummary
from saas.db import get_databases
from saas.tenants import domains
from saas.tenants.models import DomainKind, Tenant, TenantDomain, TenantStatus
from saas.tenants.move_holds import hold_against_move
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


def _tenant_by_domain(kind: DomainKind, *, verified: bool) -> Select[Tenant, TenantSummary]:
    """The statement reading a live tenant and its summary by one of its host names; built
    once, so a request only binds the host (no statement to build, no cache key to compute)."""
    condition = and_(TenantDomain.kind == kind, TenantDomain.host == bindparam("host"))
    if verified:
        condition = and_(condition, TenantDomain.verified_at.is_not(None))
    return (
        select(Tenant, TenantSummary)
        .join(TenantDomain, TenantDomain.tenant_id == Tenant.id)
        .outerjoin(TenantSummary, TenantSummary.tenant_id == Tenant.id)
        .where(
            condition,
            or_(Tenant.status == TenantStatus.ACTIVE, Tenant.status == TenantStatus.SUSPENDED),
        )
    )


_BY_SUBDOMAIN = _tenant_by_domain(DomainKind.SUBDOMAIN, verified=False)
_BY_CUSTOM_DOMAIN = _tenant_by_domain(DomainKind.CUSTOM, verified=True)


def find_tenant_for_host(
    session: Session, host: str, base_domain: str
) -> tuple[Tenant, TenantSummary | None] | None:
    """The tenant a host names (subdomain label or verified custom domain) with its summary row;
    one query."""
    label = subdomain_label(host, base_domain)
    if label is not None:
        row = session.execute(_BY_SUBDOMAIN, {"host": label}).first()
    else:
        row = session.execute(_BY_CUSTOM_DOMAIN, {"host": host}).first()
    return (row[0], row[1]) if row else None


def resolve_tenant() -> Response | None:
    """before_request: set ``g.tenant`` (None on the platform site) or answer 404/403; a
    cooperative's own address answers its check, and sends visitors on to the subdomain while
    the plan does not cover it."""
    base_domain: str = current_app.extensions["guyub.settings"].base_domain
    host = split_host(request.host)
    g.tenant = None
    if request.path == "/healthz":
        return None  # load balancers probe by IP address; health is not a tenant's business
    if host is None:
        abort(404)
    if host in (base_domain, "www." + base_domain):
        return None
    # One autocommit read: no transaction round trips, and the connection goes back to the
    # pool before the view runs.
    own_address = subdomain_label(host, base_domain) is None
    with get_databases().platform_reader() as session:
        found = find_tenant_for_host(session, host, base_domain)
        if found is None and own_address and request.path == domains.CHALLENGE_PATH:
            return _answer_challenge(session, host)
        if found is not None and own_address and not domains.covered_by_plan(session, found[0].id):
            return redirect(_on_subdomain(found[0].slug), 302)
        if found is not None:
            session.expunge_all()
    if found is None:
        abort(404)
    tenant, g.tenant_summary = found
    g.tenant = tenant
    if tenant.status == TenantStatus.SUSPENDED:
        raise TenantSuspended(tenant)
    if request.method not in READS and (tenant.moving_to is not None or _held_moving(tenant)):
        # Reads go on from the source; a write would be lost with it (saas/portability/move.py).
        raise TenantMoving(tenant)
    return None


def _held_moving(tenant: Tenant) -> bool:
    """Keep the cooperative from starting to move until this request's sessions have closed;
    whether it has started already."""
    session = get_databases().platform_session()
    g.move_hold = session
    # Closed last, after the tenant's own session: the hold outlasts the request's writes.
    g.setdefault("session_order", []).insert(0, "move_hold")
    return hold_against_move(session, tenant.id)


def _answer_challenge(session: Session, host: str) -> Response:
    """The token proving ``host`` (added, not verified yet) reaches this platform."""
    domain = domains.domain_by_host(session, host, verified=False)
    if domain is None:
        abort(404)
    secret = current_app.extensions["guyub.settings"].secret_key
    token = domains.challenge_token(secret, domain.tenant_id, domain.host)
    return Response(token, mimetype="text/plain", headers={"Cache-Control": "no-store"})


def _on_subdomain(slug: str) -> str:
    """This request's address on the cooperative's subdomain."""
    query = request.query_string.decode("latin-1")
    return tenant_base_url(slug) + request.path + (f"?{query}" if query else "")
