"""Exporting one cooperative's complete data as one zip archive.

The archive holds ``manifest.json`` (format, the tenant's registry facts, the schema's migration
revision, when, and each table's row count and SHA-256 in the order a restore loads them), one CSV
per table of the tenant's schema written by ``COPY (SELECT ...) TO STDOUT`` in one snapshot, the
files the rows name (``attachments/<key>``), and the members, savings bills and profile in
SIMKOPDES's fields (``simkopdes/``). Only the tenant's own schema is read, so the time follows
the cooperative's size, never the number of schemas in the database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from saas.db import TENANT_SCHEMA, Databases
from saas.microsite.operations import public_owner
from saas.portability import simkopdes
from saas.portability.catalog import TableShape, quoted, read_tables, select_all
from saas.storage import KEY_RE, Storage, small_variant
from saas.tenants import schemas
from saas.tenants.models import Tenant, TenantDomain

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20


def table_member(name: str) -> str:
    return f"tables/{name}.csv"


@dataclass(frozen=True)
class TableDump:
    name: str
    rows: int
    sha256: str


def registry_facts(session: Session, tenant: Tenant) -> dict[str, Any]:
    """What the platform's registry knows of the cooperative that a restore needs again."""
    domains = session.scalars(
        select(TenantDomain).where(TenantDomain.tenant_id == tenant.id).order_by(TenantDomain.id)
    )
    return {
        "slug": tenant.slug,
        "name": tenant.display_name,
        "default_locale": tenant.default_locale,
        "region_code": tenant.region_code,
        "region_label": tenant.region_label,
        "verified_at": tenant.verified_at.isoformat() if tenant.verified_at else None,
        "domains": [
            {
                "kind": domain.kind.value,
                "host": domain.host,
                "verified_at": domain.verified_at.isoformat() if domain.verified_at else None,
            }
            for domain in domains
        ],
    }


def copy_table(
    connection: Connection, schema: str, table: TableShape, write: Callable[[bytes], object]
) -> TableDump:
    """Pass ``table`` as CSV with a header row to ``write``; its row count and checksum."""
    digest = hashlib.sha256()
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    pending = bytearray()
    with cursor.copy(
        f"COPY ({select_all(schema, table)}) TO STDOUT WITH (FORMAT csv, HEADER)"
    ) as copy:
        # The server sends a message per row: pass them on a megabyte at a time.
        for row in copy:
            pending += row
            if len(pending) >= CHUNK:
                digest.update(pending)
                write(bytes(pending))
                pending.clear()
    digest.update(pending)
    write(bytes(pending))
    return TableDump(table.name, cursor.rowcount, digest.hexdigest())


def table_checksum(connection: Connection, schema: str, table: TableShape) -> TableDump:
    """The row count and checksum ``copy_table`` would write, without keeping the bytes."""
    return copy_table(connection, schema, table, lambda _data: None)


def attachment_keys(connection: Connection, schema: str, tables: Iterable[TableShape]) -> list[str]:
    """The stored files the schema's rows name, with their small copies' keys."""
    owners = {schema, public_owner(schema)}
    found: set[str] = set()
    for table in tables:
        for column in table.file_columns:
            rows = connection.exec_driver_sql(
                f"SELECT DISTINCT {quoted(column)} FROM {quoted(schema)}.{quoted(table.name)}"
                f" WHERE {quoted(column)} IS NOT NULL"
            )
            for (key,) in rows:
                if KEY_RE.fullmatch(key) and key.split("/", 1)[0] in owners:
                    found.add(key)
    return sorted(found)


def _write_attachments(
    archive: zipfile.ZipFile, storage: Storage, keys: list[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    written, missing = [], []
    for key in keys:
        for candidate in (key, small_variant(key)):
            try:
                content = storage.read(candidate)
            except FileNotFoundError:
                if candidate == key:
                    missing.append(key)  # a row names a file the storage lost: say so, go on
                continue
            # Images and PDFs are compressed already.
            archive.writestr(simkopdes.attachment_path(candidate), content, zipfile.ZIP_STORED)
            written.append(
                {
                    "key": candidate,
                    "bytes": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
            )
    return written, missing


def _write_csv(
    archive: zipfile.ZipFile, name: str, header: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
) -> None:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    archive.writestr(name, text.getvalue())


def _write_simkopdes(archive: zipfile.ZipFile, connection: Connection, tenant: Tenant) -> None:
    with Session(bind=connection) as session:
        _write_csv(
            archive,
            "simkopdes/anggota.csv",
            simkopdes.MEMBER_FIELDS,
            simkopdes.member_rows(session, tenant),
        )
        _write_csv(
            archive,
            "simkopdes/tagihan_simpanan.csv",
            simkopdes.BILL_FIELDS,
            simkopdes.bill_rows(session),
        )
        _write_csv(
            archive,
            "simkopdes/profil.csv",
            simkopdes.PROFILE_FIELDS,
            simkopdes.profile_rows(session, tenant),
        )


def export_tenant(
    databases: Databases,
    storage: Storage,
    tenant: Tenant,
    target: IO[bytes],
    *,
    exported_at: datetime,
) -> dict[str, Any]:
    """Write ``tenant``'s archive to ``target``; return its manifest."""
    schema = tenant.schema_name
    if schema is None:
        raise ValueError(f"tenant {tenant.slug} has no schema")
    with databases.platform_session() as session:
        facts = registry_facts(session, tenant)
    with (
        databases.shard_transaction(tenant.shard) as connection,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
    ):
        if not connection.in_nested_transaction():
            # Every table from one snapshot, however long the copy takes. (Inside a caller's
            # savepoint the transaction's snapshot is the caller's to choose.)
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        connection.execution_options(schema_translate_map={TENANT_SCHEMA: schema})
        revision = schemas.schema_revision(connection, schema)
        tables = read_tables(connection, schema)
        dumps = []
        for table in tables:
            with archive.open(table_member(table.name), "w") as member:
                dumps.append(copy_table(connection, schema, table, member.write))
        files, missing = _write_attachments(
            archive, storage, attachment_keys(connection, schema, tables)
        )
        _write_simkopdes(archive, connection, tenant)
        manifest = {
            "format": FORMAT_VERSION,
            "tenant": facts,
            "schema": schema,
            "revision": revision,
            "exported_at": exported_at.isoformat(),
            "tables": [
                {"name": d.name, "rows": d.rows, "sha256": d.sha256, "columns": list(t.columns)}
                for d, t in zip(dumps, tables, strict=True)
            ],
            "attachments": files,
            "missing_attachments": missing,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest
