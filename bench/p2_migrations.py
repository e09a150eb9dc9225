"""P2: the tenant migration runner over 5,000 tenants on two shards.

Times (a) a no-op run with every tenant at head, in process and as the whole
``flask --app wsgi tenants migrate`` command, and (b) an add-column + index migration, after
(c) breaking one tenant by hand so its migration fails while the others go on. The budgets of
PERFORMANCE.md are for 1,000 tenants: the no-op run keeps its 2 s at any size, the migration
its 60 s per 1,000 tenants.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common import (
    BENCH_ROOT,
    POPULATION_HELP,
    PROJECT_ROOT,
    SlugCounter,
    add_tenants,
    drop_databases,
    emit,
    log,
    prepare_platform,
    server_version,
)
from sqlalchemy import func, select

from saas.config import Settings
from saas.db import Databases, check_schema_name
from saas.tenants import schemas
from saas.tenants.migrations import MigrationReport, migrate_tenants
from saas.tenants.models import Tenant, TenantStatus

BUDGET_NOOP_S = 2
BUDGET_ADD_COLUMN_S = 60
SHARD = "main"  # where one tenant is broken by hand
REVISION = "bench_note_0001"
COLUMN = "bench_note"
INDEX = "ix_users_bench_note"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--tenants", type=int, default=None, help="tenants present, at least (5000)"
    )
    parser.add_argument("--shards", type=int, default=2, help="shards the tenants spread over")
    parser.add_argument("--jobs", type=int, default=2, help="migration worker processes")
    parser.add_argument("--runs", type=int, default=None, help="timed no-op runs of each kind (3)")
    parser.add_argument("--quick", action="store_true", help="100 tenants, one run of each")
    parser.add_argument("--prefix", default="bench_p2", help="database name")
    parser.add_argument("--population", default="", help=POPULATION_HELP)
    args = parser.parse_args(argv)
    args.tenants = args.tenants or (100 if args.quick else 5000)
    args.runs = args.runs or (1 if args.quick else 3)
    return args


def noop_runs(databases: Databases, settings: Settings, jobs: int, runs: int) -> list[float]:
    """Time ``runs`` in-process runner calls with every tenant at head; seconds each."""
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        report = migrate_tenants(databases, settings, jobs=jobs)
        times.append(time.perf_counter() - started)
        if report.considered or report.failed:
            raise RuntimeError(f"no-op run found work: {report}")
    return times


def cli_command(jobs: int) -> list[str]:
    """``flask --app wsgi tenants migrate`` from the virtualenv that runs this script."""
    flask = Path(sys.executable).with_name("flask")
    launcher = [str(flask)] if flask.exists() else [sys.executable, "-m", "flask"]
    return [*launcher, "--app", "wsgi", "tenants", "migrate", "--jobs", str(jobs)]


def cli_environment(settings: Settings) -> dict[str, str]:
    """The environment an operator would set: the bench database as DATABASE_URL."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": settings.database_url,
            "GUYUB_SHARDS": ",".join(f"{name}={url}" for name, url in settings.shards.items()),
            "SECRET_KEY": "bench",
            "GUYUB_INSTANCE_DIR": str(BENCH_ROOT / "instance"),
        }
    )
    return env


def run_cli(settings: Settings, jobs: int) -> float:
    """Run the migrate command once as a subprocess; return its wall-clock seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        cli_command(jobs),
        cwd=PROJECT_ROOT,
        env=cli_environment(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    for line in (done.stdout + done.stderr).splitlines():
        if '"level": "INFO"' not in line:  # Alembic's plugin set-up chatter
            log(f"  cli: {line}")
    if done.returncode != 0 or " 0 behind" not in done.stdout:
        raise RuntimeError(f"the migrate command failed or found work (exit {done.returncode})")
    return seconds


def write_bench_revision(target: Path, down_revision: str) -> Path:
    """Copy the tenant tree to ``target`` and add the add-column + index revision."""
    shutil.copytree(schemas.TENANT_MIGRATIONS, target, ignore=shutil.ignore_patterns("__pycache__"))
    source = f'''\
        """bench: add users.{COLUMN} and its index"""
        import sqlalchemy as sa
        from alembic import op

        revision = "{REVISION}"
        down_revision = "{down_revision}"
        branch_labels = None
        depends_on = None


        def upgrade() -> None:
            op.add_column("users", sa.Column("{COLUMN}", sa.String(50)))
            op.create_index("{INDEX}", "users", ["{COLUMN}"])


        def downgrade() -> None:
            op.drop_index("{INDEX}", table_name="users")
            op.drop_column("users", "{COLUMN}")
        '''
    (target / "versions" / f"{REVISION}.py").write_text(textwrap.dedent(source))
    return target


def break_one_tenant(databases: Databases) -> tuple[str, str]:
    """Add the new column to one tenant by hand so its migration fails; return (slug, schema)."""
    with databases.platform_engine.connect() as connection:
        slug, schema = connection.exec_driver_sql(
            "SELECT slug, schema_name FROM tenants WHERE status = 'active' AND shard = %(shard)s "
            "ORDER BY id OFFSET (SELECT count(*) / 4 FROM tenants) LIMIT 1",
            {"shard": SHARD},
        ).one()
    with databases.shard_transaction(SHARD) as connection:
        connection.exec_driver_sql(
            f'ALTER TABLE "{check_schema_name(schema)}".users ADD COLUMN {COLUMN} VARCHAR(50)'
        )
    return str(slug), str(schema)


def verify_outcome(databases: Databases) -> dict[str, int]:
    """Count schemas holding the new index (on every shard) and registry rows at the new head."""
    indexes = 0
    for engine in databases.shard_engines.values():
        with engine.connect() as connection:
            indexes += (
                connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_indexes WHERE indexname = %(name)s", {"name": INDEX}
                ).scalar()
                or 0
            )
    with databases.platform_engine.connect() as connection:
        at_head = connection.exec_driver_sql(
            "SELECT count(*) FROM tenants WHERE schema_revision = %(rev)s", {"rev": REVISION}
        ).scalar()
    return {"indexes_found": int(indexes or 0), "registry_at_head": int(at_head or 0)}


def emit_noop(name: str, times: list[float], tenants: int, jobs: int, **extra: Any) -> None:
    """Emit one no-op figure: the median of the timed runs against the 2 s budget."""
    value = round(statistics.median(times), 3)
    emit(
        {
            "id": "P2",
            "name": name,
            "value": value,
            "unit": "s",
            "tenants": tenants,
            "jobs": jobs,
            "runs": len(times),
            "max": round(max(times), 3),
            **extra,
            "budget": BUDGET_NOOP_S,
            "pass": value <= BUDGET_NOOP_S,
        }
    )


def emit_add_column(report: MigrationReport, wall: float, tenants: int, jobs: int) -> None:
    """Emit the add-column + index migration figure against 60 s per 1,000 tenants."""
    budget = round(BUDGET_ADD_COLUMN_S * max(tenants, 1000) / 1000)
    emit(
        {
            "id": "P2",
            "name": "migrate_add_column_index_seconds",
            "value": round(wall, 2),
            "unit": "s",
            "tenants": tenants,
            "jobs": jobs,
            "considered": report.considered,
            "migrated": len(report.migrated),
            "failed": len(report.failed),
            "per_tenant_ms": round(wall * 1000 / max(report.considered, 1), 2),
            "budget": budget,
            "budget_per_1000_tenants": BUDGET_ADD_COLUMN_S,
            "pass": wall <= budget,
        }
    )


def emit_resilience(
    report: MigrationReport, tenants: int, broken_slug: str, checks: dict[str, int]
) -> None:
    """Emit the one-failing-tenant figure: the rest must migrate."""
    errors = dict(report.failed)
    passed = (
        len(report.failed) == 1
        and broken_slug in errors
        and len(report.migrated) == tenants - 1
        and checks["indexes_found"] == tenants - 1
        and checks["registry_at_head"] == tenants - 1
    )
    emit(
        {
            "id": "P2",
            "name": "migrate_one_failing_tenant",
            "value": len(report.migrated),
            "unit": "tenants_migrated",
            "failed": len(report.failed),
            "expected_migrated": tenants - 1,
            "expected_failed": 1,
            **checks,
            "error": errors.get(broken_slug, "")[:160],
            "budget": "one failing tenant does not stop the rest",
            "pass": passed,
        }
    )


def count_migrated_tenants(databases: Databases) -> int:
    """Tenants the runner considers (active and suspended): those the figures are over."""
    with databases.platform_session() as session:
        query = select(func.count()).where(
            Tenant.status.in_([TenantStatus.ACTIVE, TenantStatus.SUSPENDED])
        )
        return int(session.scalar(query) or 0)


def grow_shards(databases: Databases, slugs: SlugCounter, shards: list[str], total: int) -> None:
    """Grow the registry towards ``total`` tenants spread evenly over ``shards`` (a shard
    already holding its share is left as it is), one shard after the other (``add_tenants``
    keeps both cores busy, within the lock table)."""
    with databases.platform_session() as session:
        have = dict(
            session.execute(
                select(Tenant.shard, func.count())
                .where(Tenant.status == TenantStatus.ACTIVE)
                .group_by(Tenant.shard)
            ).all()
        )
    wanted = {
        shard: total // len(shards) + (i < total % len(shards)) for i, shard in enumerate(shards)
    }
    missing = {shard: wanted[shard] - have.get(shard, 0) for shard in shards}
    log(f"growing the registry by {sum(max(0, n) for n in missing.values())} tenants to {total}")
    started = time.perf_counter()
    for shard, count in missing.items():
        if count > 0:
            add_tenants(databases, slugs, count, shard=shard)
    log(f"grew in {time.perf_counter() - started:.1f}s")


def main(argv: Sequence[str] | None = None) -> int:
    """Run P2 and emit its figures."""
    args = parse_args(argv)
    started = time.perf_counter()
    shards = [SHARD, *(f"s{n}" for n in range(2, args.shards + 1))]
    shared = bool(args.population)
    prefix = args.population or args.prefix
    settings, databases = prepare_platform(prefix, shards=shards, shared=shared)
    grow_shards(databases, SlugCounter.following(databases), shards, args.tenants)
    args.tenants = count_migrated_tenants(databases)
    log(
        f"P2 on PostgreSQL {server_version(databases)}: {args.tenants} tenants over"
        f" {len(shards)} shards, jobs={args.jobs}"
    )

    log("no-op runs in process")
    migrate_tenants(databases, settings, jobs=args.jobs)  # untimed: first-use costs
    times = noop_runs(databases, settings, args.jobs, args.runs)
    emit_noop(
        "migrate_noop_seconds",
        times,
        args.tenants,
        args.jobs,
        path="in_process",
        shards=len(shards),
    )

    log("no-op runs of the flask command (one untimed first)")
    run_cli(settings, args.jobs)
    cli_times = [run_cli(settings, args.jobs) for _ in range(args.runs)]
    emit_noop(
        "migrate_noop_cli_seconds",
        cli_times,
        args.tenants,
        args.jobs,
        path="cli",
        shards=len(shards),
    )

    broken_slug, broken_schema = break_one_tenant(databases)
    log(f"broke {broken_slug} ({broken_schema}); running the add-column + index migration")
    with tempfile.TemporaryDirectory(prefix="guyub-bench-") as tmp:
        location = write_bench_revision(Path(tmp) / "tenant", schemas.tenant_head())
        migrate_started = time.perf_counter()
        report = migrate_tenants(databases, settings, jobs=args.jobs, location=location)
        wall = time.perf_counter() - migrate_started
    emit_add_column(report, wall, args.tenants, args.jobs)
    emit_resilience(report, args.tenants, broken_slug, verify_outcome(databases))
    databases.dispose()
    if not shared:
        drop_databases(prefix, shards)
    log(f"P2 done in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
