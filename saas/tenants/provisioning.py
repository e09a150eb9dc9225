"""Provisioning a tenant: a small state machine across the registry and the tenant's shard.

1. The registry row is written as ``provisioning`` (platform database) with its subdomain.
2. The schema is built on the chosen shard in one transaction (claimed from the pool or created).
3. The row becomes ``active`` with the schema revision.
A failure in step 2 leaves no schema (DDL is transactional) and marks the row ``failed`` with the
reason, releasing the slug. A crash between steps is repaired by ``recover_stuck_tenants``.

Unlike other operations these commit: each step's commit is its durability boundary (the schema
on a shard and the registry row on the platform database cannot share a transaction), and that
is what recovery after a crash reads. Those commits, and only those, carry the comment "a step's
durability boundary".
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saas.config import Settings
from saas.db import Databases
from saas.tenants import schemas
from saas.tenants.models import DomainKind, ShardLoad, Tenant, TenantDomain, TenantStatus
from saas.tenants.rules import SlugError, check_slug, normalise_slug

log = logging.getLogger(__name__)

# Each shard keeps ready schemas for the sign-ups to come: the configured number, or as many as
# signed up there in the last ten minutes when that is more (a campaign's burst), up to a ceiling.
# Right after a claim the pool is sized from the ten minutes before the last one: within a
# burst's first minute the worker only replaces what is claimed, and leaves the cores to the
# sign-ups; the pool grows from the next minute on, and between bursts.
POOL_WINDOW = timedelta(minutes=10)
POOL_LAG = timedelta(minutes=1)
POOL_CEILING = 200


class ProvisioningError(RuntimeError):
    """The tenant's schema could not be built; the registry row is marked failed."""


class NoShardAvailable(RuntimeError):
    """Every configured shard holds its maximum number of tenants."""


def ensure_shard_rows(session: Session, shard_names: list[str]) -> None:
    """Give every configured shard a counter row (a shard added to the config starts at 0)."""
    session.execute(
        pg_insert(ShardLoad)
        .values([{"name": name, "tenants": 0} for name in shard_names])
        .on_conflict_do_nothing(index_elements=["name"])
    )


def list_shard_loads(session: Session, shard_names: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(ShardLoad.name, ShardLoad.tenants).where(ShardLoad.name.in_(shard_names))
    )
    return {name: int(count) for name, count in rows}


def choose_shard(session: Session, shard_names: list[str], max_per_shard: int) -> str:
    """The shard with the most room (ties: the first configured); locked until the caller commits.

    It reads the per-shard counters, never the registry, so the cost does not grow with tenants.
    """
    ensure_shard_rows(session, shard_names)
    order = case(
        {name: position for position, name in enumerate(shard_names)}, value=ShardLoad.name
    )
    chosen = session.scalar(
        select(ShardLoad.name)
        .where(ShardLoad.name.in_(shard_names), ShardLoad.tenants < max_per_shard)
        .order_by(ShardLoad.tenants, order)
        .limit(1)
        .with_for_update()
    )
    if chosen is None:
        raise NoShardAvailable
    return chosen


def count_tenant_on_shard(session: Session, shard: str, delta: int) -> None:
    session.execute(
        update(ShardLoad).where(ShardLoad.name == shard).values(tenants=ShardLoad.tenants + delta)
    )


def is_slug_taken(session: Session, slug: str) -> bool:
    live = select(Tenant.id).where(Tenant.slug == slug, Tenant.status != TenantStatus.FAILED)
    domain = select(TenantDomain.id).where(TenantDomain.host == slug)
    return session.execute(live.union_all(domain).limit(1)).first() is not None


def register_tenant(
    session: Session,
    settings: Settings,
    shard_names: list[str],
    *,
    slug: str,
    display_name: str,
    default_locale: str,
    shard: str | None,
    region_code: str | None = None,
) -> Tenant:
    """Step 1: the registry row in state ``provisioning`` and its subdomain, committed."""
    slug = check_slug(normalise_slug(slug))
    if shard is None:
        shard = choose_shard(session, shard_names, settings.max_tenants_per_shard)
    elif shard in shard_names:
        ensure_shard_rows(session, [shard])
    else:
        raise ValueError(f"unknown shard {shard!r}")
    count_tenant_on_shard(session, shard, +1)
    tenant = Tenant(
        slug=slug,
        display_name=display_name.strip(),
        shard=shard,
        status=TenantStatus.PROVISIONING,
        default_locale=default_locale,
        region_code=region_code,
    )
    session.add(tenant)
    try:
        session.flush()
        tenant.schema_name = f"kop_{tenant.id}"
        session.add(
            TenantDomain(
                tenant=tenant, kind=DomainKind.SUBDOMAIN, host=slug, verified_at=datetime.now(UTC)
            )
        )
        session.commit()  # a step's durability boundary: the slug is held
    except IntegrityError as exc:  # the unique indexes on slug and host say it is taken
        session.rollback()
        raise SlugError("taken") from exc
    return tenant


def build_tenant_schema(databases: Databases, tenant: Tenant) -> tuple[str, str]:
    """Step 2: the schema with all tables at head, in one shard transaction: a pool schema
    claimed for the tenant, or its own made from the metadata. Returns the head and the
    schema's name."""
    assert tenant.schema_name is not None
    head = schemas.tenant_head()
    with databases.shard_transaction(tenant.shard) as connection:
        claimed = schemas.claim_pool_schema(connection, tenant.id, head)
        if claimed is None:
            schemas.create_schema_from_metadata(connection, tenant.schema_name, head)
    return head, claimed or tenant.schema_name


def mark_tenant_failed(session: Session, tenant_id: int, reason: str) -> None:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        return
    if tenant.status != TenantStatus.FAILED:
        count_tenant_on_shard(session, tenant.shard, -1)
    tenant.status = TenantStatus.FAILED
    tenant.failure_reason = reason[:2000]
    tenant.domains.clear()
    session.commit()  # a step's durability boundary: the slug is free again


def provision_tenant(
    databases: Databases,
    settings: Settings,
    *,
    slug: str,
    display_name: str,
    default_locale: str = "id",
    shard: str | None = None,
    session: Session | None = None,
    region_code: str | None = None,
) -> Tenant:
    """Register a cooperative and build its schema; raises SlugError or ProvisioningError.

    ``session`` is the caller's platform session, if it has one (a request's); it is committed.
    """
    if session is None:
        with databases.platform_session() as own_session:
            return provision_tenant(
                databases,
                settings,
                slug=slug,
                display_name=display_name,
                default_locale=default_locale,
                shard=shard,
                session=own_session,
                region_code=region_code,
            )
    tenant = register_tenant(
        session,
        settings,
        databases.shard_names,
        slug=slug,
        display_name=display_name,
        default_locale=default_locale,
        shard=shard,
        region_code=region_code,
    )
    try:
        head, schema_name = build_tenant_schema(databases, tenant)
    except Exception as exc:
        log.exception("provisioning failed", extra={"tenant_id": tenant.id})
        mark_tenant_failed(session, tenant.id, f"{type(exc).__name__}: {exc}")
        raise ProvisioningError(str(exc)) from exc
    tenant.status = TenantStatus.ACTIVE
    tenant.schema_name = schema_name
    tenant.schema_revision = head
    if settings.schema_pool_target > 0:
        queue_pool_refill(session, tenant.shard)
    session.commit()  # a step's durability boundary: the tenant is live
    log.info("tenant provisioned", extra={"tenant_id": tenant.id, "shard": tenant.shard})
    return tenant


def queue_pool_refill(session: Session, shard: str) -> None:
    """Ask the worker to top ``shard``'s pool up again once ``session`` commits, so the next
    sign-ups claim too. One request per shard waits at a time: it will see this claim."""
    from saas.jobs import refill_schema_pool  # noqa: PLC0415 - the job module imports the app

    try:
        with session.begin_nested():
            driver = session.connection().connection.driver_connection  # in the savepoint
            refill_schema_pool.configure(connection=driver, queueing_lock=f"pool:{shard}").defer(
                shard=shard
            )
    except AlreadyEnqueued:
        pass  # the savepoint is rolled back; the refill waiting already sees this claim too


def pool_target(
    session: Session, shard: str, base: int, now: datetime, *, lag: timedelta = timedelta(0)
) -> int:
    """How many ready schemas ``shard`` keeps: ``base``, or its sign-ups of the ten minutes up
    to ``now - lag`` when more (at most POOL_CEILING)."""
    until = now - lag
    recent = session.scalar(
        select(func.count())
        .select_from(Tenant)
        .where(
            Tenant.shard == shard,
            Tenant.created_at >= until - POOL_WINDOW,
            Tenant.created_at <= until,
        )
    )
    return min(POOL_CEILING, max(base, recent or 0))


def refill_pool(databases: Databases, shard: str, base: int, *, after_claim: bool = False) -> int:
    """Top ``shard``'s pool up to its target (``pool_target``, a minute behind right after a
    claim); how many schemas were made."""
    if base <= 0:
        return 0  # the pool is off
    with databases.platform_session() as session:
        lag = POOL_LAG if after_claim else timedelta(0)
        target = pool_target(session, shard, base, datetime.now(UTC), lag=lag)
    return fill_schema_pool(databases, shard, target, floor=base)


def fill_schema_pool(
    databases: Databases, shard: str, target: int, *, floor: int | None = None
) -> int:
    """Top the shard's pool of ready schemas up to ``target``; returns how many were made.

    With twice ``floor`` ready schemas or more (when given) it makes them at half speed,
    resting after each as long as making it took: a schema's DDL keeps a core busy for a fifth
    of a second, and the sign-ups and pages the same database serves during a burst need that
    core more than a pool that already holds plenty. Below that it works at full speed, so a
    burst that outruns the half speed never empties the pool.
    """
    head = schemas.tenant_head()
    with databases.shard_transaction(shard) as connection:
        ready, stale = schemas.read_pool(connection, head)
    for name in stale:  # one transaction each: a schema's DROP takes a lock per table
        with databases.shard_transaction(shard) as connection:
            schemas.drop_schema(connection, name)
    made = 0
    for _ in range(max(0, target - len(ready))):
        started = time.monotonic()
        with databases.shard_transaction(shard) as connection:
            schemas.add_pool_schema(connection, head)
        made += 1
        if floor is not None and len(ready) + made >= 2 * floor:
            time.sleep(time.monotonic() - started)
    return made


def recover_stuck_tenants(databases: Databases, older_than: timedelta) -> list[tuple[str, str]]:
    """Finish or undo provisionings that crashed midway; returns (slug, outcome) pairs."""
    cutoff = datetime.now(UTC) - older_than
    outcomes: list[tuple[str, str]] = []
    with databases.platform_session() as session:
        stuck = session.scalars(
            select(Tenant).where(
                Tenant.status == TenantStatus.PROVISIONING, Tenant.created_at < cutoff
            )
        ).all()
        for tenant in stuck:
            assert tenant.schema_name is not None
            with databases.shard_transaction(tenant.shard) as connection:
                # A pool schema claimed before the sign-up was cut short is the tenant's.
                name = schemas.claimed_by(connection, tenant.id) or tenant.schema_name
                exists = schemas.schema_exists(connection, name)
                revision = schemas.schema_revision(connection, name) if exists else None
            if revision is not None:
                tenant.schema_name = name
                tenant.status = TenantStatus.ACTIVE
                tenant.schema_revision = revision
                session.commit()  # a step's durability boundary: the tenant is live
                outcomes.append((tenant.slug, "activated"))
            else:
                mark_tenant_failed(session, tenant.id, "provisioning did not finish")
                outcomes.append((tenant.slug, "failed"))
    return outcomes
