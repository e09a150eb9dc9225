"""Capacity: what one cooperative's schema costs its database (docs/scaling.md).

The script creates ``--tenants`` real tenant schemas (registry rows and schemas built from the
metadata, as provisioning does) in a fresh database and reports, one JSON line each: the
relations of one schema by kind; the disk of an empty schema (tables, indexes, TOAST); how much
the system catalog grows per schema (on disk); and a database backend's memory (its memory
contexts, and the process's anonymous RSS) after it has planned a page's worth of statements in
each of the schemas (five tables each) and then a statement on every table of each. Not a
budget row: the figures size the shards.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path

from common import SlugCounter, add_tenants, emit, log, prepare_platform
from sqlalchemy import Connection, select

from saas.db import Databases
from saas.tenants.models import Tenant

# Tables a microsite or officers' page reads (the rest of a schema is planned only when used).
PAGE_TABLES = ("profile", "board_members", "business_units", "members", "users")

CATALOG_BYTES = (
    "SELECT sum(pg_total_relation_size(oid)) FROM pg_class"
    " WHERE relnamespace = 'pg_catalog'::regnamespace AND relkind = 'r'"
)
BACKEND_BYTES = "SELECT sum(total_bytes) FROM pg_backend_memory_contexts"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20 tenants")
    parser.add_argument("--tenants", type=int, default=None, help="schemas created (200)")
    args = parser.parse_args(argv)
    args.tenants = args.tenants or (20 if args.quick else 200)
    return args


def schema_names(databases: Databases) -> list[str]:
    with databases.platform_session() as session:
        return [str(name) for name in session.scalars(select(Tenant.schema_name)) if name]


def relation_kinds(connection: Connection, schema: str) -> dict[str, int]:
    """How many tables, indexes, sequences and TOAST tables (with their indexes) a schema has."""
    rows = connection.exec_driver_sql(
        "SELECT c.relkind, count(*) FROM pg_class c"
        " LEFT JOIN pg_class owner ON owner.reltoastrelid = c.oid"
        " WHERE c.relnamespace = %(schema)s::regnamespace"
        " OR owner.relnamespace = %(schema)s::regnamespace GROUP BY 1",
        {"schema": schema},
    )
    names = {"r": "tables", "i": "indexes", "S": "sequences", "t": "toast_tables"}
    return {names.get(kind, kind): int(count) for kind, count in rows}


def schema_bytes(connection: Connection, schema: str) -> int:
    """The disk of a schema's tables with their indexes and TOAST."""
    return int(
        connection.exec_driver_sql(
            "SELECT coalesce(sum(pg_total_relation_size(oid)), 0) FROM pg_class"
            " WHERE relnamespace = %(schema)s::regnamespace AND relkind = 'r'",
            {"schema": schema},
        ).scalar()
        or 0
    )


def backend_memory(connection: Connection) -> tuple[int, int]:
    """This connection's backend: its memory contexts' bytes and its anonymous RSS (0 when
    /proc cannot be read)."""
    contexts = int(connection.exec_driver_sql(BACKEND_BYTES).scalar() or 0)
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    status = Path(f"/proc/{pid}/status")
    rss = 0
    if status.exists() and os.access(status, os.R_OK):
        for line in status.read_text().splitlines():
            if line.startswith("RssAnon:"):
                rss = int(line.split()[1]) * 1024
    return contexts, rss


def touch(connection: Connection, schemas: list[str], tables: Sequence[str]) -> None:
    """Plan and run one statement on each of ``tables`` in every schema (no rows read)."""
    for schema in schemas:
        for table in tables:
            connection.exec_driver_sql(f'SELECT 1 FROM "{schema}".{table} LIMIT 0').all()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    _settings, databases = prepare_platform("bench_capacity")
    engine = databases.shard_engines["main"]
    with engine.connect() as connection:
        catalog_before = int(connection.exec_driver_sql(CATALOG_BYTES).scalar() or 0)
    log(f"creating {args.tenants} tenant schemas")
    started = time.perf_counter()
    add_tenants(databases, SlugCounter(), args.tenants)
    log(f"created in {time.perf_counter() - started:.1f}s")
    names = schema_names(databases)
    fields = {"id": "capacity", "schemas": len(names)}
    with engine.connect() as connection:
        kinds = relation_kinds(connection, names[0])
        emit({**fields, "name": "relations_per_schema", **kinds, "value": sum(kinds.values())})
        sizes = sorted(schema_bytes(connection, name) for name in names)
        emit(
            {
                **fields,
                "name": "empty_schema_disk",
                "value": round(sizes[len(sizes) // 2] / 1024),
                "unit": "KiB",
            }
        )
        catalog_after = int(connection.exec_driver_sql(CATALOG_BYTES).scalar() or 0)
        emit(
            {
                **fields,
                "name": "catalog_per_schema",
                "value": round((catalog_after - catalog_before) / len(names) / 1024),
                "unit": "KiB",
                "catalog_total_mib": round(catalog_after / 2**20, 1),
            }
        )
        tables = [
            str(name)
            for name in connection.exec_driver_sql(
                "SELECT relname FROM pg_class WHERE relnamespace = %(schema)s::regnamespace"
                " AND relkind = 'r' AND relname <> 'alembic_version' ORDER BY relname",
                {"schema": names[0]},
            ).scalars()
        ]
    # A fresh backend; each statement its own transaction, as requests are.
    with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
        start_contexts, start_rss = backend_memory(connection)
        for label, touched in (("page_tables", PAGE_TABLES), ("every_table", tables)):
            touch(connection, names, touched)
            contexts, rss = backend_memory(connection)
            emit(
                {
                    **fields,
                    "name": "backend_memory_per_tenant",
                    "touched": label,
                    "tables": len(touched),
                    "value": round((contexts - start_contexts) / len(names) / 1024),
                    "unit": "KiB",
                    "rss_per_tenant_kib": round((rss - start_rss) / len(names) / 1024),
                    "backend_contexts_mib": round(contexts / 2**20, 1),
                    "backend_rss_mib": round(rss / 2**20, 1),
                }
            )
    databases.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
