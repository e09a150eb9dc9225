"""How full each shard is: its schemas, its system catalog and its disk.

A database's catalog grows with every tenant table, and each backend caches the catalog entries
of the tables it touches, so a shard holds at most ``MAX_TENANTS_PER_SHARD`` schemas
(PERFORMANCE.md, P8). New cooperatives go where there is most room: the shard with the fewest
live tenants below that limit (``provisioning.choose_shard``, from counters the registrations,
restores and moves keep, so a sign-up never scans the catalog). This report measures the
databases themselves and shows where the counters and the schemas disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from saas.db import Databases
from saas.tenants.models import Tenant, TenantStatus
from saas.tenants.provisioning import choose_shard, list_shard_loads
from saas.tenants.schemas import POOLED

# The catalog tables that grow with each tenant table (their rows and bytes are reported).
CATALOG_TABLES = ("pg_class", "pg_attribute")


@dataclass(frozen=True)
class ShardCapacity:
    name: str
    live_schemas: int  # kop_<id>: cooperatives' schemas
    pooled_schemas: int  # kop_p<hex> marked pool: made ahead for sign-ups
    counted_tenants: int  # the registry's counter, which placement reads
    registered_tenants: int  # live registry rows naming the shard
    catalog_rows: dict[str, int]
    catalog_bytes: int  # every pg_catalog table with its indexes
    database_bytes: int
    room: int  # schemas the shard takes before its limit

    @property
    def counter_drift(self) -> int:
        """How far the placement counter is from the registry (0 when they agree)."""
        return self.counted_tenants - self.registered_tenants


def measure_database(connection: Connection) -> dict[str, int]:
    """One shard's schemas, catalog and disk, in one statement."""
    row = connection.execute(
        text(
            "SELECT"
            " (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'kop\\_%'"
            f"  AND NOT ({POOLED})) AS live,"
            f" (SELECT count(*) FROM pg_namespace WHERE {POOLED}) AS pooled,"
            " (SELECT count(*) FROM pg_class) AS pg_class,"
            " (SELECT count(*) FROM pg_attribute) AS pg_attribute,"
            " (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
            "  WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r') AS catalog,"
            " pg_database_size(current_database()) AS disk"
        )
    ).one()
    return {name: int(value or 0) for name, value in row._mapping.items()}


def registered_per_shard(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Tenant.shard, func.count())
        .where(Tenant.status.in_([TenantStatus.ACTIVE, TenantStatus.SUSPENDED]))
        .group_by(Tenant.shard)
    )
    return {shard: int(count) for shard, count in rows}


def shard_capacities(databases: Databases, max_per_shard: int) -> list[ShardCapacity]:
    """Every configured shard, measured."""
    with databases.platform_session() as session:
        counted = list_shard_loads(session, databases.shard_names)
        registered = registered_per_shard(session)
    report = []
    for name in databases.shard_names:
        with databases.shard_transaction(name) as connection:
            measured = measure_database(connection)
        live = measured["live"]
        report.append(
            ShardCapacity(
                name=name,
                live_schemas=live,
                pooled_schemas=measured["pooled"],
                counted_tenants=counted.get(name, 0),
                registered_tenants=registered.get(name, 0),
                catalog_rows={t: measured[t] for t in CATALOG_TABLES},
                catalog_bytes=measured["catalog"],
                database_bytes=measured["disk"],
                room=max(0, max_per_shard - live),
            )
        )
    return report


def next_shard(databases: Databases, max_per_shard: int) -> str:
    """Where the next cooperative would be placed (read only: the choice is not kept)."""
    with databases.platform_session() as session:
        chosen = choose_shard(session, databases.shard_names, max_per_shard)
        session.rollback()
    return chosen
