"""Migrating tenant schemas: every tenant not at head, in parallel worker processes.

The registry records each tenant's revision, so a run reads one query and skips tenants already at
head. Each tenant is upgraded in its own transaction with ``search_path`` set locally to its schema
and the Alembic version table inside the schema. A failing tenant is reported and the run goes on.
Alembic's ``op`` and ``context`` are process-global proxies, so parallelism uses processes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy import Connection, select, update

from saas.config import Settings
from saas.db import TENANT_SCHEMA, Databases, check_schema_name
from saas.models import TenantBase
from saas.tenants import schemas
from saas.tenants.models import Tenant, TenantStatus


@dataclass(frozen=True)
class TenantTarget:
    id: int
    slug: str
    shard: str
    schema_name: str


@dataclass
class MigrationReport:
    head: str
    considered: int = 0
    migrated: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def list_tenants_behind(databases: Databases, head: str) -> list[TenantTarget]:
    """Tenants whose recorded revision is not ``head`` (active and suspended alike)."""
    with databases.platform_session() as session:
        rows = session.execute(
            select(Tenant.id, Tenant.slug, Tenant.shard, Tenant.schema_name)
            .where(
                Tenant.status.in_([TenantStatus.ACTIVE, TenantStatus.SUSPENDED]),
                Tenant.schema_revision.is_distinct_from(head),
            )
            .order_by(Tenant.id)
        ).all()
    return [TenantTarget(r.id, r.slug, r.shard, r.schema_name) for r in rows]


def upgrade_schema(connection: Connection, schema_name: str, location: Path, head: str) -> None:
    """Run the tenant tree up to ``head`` inside ``schema_name`` (caller's transaction).

    The caller's connection is given over to the schema: its search path for the transaction,
    and its schema map, which ``execution_options`` sets on the connection itself (no copy).
    """
    check_schema_name(schema_name)
    script = schemas.tenant_script(location)
    config = Config()
    config.set_main_option("script_location", str(location))
    connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema_name}"')
    connection.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
    connection.execution_options(schema_translate_map={TENANT_SCHEMA: schema_name})

    def upgrade(rev: str, _context: object) -> object:
        return script._upgrade_revs(head, rev)

    with EnvironmentContext(config, script, fn=upgrade, destination_rev=head) as env:
        env.configure(
            connection=connection,
            target_metadata=TenantBase.metadata,
            version_table_schema=schema_name,
            transactional_ddl=True,
        )
        env.run_migrations()


def migrate_one(databases: Databases, target: TenantTarget, location: Path, head: str) -> None:
    with databases.shard_engines[target.shard].begin() as connection:
        upgrade_schema(connection, target.schema_name, location, head)
    with databases.platform_engine.begin() as connection:
        connection.execute(
            update(Tenant).where(Tenant.id == target.id).values(schema_revision=head)
        )


# -- worker processes ------------------------------------------------------------------------

_worker_databases: Databases | None = None


def _init_worker(settings: Settings) -> None:
    global _worker_databases  # noqa: PLW0603 - one engine set per worker process
    _worker_databases = Databases(settings)


def _migrate_chunk(
    targets: list[TenantTarget], location: Path, head: str
) -> list[tuple[str, str | None]]:
    assert _worker_databases is not None
    results: list[tuple[str, str | None]] = []
    for target in targets:
        try:
            migrate_one(_worker_databases, target, location, head)
            results.append((target.slug, None))
        except Exception as exc:
            results.append((target.slug, f"{type(exc).__name__}: {exc}".splitlines()[0]))
    return results


def _chunks(items: list[TenantTarget], size: int) -> Iterator[list[TenantTarget]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def migrate_tenants(
    databases: Databases,
    settings: Settings,
    *,
    jobs: int = 2,
    location: Path = schemas.TENANT_MIGRATIONS,
    only: Iterable[str] | None = None,
) -> MigrationReport:
    """Bring every tenant behind head up to it; failures are collected, not raised."""
    started = time.perf_counter()
    head = schemas.tenant_head(location)
    targets = list_tenants_behind(databases, head)
    if only is not None:
        wanted = set(only)
        targets = [t for t in targets if t.slug in wanted]
    report = MigrationReport(head=head, considered=len(targets))
    if targets:
        if jobs <= 1:
            _init_worker(settings)
            results = _migrate_chunk(targets, location, head)
        else:
            # Forked workers must not inherit open pooled connections (a child closing its copy
            # would end the parent's session); the parent reconnects on demand.
            databases.dispose()
            chunk = max(1, min(50, len(targets) // (jobs * 4) or 1))
            with ProcessPoolExecutor(
                max_workers=jobs, initializer=_init_worker, initargs=(settings,)
            ) as pool:
                futures = [
                    pool.submit(_migrate_chunk, part, location, head)
                    for part in _chunks(targets, chunk)
                ]
                results = [result for future in futures for result in future.result()]
        for slug, error in results:
            if error is None:
                report.migrated.append(slug)
            else:
                report.failed.append((slug, error))
    report.seconds = time.perf_counter() - started
    return report
