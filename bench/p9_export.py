"""P9: exporting one cooperative's complete data, whatever the number of schemas beside it.

The script builds the P7 cooperative (``p7_ledger.write_books``: 2,000 members, three years of
books), times ``saas.portability.export.export_tenant`` into a file (median of ``--runs``) with
the cooperative alone in its database, then restores the archive (timed, no budget) into a
database of at least ``--schemas`` other tenants (real schemas and registry rows: the run's
shared population with ``--population``, else one grown here) and times the export of the
restored cooperative there: the export reads only its own schema's catalog, so the two
figures stay level.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from common import (
    BENCH_ROOT,
    POPULATION_HELP,
    SlugCounter,
    count_schemas,
    drop_databases,
    emit,
    grow_to,
    log,
    p50,
    prepare_platform,
)
from p7_ledger import write_books

from saas.db import Databases
from saas.portability.export import export_tenant
from saas.portability.restore import open_archive, restore_tenant
from saas.storage import LocalStorage
from saas.tenants.models import Tenant
from saas.tenants.provisioning import provision_tenant

BUDGET_SECONDS = 2.0
ALONE = "bench_p9"  # the cooperative alone in its database
CROWD = "bench_p9_crowd"  # beside --schemas others, without --population


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="200 members, one year, 50 schemas")
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--years", type=int, default=None)
    parser.add_argument("--schemas", type=int, default=None, help="tenants beside it (2000)")
    parser.add_argument("--runs", type=int, default=3, help="timed exports at each size")
    parser.add_argument("--population", default="", help=POPULATION_HELP)
    args = parser.parse_args(argv)
    args.members = args.members or (200 if args.quick else 2000)
    args.years = args.years or (1 if args.quick else 3)
    args.schemas = args.schemas if args.schemas is not None else (50 if args.quick else 2000)
    return args


def time_exports(
    databases: Databases, storage: LocalStorage, tenant: Tenant, path: Path, runs: int
) -> float:
    """The median seconds of ``runs`` exports of ``tenant`` into ``path``."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        with path.open("wb") as target:
            export_tenant(databases, storage, tenant, target, exported_at=datetime.now(UTC))
        seconds.append(time.perf_counter() - started)
    return round(p50(seconds), 3)


def emit_export(fields: dict[str, object], value: float, schemas: int, path: Path) -> bool:
    """Emit one export figure; whether it is within the budget."""
    passed = value <= BUDGET_SECONDS
    emit(
        {
            **fields,
            "name": "export_seconds",
            "value": value,
            "unit": "s",
            "schemas": schemas,
            "archive_bytes": path.stat().st_size,
            "budget": BUDGET_SECONDS,
            "pass": passed,
        }
    )
    return passed


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    settings, databases = prepare_platform(ALONE)
    storage = LocalStorage(settings.instance_dir / "uploads")
    tenant = provision_tenant(
        databases, settings, slug="besar", display_name="Koperasi Besar", shard="main"
    )
    log(f"writing {args.years} years of books for {args.members} members")
    lines = write_books(databases, "main", str(tenant.schema_name), args.members, args.years)
    fields = {"id": "P9", "members": args.members, "journal_lines": lines}
    shared = bool(args.population)
    crowd = args.population or CROWD
    with tempfile.TemporaryDirectory(dir=BENCH_ROOT) as folder:
        path = Path(folder) / "besar.zip"
        value = time_exports(databases, storage, tenant, path, args.runs)
        ok = emit_export(fields, value, count_schemas(databases, "main"), path)
        databases.dispose()
        drop_databases(ALONE)

        crowd_settings, crowd_databases = prepare_platform(crowd, shared=shared)
        grow_to(crowd_databases, SlugCounter.following(crowd_databases), args.schemas)
        log(f"restoring it beside {count_schemas(crowd_databases, 'main')} schemas")
        started = time.perf_counter()
        restored = restore_tenant(
            crowd_databases, crowd_settings, storage, open_archive(str(path)), slug="besar"
        )
        schemas = count_schemas(crowd_databases, "main")
        emit(
            {
                **fields,
                "name": "restore_seconds",
                "value": round(time.perf_counter() - started, 3),
                "unit": "s",
                "schemas": schemas,
            }
        )
        value = time_exports(crowd_databases, storage, restored, path, args.runs)
        ok = emit_export(fields, value, schemas, path) and ok
    crowd_databases.dispose()
    if not shared:
        drop_databases(crowd)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
