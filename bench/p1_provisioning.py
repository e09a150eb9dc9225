"""P1: provision a tenant (schema + tables ready, registry updated) with K tenants present.

At each K the script times, in the same run: (a) ``provision_tenant`` claiming from a warmed
schema pool, interleaved with (b) the peer, a plain replay of the tenant DDL statement by
statement, then (c) ``provision_tenant`` with an empty pool (schema built from metadata).
Last, the same at the platform's target size: registry rows for ~80,000 tenants on other shards.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common import (
    POPULATION_HELP,
    SlugCounter,
    count_schemas,
    count_tenants,
    drop_databases,
    emit,
    grow_to,
    log,
    ms,
    p50,
    p95,
    prepare_platform,
    server_version,
)
from sqlalchemy import Dialect
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateSchema, CreateTable, DropSchema
from sqlalchemy.sql.ddl import sort_tables_and_constraints

from saas.config import Settings
from saas.db import TENANT_SCHEMA, Databases
from saas.models import TenantBase
from saas.tenants import schemas
from saas.tenants.provisioning import fill_schema_pool, provision_tenant

BUDGET_P50_MS = 25
BUDGET_P95_MS = 100
SHARD = "main"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=None, help="timed creations per K (50)")
    parser.add_argument("--levels", default=None, help="comma-separated K (0,1000,2000)")
    parser.add_argument("--quick", action="store_true", help="10 samples at K = 0,100,200")
    parser.add_argument(
        "--registry-rows",
        type=int,
        default=None,
        help="then add this many registry rows of tenants on other shards (80000; 0 skips)",
    )
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds of each path first")
    parser.add_argument("--prefix", default="bench_p1", help="database name")
    parser.add_argument("--population", default="", help=POPULATION_HELP)
    parser.add_argument(
        "--burst", type=int, default=None, help="then sign-ups in one minute, worker running (200)"
    )
    args = parser.parse_args(argv)
    default_samples, default_levels = (10, "0,100,200") if args.quick else (50, "0,1000,2000")
    if args.burst is None:
        args.burst = 40 if args.quick else 200
    args.samples = args.samples or default_samples
    if args.registry_rows is None:
        args.registry_rows = 20_000 if args.quick else 80_000
    args.levels = [int(k) for k in (args.levels or default_levels).split(",")]
    return args


def ddl_statements(schema_name: str, dialect: Dialect) -> list[str]:
    """The tenant DDL for ``schema_name``, compiled one statement at a time (as create_all)."""
    translate = {TENANT_SCHEMA: schema_name}
    options: dict[str, Any] = {"schema_translate_map": translate, "render_schema_translate": True}
    statements = [str(CreateSchema(schema_name).compile(dialect=dialect))]
    ordered = sort_tables_and_constraints(TenantBase.metadata.sorted_tables)
    for table, foreign_keys in ordered:
        if table is None:  # foreign keys in a cycle: added once every table exists
            statements += [
                str(AddConstraint(fk).compile(dialect=dialect, **options)) for fk in foreign_keys
            ]
            continue
        create = CreateTable(table, include_foreign_key_constraints=list(foreign_keys))
        statements.append(str(create.compile(dialect=dialect, **options)))
        statements += [
            str(CreateIndex(index).compile(dialect=dialect, **options)) for index in table.indexes
        ]
    return statements


def replay_ddl(databases: Databases, statements: list[str]) -> float:
    """Execute ``statements`` one by one in one shard transaction; return the seconds taken."""
    started = time.perf_counter()
    with databases.shard_transaction(SHARD) as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    return time.perf_counter() - started


def drop_schemas(databases: Databases, names: list[str], batch: int = 10) -> None:
    """Drop the warm-up's few schemas again (untimed) so the database holds tenants only.

    The peer's schemas stay until the databases go: thousands of files deleted leave the
    filesystem slower at making files for minutes after (ext4 passes over recently freed
    inodes one by one), which would land in the next level's figures."""
    for start in range(0, len(names), batch):
        with databases.shard_transaction(SHARD) as connection:
            for name in names[start : start + batch]:
                connection.execute(DropSchema(name, cascade=True, if_exists=True))


def time_provision(databases: Databases, settings: Settings, slug: str) -> float:
    """Provision one tenant as sign-up does (shard chosen by load); return the seconds."""
    started = time.perf_counter()
    provision_tenant(databases, settings, slug=slug, display_name="Koperasi Bench")
    return time.perf_counter() - started


def measure_burst(databases: Databases, settings: Settings, slugs: SlugCounter, count: int) -> None:
    """``count`` sign-ups spread over one minute with the job worker running, the pool at its
    configured size to start: each claim asks the worker to refill it (P1 burst)."""
    pooled = dataclasses.replace(settings, schema_pool_target=20)
    fill_schema_pool(databases, SHARD, pooled.schema_pool_target)
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "procrastinate"), "--app=saas.jobs.jobs", "worker"],
        env={
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "SCHEMA_POOL_TARGET": str(pooled.schema_pool_target),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)  # the worker connects and listens
        interval, seconds = 60.0 / count, []
        started = time.perf_counter()
        for index in range(count):
            time.sleep(max(0.0, started + index * interval - time.perf_counter()))
            seconds.append(time_provision(databases, pooled, slugs.take()))
    finally:
        worker.terminate()  # it finishes the refill under way, unless that takes too long
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    with databases.shard_transaction(SHARD) as connection:
        left = len(schemas.list_pool_schemas(connection))
    emit(
        {
            "id": "P1",
            "name": "provision_p50",
            "path": "burst",
            "value": ms(p50(seconds)),
            "unit": "ms",
            "p95_ms": ms(p95(seconds)),
            "signups": count,
            "over_seconds": 60,
            "pool_target": pooled.schema_pool_target,
            "pool_left": left,
            "budget": BUDGET_P50_MS,
            "pass": ms(p50(seconds)) <= BUDGET_P50_MS,
        }
    )


def check_replay_matches(databases: Databases, replayed: str, provisioned: str) -> None:
    """Fail loudly if the peer's schema lacks relations the product's schema has."""
    query = (
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %(schema)s AND c.relname NOT LIKE 'alembic_version%%'"
    )
    with databases.shard_engines[SHARD].connect() as connection:
        found = {
            name: set(connection.exec_driver_sql(query, {"schema": name}).all())
            for name in (replayed, provisioned)
        }
    if found[replayed] != found[provisioned]:
        raise RuntimeError(f"DDL replay differs from provisioning: {found}")


def warm_up(databases: Databases, settings: Settings, slugs: SlugCounter, rounds: int) -> None:
    """Exercise every path ``rounds`` times, untimed, so first-use costs stay out of the samples."""
    dialect = databases.shard_engines[SHARD].dialect
    names = [f"tpl_warmup_{index}" for index in range(rounds)]
    for name in names:
        fill_schema_pool(databases, SHARD, 1)
        time_provision(databases, settings, slugs.take())
        time_provision(databases, settings, slugs.take())
        replay_ddl(databases, ddl_statements(name, dialect))
    drop_schemas(databases, names)


def base_record(level: int, samples: int, tenants_at_start: int) -> dict[str, Any]:
    """Fields every P1 line carries."""
    return {
        "id": "P1",
        "tenants_before": level,
        "tenants_at_start": tenants_at_start,
        "samples": samples,
        "tenant_tables": len(TenantBase.metadata.tables),
    }


def emit_pair(
    level_fields: dict[str, Any],
    path: str,
    values: list[float],
    peer: list[float],
    *,
    budgeted: bool = True,
) -> None:
    """Emit the p50 and p95 lines of one path next to the DDL-replay peer; without
    ``budgeted``, a reference without the budget and its pass."""
    for name, stat, budget in (("p50", p50, BUDGET_P50_MS), ("p95", p95, BUDGET_P95_MS)):
        value = ms(stat(values))
        checked = {"budget": budget, "pass": value <= budget} if budgeted else {}
        emit(
            {
                **level_fields,
                "name": f"provision_{name}",
                "value": value,
                "unit": "ms",
                "path": path,
                "peer": f"ddl_replay_{name}",
                "peer_value": ms(stat(peer)),
                **checked,
            }
        )


def remove_registry_rows(databases: Databases) -> None:
    """Remove the rows ``add_registry_rows`` added: their shards do not exist."""
    with databases.platform_transaction() as connection:
        connection.exec_driver_sql("DELETE FROM tenants WHERE slug LIKE 'other-%%'")
        connection.exec_driver_sql("ANALYZE tenants")


def add_registry_rows(databases: Databases, rows: int, per_shard: int = 4000) -> None:
    """Registry rows for tenants on other shards (other databases): no schema here."""
    with databases.platform_transaction() as connection:
        connection.exec_driver_sql(
            "INSERT INTO tenants (slug, display_name, status, shard, schema_name, "
            "schema_revision, default_locale, created_at, updated_at) "
            "SELECT 'other-' || g, 'Koperasi Lain', 'active', 'other_' || (g / %(per)s), "
            "'kop_other_' || g, 't0001', 'id', now(), now() FROM generate_series(1, %(rows)s) g",
            {"rows": rows, "per": per_shard},
        )
        connection.exec_driver_sql("ANALYZE tenants")


def measure_pool_fill(databases: Databases, samples: int, fields: dict[str, Any]) -> None:
    """Warm the pool with ``samples`` schemas (untimed for P1) and emit the cost per schema."""
    started = time.perf_counter()
    made = fill_schema_pool(databases, SHARD, samples)
    seconds = time.perf_counter() - started
    emit(
        {
            **fields,
            "name": "pool_fill_per_schema",
            "value": ms(seconds / max(made, 1)),
            "unit": "ms",
            "path": "pool_fill",
            "schemas_made": made,
        }
    )


def pool_and_peer(
    databases: Databases, settings: Settings, slugs: SlugCounter, level: int, samples: int
) -> tuple[list[float], list[float]]:
    """Interleave pool provisions with DDL replays; return both lists of seconds."""
    dialect = databases.shard_engines[SHARD].dialect
    pooled: list[float] = []
    replayed: list[float] = []
    peer_names: list[str] = []
    slug = ""
    for index in range(samples):
        slug = slugs.take()
        pooled.append(time_provision(databases, settings, slug))
        peer_names.append(f"tpl_ddl_{os.getpid()}_{level}_{index}")  # unique in a population
        replayed.append(replay_ddl(databases, ddl_statements(peer_names[-1], dialect)))
    check_replay_matches(databases, peer_names[-1], _schema_of(databases, slug))
    return pooled, replayed


def measure_level(
    databases: Databases,
    settings: Settings,
    slugs: SlugCounter,
    level: int,
    samples: int,
    **extra: Any,
) -> float:
    """Measure every path at one K; return the pool path's p50 in ms."""
    at_start = count_tenants(databases)
    fields = {**base_record(level, samples, at_start), **extra}
    log(f"K={level}: {at_start} tenants, {count_schemas(databases)} schemas; filling the pool")
    measure_pool_fill(databases, samples, fields)
    log(f"K={level}: {samples} pool provisions interleaved with {samples} DDL replays")
    pooled, replayed = pool_and_peer(databases, settings, slugs, level, samples)
    # The fallback when the pool runs dry is a reference, not the budgeted path: fewer samples.
    fallback = max(10, samples // 5)
    log(f"K={level}: {fallback} provisions with an empty pool")
    empty = [time_provision(databases, settings, slugs.take()) for _ in range(fallback)]
    emit_pair(fields, "pool", pooled, replayed)
    emit_pair(
        {**fields, "tenants_at_start": at_start + samples, "samples": fallback},
        "empty_pool",
        empty,
        replayed,
        budgeted=False,
    )
    for name, stat in (("p50", p50), ("p95", p95)):
        emit({**fields, "name": f"ddl_replay_{name}", "value": ms(stat(replayed)), "unit": "ms"})
    return ms(p50(pooled))


def _schema_of(databases: Databases, slug: str) -> str:
    """The schema name the registry records for ``slug``."""
    with databases.platform_engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT schema_name FROM tenants WHERE slug = %(slug)s", {"slug": slug}
        ).one()
    return str(row[0])


def emit_growth(medians: dict[int, float], first: int, last: int) -> None:
    """Emit how the pool path's p50 at ``last`` tenants compares with ``first``."""
    emit(
        {
            "id": "P1",
            "name": "provision_p50_growth_ratio",
            "value": round(medians[last] / medians[first], 2),
            "unit": "ratio",
            "path": "pool",
            "tenants_before": last,
            "baseline_tenants_before": first,
            "budget": "flat",
        }
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run P1 at every K and emit its figures."""
    args = parse_args(argv)
    started = time.perf_counter()
    shared = bool(args.population)
    prefix = args.population or args.prefix
    settings, databases = prepare_platform(prefix, shared=shared)
    log(f"P1 on PostgreSQL {server_version(databases)}: K={args.levels}, N={args.samples}")
    slugs = SlugCounter.following(databases)
    warm_up(databases, settings, slugs, args.warmup)
    medians: dict[int, float] = {}
    for level in args.levels:
        grow_to(databases, slugs, level, shard=SHARD)
        medians[level] = measure_level(databases, settings, slugs, level, args.samples)
    first, last = args.levels[0], args.levels[-1]
    if last != first:
        emit_growth(medians, first, last)
    if args.registry_rows:
        shard_tenants = count_tenants(databases)
        log(f"adding {args.registry_rows} registry rows of tenants on other shards")
        add_registry_rows(databases, args.registry_rows)
        level = count_tenants(databases)
        medians[level] = measure_level(
            databases,
            settings,
            slugs,
            level,
            args.samples,
            shard_tenants=shard_tenants,
            other_shard_tenants=args.registry_rows,
        )
        emit_growth(medians, first, level)
    if args.burst:
        log(f"{args.burst} sign-ups in one minute, the job worker refilling the pool")
        measure_burst(databases, settings, slugs, args.burst)
    if args.registry_rows:
        remove_registry_rows(databases)  # the scripts sharing the population have no such shards
    databases.dispose()
    if not shared:
        drop_databases(prefix)
    log(f"P1 done in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
