"""Restoring an exported archive into a fresh schema on any shard.

The schema is built as a new tenant's is, at the archive's revision (from the metadata at head,
or by the tenant migrations up to an older one; an archive from a newer revision is refused).
In one shard transaction its starting rows are cleared, every table is loaded with ``COPY FROM``
in the manifest's order with the guards' triggers off for that transaction only
(``session_replication_role = replica``: the rows were checked when they were first written, and
each table is verified against the manifest's checksum before the transaction ends), identity
sequences continue from the largest id, the files' keys move to the schema's own folders, and an
older archive is migrated to head. Nothing is left behind when any step fails.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from alembic.util.exc import CommandError
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateSchema

from saas.config import Settings
from saas.db import Databases, check_schema_name
from saas.microsite.operations import public_owner
from saas.portability import export
from saas.portability.catalog import TableShape, quoted, read_tables
from saas.storage import KEY_RE, Storage
from saas.tenants import schemas
from saas.tenants.migrations import upgrade_schema
from saas.tenants.models import DomainKind, Tenant, TenantDomain, TenantStatus
from saas.tenants.provisioning import mark_tenant_failed, register_tenant

log = logging.getLogger(__name__)


class RestoreError(ValueError):
    """The archive cannot be restored (its format, revision or content); nothing was written."""


@dataclass(frozen=True)
class Archive:
    """An opened export: its manifest and its members."""

    zip: zipfile.ZipFile
    manifest: dict[str, Any]

    @property
    def revision(self) -> str:
        return str(self.manifest["revision"])

    @property
    def schema(self) -> str:
        return check_schema_name(str(self.manifest["schema"]))


def open_archive(source: IO[bytes] | str) -> Archive:
    """Open an export and read its manifest; RestoreError when it is not one of ours."""
    try:
        archive = zipfile.ZipFile(source)
        manifest = json.loads(archive.read(export.MANIFEST))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise RestoreError(f"not an export archive: {exc}") from exc
    if manifest.get("format") != export.FORMAT_VERSION:
        raise RestoreError(f"archive format {manifest.get('format')!r} is not supported")
    return Archive(archive, manifest)


def revision_is_head(revision: str) -> bool:
    """Whether ``revision`` is head (True) or an older one the migrations know (False);
    RestoreError for one they do not know (a newer version's)."""
    head = schemas.tenant_head()
    if revision == head:
        return True
    script = schemas.tenant_script()
    try:
        known = script.get_revision(revision)
    except CommandError:
        known = None
    if known is None or revision not in {
        r.revision for r in script.iterate_revisions(head, "base")
    }:
        raise RestoreError(
            f"the archive is at revision {revision!r}, which this version does not know: "
            "restore it with the version that made it, or a newer one"
        )
    return False


def build_schema(connection: Connection, schema: str, revision: str) -> None:
    """A new tenant's schema at ``revision``: from the metadata at head, else by migrations."""
    if revision_is_head(revision):
        schemas.create_schema_from_metadata(connection, schema, revision)
        return
    connection.execute(CreateSchema(check_schema_name(schema)))
    upgrade_schema(connection, schema, schemas.TENANT_MIGRATIONS, revision)


def _load_table(
    connection: Connection, archive: Archive, schema: str, entry: dict[str, Any]
) -> None:
    name = str(entry["name"])
    digest = hashlib.sha256()
    columns = ", ".join(quoted(c) for c in entry["columns"])
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    sql = f"COPY {quoted(schema)}.{quoted(name)} ({columns}) FROM STDIN WITH (FORMAT csv, HEADER)"
    with archive.zip.open(export.table_member(name)) as member, cursor.copy(sql) as copy:
        while chunk := member.read(1 << 20):
            digest.update(chunk)
            copy.write(chunk)
    if digest.hexdigest() != entry["sha256"]:
        raise RestoreError(f"table {name}: the archive's file does not match its checksum")


def _continue_identities(connection: Connection, schema: str, tables: list[TableShape]) -> None:
    """Each identity column's next value follows the largest id restored."""
    for table in tables:
        if table.identity is None:
            continue
        column, relation = quoted(table.identity), f"{quoted(schema)}.{quoted(table.name)}"
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence(%(relation)s, %(column)s),"
            f" coalesce((SELECT max({column}) FROM {relation}), 1),"
            f" (SELECT max({column}) FROM {relation}) IS NOT NULL)",
            {"relation": relation, "column": table.identity},
        )


def _verify(
    connection: Connection, archive: Archive, schema: str, tables: list[TableShape]
) -> None:
    """Read every table back: the same rows and bytes as the manifest records."""
    by_name = {table.name: table for table in tables}
    for entry in archive.manifest["tables"]:
        table = by_name.get(entry["name"])
        if table is None:
            raise RestoreError(f"table {entry['name']} is not in the restored schema")
        found = export.table_checksum(connection, schema, table)
        if (found.rows, found.sha256) != (entry["rows"], entry["sha256"]):
            raise RestoreError(
                f"table {table.name}: restored {found.rows} rows that differ from the archive's"
                f" {entry['rows']}"
            )


def rename_keys(old_schema: str, new_schema: str, key: str) -> str:
    """A stored file's key under the restored schema's folders."""
    owner, rest = key.split("/", 1)
    mapping = {old_schema: new_schema, public_owner(old_schema): public_owner(new_schema)}
    return f"{mapping.get(owner, owner)}/{rest}"


def _move_keys(connection: Connection, old: str, new: str, tables: list[TableShape]) -> None:
    """Point the rows' file keys at the new schema's folders (the files are copied there)."""
    if old == new:
        return
    for before, after in ((old, new), (public_owner(old), public_owner(new))):
        prefix = {"before": before + "/", "after": after + "/"}
        for table in tables:
            for column in table.file_columns:
                name = quoted(column)
                connection.exec_driver_sql(
                    f"UPDATE {quoted(new)}.{quoted(table.name)}"
                    f" SET {name} = %(after)s || substr({name}, length(%(before)s) + 1)"
                    f" WHERE starts_with({name}, %(before)s)",
                    prefix,
                )


def load_archive(connection: Connection, archive: Archive, schema: str) -> None:
    """Build ``schema`` and load the archive into it, verified (caller's shard transaction)."""
    build_schema(connection, schema, archive.revision)
    tables = read_tables(connection, schema)
    listed = {str(entry["name"]) for entry in archive.manifest["tables"]}
    missing = listed - {table.name for table in tables}
    if missing:
        raise RestoreError(f"tables not in a schema at {archive.revision}: {sorted(missing)}")
    # The guards refuse what a person must never do (change a posted entry, delete a paid
    # share); a restore writes rows those guards already let in, for this transaction only.
    connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
    connection.exec_driver_sql(
        "TRUNCATE " + ", ".join(f"{quoted(schema)}.{quoted(t.name)}" for t in tables)
    )
    for entry in archive.manifest["tables"]:
        _load_table(connection, archive, schema, entry)
    _continue_identities(connection, schema, tables)
    _verify(connection, archive, schema, tables)
    _move_keys(connection, archive.schema, schema, tables)
    connection.exec_driver_sql("SET LOCAL session_replication_role = origin")
    if archive.revision != schemas.tenant_head():
        upgrade_schema(connection, schema, schemas.TENANT_MIGRATIONS, schemas.tenant_head())
        # The migrations set the transaction's search path to the schema; what the caller
        # runs next in this transaction names its own.
        connection.exec_driver_sql("SET LOCAL search_path TO DEFAULT")


def copy_attachments(storage: Storage, archive: Archive, schema: str) -> list[str]:
    """Write the archive's files under ``schema``'s folders; their new keys."""
    written = []
    for entry in archive.manifest["attachments"]:
        key = str(entry["key"])
        if not KEY_RE.fullmatch(key):
            raise RestoreError(f"not a storage key: {key!r}")
        content = archive.zip.read(f"attachments/{key}")
        if hashlib.sha256(content).hexdigest() != entry["sha256"]:
            raise RestoreError(f"file {key}: the archive's copy does not match its checksum")
        new_key = rename_keys(archive.schema, schema, key)
        storage.write(new_key, content)
        written.append(new_key)
    return written


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def restore_tenant(
    databases: Databases,
    settings: Settings,
    storage: Storage,
    archive: Archive,
    *,
    slug: str,
    shard: str | None = None,
) -> Tenant:
    """Register ``slug`` and restore the archive into its new schema; the tenant, active.

    As provisioning does, each step commits as its durability boundary: the registry row (the
    slug held), the shard's schema with its data, then the row made active. A failing load
    leaves no schema and marks the row failed, freeing the slug.
    """
    facts = archive.manifest["tenant"]
    revision_is_head(archive.revision)  # refuses a newer one before the slug is taken
    with databases.platform_session() as session:
        tenant = register_tenant(
            session,
            settings,
            databases.shard_names,
            slug=slug,
            display_name=str(facts["name"]),
            default_locale=str(facts.get("default_locale") or "id"),
            shard=shard,
            region_code=facts.get("region_code"),
        )
        assert tenant.schema_name is not None
        try:
            with databases.shard_transaction(tenant.shard) as connection:
                load_archive(connection, archive, tenant.schema_name)
                copy_attachments(storage, archive, tenant.schema_name)
        except Exception as exc:
            log.exception("restore failed", extra={"tenant_id": tenant.id})
            mark_tenant_failed(session, tenant.id, f"restore: {type(exc).__name__}: {exc}")
            raise
        tenant.status = TenantStatus.ACTIVE
        tenant.schema_revision = schemas.tenant_head()
        tenant.region_label = facts.get("region_label")
        add_custom_domains(session, tenant, facts.get("domains") or [])
        session.commit()  # a step's durability boundary: the restored tenant is live
    log.info("tenant restored", extra={"tenant_id": tenant.id, "shard": tenant.shard})
    return tenant


def add_custom_domains(session: Session, tenant: Tenant, domains: list[dict[str, Any]]) -> None:
    """The archive's own web addresses that no other cooperative holds now."""
    for domain in domains:
        if domain["kind"] != DomainKind.CUSTOM.value:
            continue
        if session.scalar(select(TenantDomain.id).where(TenantDomain.host == domain["host"])):
            continue  # still the original's: a copy does not take it
        session.add(
            TenantDomain(
                tenant=tenant,
                kind=DomainKind.CUSTOM,
                host=domain["host"],
                verified_at=parse_time(domain.get("verified_at")),
            )
        )
