"""Resolving the tenant of a request from its Host header, and nothing else."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from cachetools import LRUCache
from flask import abort, current_app, g, redirect, request
from sqlalchemy import (
    Connection,
    Select,
    String,
    and_,
    bindparam,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session, make_transient_to_detached
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


# Which version of its registry row and summary row a tenant was read at: PostgreSQL gives
# every row version the transaction that wrote it (``xmin``), whoever writes and however.
_VERSIONS = (
    literal_column("tenants.xmin::text", type_=String),
    literal_column("tenant_summaries.xmin::text", type_=String),
)
_SUMMARY = [(prop.key, prop.columns[0]) for prop in TenantSummary.__mapper__.column_attrs]
KNOWN_HOSTS = 2000  # tenants kept per process (~4.5 KB each), least recently seen out first


def _by_domain(kind: DomainKind, *columns: Any, verified: bool) -> Select[Any]:
    """The statement reading ``columns`` of a live tenant and its summary by one of its host
    names. Built once, so a request only binds the host (no statement to build, no cache key
    to compute)."""
    condition = and_(TenantDomain.kind == kind, TenantDomain.host == bindparam("host"))
    if verified:
        condition = and_(condition, TenantDomain.verified_at.is_not(None))
    return (
        select(*columns)
        .select_from(Tenant)
        .join(TenantDomain, TenantDomain.tenant_id == Tenant.id)
        .outerjoin(TenantSummary, TenantSummary.tenant_id == Tenant.id)
        .where(
            condition,
            or_(Tenant.status == TenantStatus.ACTIVE, Tenant.status == TenantStatus.SUSPENDED),
        )
    )


def _statements(*columns: Any) -> dict[DomainKind, Select[Any]]:
    return {
        DomainKind.SUBDOMAIN: _by_domain(DomainKind.SUBDOMAIN, *columns, verified=False),
        DomainKind.CUSTOM: _by_domain(DomainKind.CUSTOM, *columns, verified=True),
    }


# Everything, as objects: a tenant not seen before, or whose registry row changed.
_WHOLE = _statements(Tenant, TenantSummary, *_VERSIONS)
# The versions and the summary's plain columns: officers' edits change only the summary.
_CURRENT = _statements(Tenant.id, *_VERSIONS, *(column for _, column in _SUMMARY))

Found = tuple[Tenant, TenantSummary | None]


class KnownTenants:
    """The tenants this process has read, by host, with the versions of the rows they were
    read from. A request reads the versions with the summary's few columns; the tenant is
    made into an object again only when its row changed (making objects was most of what
    resolving cost). A tenant is never served as it was: every request reads the versions."""

    def __init__(self, size: int = KNOWN_HOSTS) -> None:
        self._known: LRUCache[tuple[DomainKind, str], tuple[tuple[Any, ...], Found]] = LRUCache(
            maxsize=size
        )
        self._lock = threading.Lock()

    def find(self, connection: Connection, kind: DomainKind, host: str) -> Found | None:
        """The live tenant ``host`` names and its summary: one statement, two when the
        tenant's registry row changed since this process last read it."""
        key = (kind, host)
        with self._lock:
            known = self._known.get(key)
        if known is not None:
            current = connection.execute(_CURRENT[kind], {"host": host}).first()
            if current is None:
                return None
            versions = tuple(current[:3])  # the tenant's id, then its row's and its summary's
            if versions == known[0]:
                return known[1]
            tenant = known[1][0]
            if versions[:2] == known[0][:2]:  # only the summary changed
                found = (tenant, _summary(current[3:]))
                self._keep(key, versions, found)
                return found
        with Session(bind=connection) as session:
            row = session.execute(_WHOLE[kind], {"host": host}).first()
            session.expunge_all()  # read-only from here: a request never writes through them
        if row is None:
            return None
        tenant, summary, tenant_version, summary_version = row
        found = (tenant, summary)
        self._keep(key, (tenant.id, tenant_version, summary_version), found)
        return found

    def _keep(self, key: tuple[DomainKind, str], versions: tuple[Any, ...], found: Found) -> None:
        with self._lock:
            self._known[key] = (versions, found)


def _summary(values: Sequence[Any]) -> TenantSummary | None:
    """The summary row of ``values`` as an object read from the database (detached)."""
    attributes = {key: value for (key, _), value in zip(_SUMMARY, values, strict=True)}
    if attributes["tenant_id"] is None:  # no summary row yet
        return None
    summary = TenantSummary(**attributes)
    make_transient_to_detached(summary)
    return summary


def find_tenant_for_host(
    connection: Connection, host: str, base_domain: str
) -> tuple[Tenant, TenantSummary | None] | None:
    """The tenant a host names (subdomain label or verified custom domain) with its summary row;
    one query unless they changed since this process last read them."""
    known: KnownTenants = current_app.extensions["guyub.known_tenants"]
    label = subdomain_label(host, base_domain)
    if label is not None:
        return known.find(connection, DomainKind.SUBDOMAIN, label)
    return known.find(connection, DomainKind.CUSTOM, host)


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
    with get_databases().platform_read() as connection:
        found = find_tenant_for_host(connection, host, base_domain)
        if found is None and own_address and request.path == domains.CHALLENGE_PATH:
            with Session(bind=connection) as session:
                return _answer_challenge(session, host)
        if found is not None and own_address:
            with Session(bind=connection) as session:
                if not domains.covered_by_plan(session, found[0].id):
                    return redirect(_on_subdomain(found[0].slug), 302)
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
