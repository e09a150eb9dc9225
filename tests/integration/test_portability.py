"""Exporting a cooperative's data as one archive and restoring it on any shard."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import DeclarativeBase

from saas.ledger.queries import (
    balance_sheet,
    cash_flow,
    equity_changes,
    income_statement,
    trial_balance,
)
from saas.members.models import Member
from saas.portability.catalog import read_tables
from saas.portability.export import export_tenant
from saas.portability.restore import RestoreError, open_archive, restore_tenant
from saas.savings.operations import member_statement
from saas.tenants import schemas
from saas.tenants.migrations import upgrade_schema
from saas.tenants.models import Tenant, TenantDomain, TenantStatus
from tests.factories import build_alpha_extras, build_alpha_gerai

EXPORTED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def plain(value: Any) -> Any:
    """A statement as plain values: accounts by their code, so two schemas' compare equal."""
    if isinstance(value, DeclarativeBase):
        return ("account", value.code, value.name)  # type: ignore[attr-defined]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def books(db, shard: str, schema: str, today: date) -> dict[str, Any]:
    """Every statement of a cooperative's books, and each table's row count."""
    start = date(2025, 1, 1)
    with db.tenant_session(shard, schema) as session:
        members = session.scalars(select(Member.id).order_by(Member.id)).all()
        statements = {
            "neraca": plain(balance_sheet(session, today)),
            "phu_2025": plain(income_statement(session, start, date(2025, 12, 31))),
            "phu": plain(income_statement(session, start, today)),
            "ekuitas": plain(equity_changes(session, start, today)),
            "arus_kas": plain(cash_flow(session, start, today)),
            "neraca_saldo": plain(trial_balance(session, today)),
            "anggota": {m: plain(member_statement(session, m, start, today)) for m in members},
        }
        connection = session.connection()
        statements["rows"] = {
            table.name: connection.exec_driver_sql(
                f'SELECT count(*) FROM "{schema}"."{table.name}"'
            ).scalar()
            for table in read_tables(connection, schema)
        }
    return statements


@pytest.fixture
def storage(app):
    return app.extensions["guyub.storage"]


@pytest.fixture
def alpha_books(app, db, tenants, storage):
    """Alpha with a closed 2025, SHU, a bill, a receipt, a loan and a sale at its shop."""
    build_alpha_extras(db, storage, tenants.a)
    build_alpha_gerai(db, tenants.a)
    return tenants.a


def export_bytes(db, storage, tenant: Tenant) -> bytes:
    target = io.BytesIO()
    export_tenant(db, storage, tenant, target, exported_at=EXPORTED_AT)
    return target.getvalue()


def test_export_holds_every_table_with_its_count_checksum_and_the_schema_revision(
    db, storage, alpha_books
):
    archive = zipfile.ZipFile(io.BytesIO(export_bytes(db, storage, alpha_books.tenant)))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == 1
    assert manifest["revision"] == schemas.tenant_head()
    assert manifest["exported_at"] == EXPORTED_AT.isoformat()
    assert manifest["tenant"]["slug"] == "alpha"
    assert manifest["tenant"]["name"] == "Koperasi Desa Merah Putih Alpha"
    names = [table["name"] for table in manifest["tables"]]
    assert "alembic_version" not in names
    # Parents come before the tables that refer to them.
    assert names.index("journal_entries") < names.index("journal_lines")
    assert names.index("members") < names.index("bill_items")
    for table in manifest["tables"]:
        content = archive.read(f"tables/{table['name']}.csv")
        assert hashlib.sha256(content).hexdigest() == table["sha256"]
        assert len(list(csv.reader(io.StringIO(content.decode())))) == table["rows"] + 1
    members = next(t for t in manifest["tables"] if t["name"] == "members")
    assert members["rows"] == 2


def test_export_carries_the_files_the_rows_name(db, storage, alpha_books):
    archive = zipfile.ZipFile(io.BytesIO(export_bytes(db, storage, alpha_books.tenant)))
    manifest = json.loads(archive.read("manifest.json"))
    with db.tenant_session("main", alpha_books.tenant.schema_name) as session:
        ktp = session.scalar(select(Member.ktp_photo_key).where(Member.ktp_photo_key.is_not(None)))
    assert ktp is not None
    assert archive.read(f"attachments/{ktp}") == storage.read(ktp)
    keys = {entry["key"] for entry in manifest["attachments"]}
    assert ktp in keys
    assert any(key.startswith(f"{alpha_books.tenant.schema_name}_pub/") for key in keys)
    assert manifest["missing_attachments"] == []


def test_export_writes_members_bills_and_profile_in_simkopdes_fields(db, storage, alpha_books):
    archive = zipfile.ZipFile(io.BytesIO(export_bytes(db, storage, alpha_books.tenant)))

    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(archive.read(f"simkopdes/{name}").decode())))

    members = rows("anggota.csv")
    assert {m["nik"] for m in members} == {"3273014507900001", "3273011208850002"}
    sri = next(m for m in members if m["nik"] == "3273014507900001")
    assert sri["status"] == "aktif"
    assert int(sri["simpanan_pokok"]) == 100_000  # paid in 2025 (factories.book_closed_2025)
    bills = rows("tagihan_simpanan.csv")
    assert {b["periode"] for b in bills} == {"2026-10"}
    assert {b["status"] for b in bills} == {"belum"}
    profile = rows("profil.csv")
    assert [p["subdomain"] for p in profile] == ["alpha"]
    assert profile[0]["nama_koperasi"] == "Koperasi Desa Merah Putih Alpha"


def test_restore_on_the_other_shard_gives_equal_books(app, db, storage, alpha_books, today):
    source = alpha_books.tenant
    before = books(db, "main", source.schema_name, today)
    archive = open_archive(io.BytesIO(export_bytes(db, storage, source)))

    copy = restore_tenant(
        db, app.extensions["guyub.settings"], storage, archive, slug="alpha-copy", shard="s2"
    )

    assert copy.status == TenantStatus.ACTIVE
    assert copy.shard == "s2"
    assert copy.schema_revision == schemas.tenant_head()
    after = books(db, "s2", copy.schema_name, today)
    assert after == before
    assert after["rows"]["journal_lines"] > 0
    assert after["neraca"] == before["neraca"]


def test_a_restored_cooperative_keeps_posting_after_its_largest_ids(
    app, db, storage, alpha_books, client_for
):
    archive = open_archive(io.BytesIO(export_bytes(db, storage, alpha_books.tenant)))
    copy = restore_tenant(
        db, app.extensions["guyub.settings"], storage, archive, slug="alpha-copy", shard="s2"
    )
    entries = f"{copy.schema_name}.journal_entries"
    with db.shard_transaction("s2") as connection:
        largest = connection.execute(text(f"SELECT max(id) FROM {entries}")).scalar()
        following = connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id'))"), {"table": entries}
        ).scalar()
    assert following == largest + 1
    # Its site answers on its own host.
    assert client_for("alpha-copy").get("/").status_code == 200


def test_restored_rows_name_files_under_the_new_cooperative(app, db, storage, alpha_books):
    archive = open_archive(io.BytesIO(export_bytes(db, storage, alpha_books.tenant)))
    copy = restore_tenant(
        db, app.extensions["guyub.settings"], storage, archive, slug="alpha-copy", shard="s2"
    )
    with db.tenant_session("s2", copy.schema_name) as session:
        ktp = session.scalar(select(Member.ktp_photo_key).where(Member.ktp_photo_key.is_not(None)))
    assert ktp is not None
    assert ktp.startswith(f"{copy.schema_name}/")
    assert storage.read(ktp) == archive.zip.read(
        f"attachments/{alpha_books.tenant.schema_name}/{ktp.split('/', 1)[1]}"
    )


def test_the_guards_stand_again_after_a_restore(app, db, storage, alpha_books):
    archive = open_archive(io.BytesIO(export_bytes(db, storage, alpha_books.tenant)))
    copy = restore_tenant(
        db, app.extensions["guyub.settings"], storage, archive, slug="alpha-copy", shard="s2"
    )
    with db.shard_transaction("s2") as connection:
        assert connection.exec_driver_sql("SHOW session_replication_role").scalar() == "origin"
        with pytest.raises(Exception, match="never changed"), connection.begin_nested():
            connection.exec_driver_sql(
                f'UPDATE "{copy.schema_name}".journal_lines SET debit = debit + 1'
            )


def test_a_tampered_archive_is_refused_and_leaves_nothing(app, db, storage, alpha_books):
    content = export_bytes(db, storage, alpha_books.tenant)
    tampered = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as original,
        zipfile.ZipFile(tampered, "w") as copy,
    ):
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "tables/members.csv":
                data = data.replace(b"Sri Wahyuni", b"Sri Wahyuna")
            copy.writestr(item, data)
    tampered.seek(0)

    with pytest.raises(RestoreError, match="members"):
        restore_tenant(
            db,
            app.extensions["guyub.settings"],
            storage,
            open_archive(tampered),
            slug="alpha-copy",
            shard="s2",
        )
    with db.platform_session() as session:
        tenant = session.scalars(select(Tenant).where(Tenant.slug == "alpha-copy")).one()
        assert tenant.status == TenantStatus.FAILED
        assert (
            session.scalar(select(TenantDomain.id).where(TenantDomain.host == "alpha-copy")) is None
        )
    with db.shard_transaction("s2") as connection:
        assert not schemas.schema_exists(connection, tenant.schema_name)


def test_an_archive_from_a_newer_revision_is_refused_before_the_slug_is_taken(
    app, db, storage, alpha_books
):
    content = export_bytes(db, storage, alpha_books.tenant)
    newer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as original, zipfile.ZipFile(newer, "w") as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["revision"] = "t9999"
                data = json.dumps(manifest).encode()
            copy.writestr(item, data)
    newer.seek(0)
    with pytest.raises(RestoreError, match="t9999"):
        restore_tenant(
            db,
            app.extensions["guyub.settings"],
            storage,
            open_archive(newer),
            slug="alpha-copy",
        )
    with db.platform_session() as session:
        assert session.scalar(select(Tenant.id).where(Tenant.slug == "alpha-copy")) is None


def test_something_other_than_an_archive_is_refused():
    with pytest.raises(RestoreError):
        open_archive(io.BytesIO(b"not a zip"))


def test_export_and_restore_commands_round_trip_a_cooperative(app, db, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "beta.zip"
    exported = runner.invoke(args=["tenants", "export", "beta", "--out", str(path)])
    assert exported.exit_code == 0, exported.output
    assert f"exported beta to {path}" in exported.output
    restored = runner.invoke(
        args=["tenants", "restore", str(path), "--as", "beta-copy", "--shard", "main"]
    )
    assert restored.exit_code == 0, restored.output
    assert "restored beta-copy" in restored.output
    with db.platform_session() as session:
        copy = session.scalars(select(Tenant).where(Tenant.slug == "beta-copy")).one()
    assert copy.shard == "main"
    assert copy.display_name == "Koperasi Desa Merah Putih Beta"


def test_restoring_onto_a_taken_slug_fails_with_a_message(app, db, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "beta.zip"
    assert runner.invoke(args=["tenants", "export", "beta", "--out", str(path)]).exit_code == 0
    restored = runner.invoke(args=["tenants", "restore", str(path), "--as", "alpha"])
    assert restored.exit_code != 0
    assert "is taken" in restored.output


def test_an_archive_from_an_older_revision_is_restored_and_migrated_to_head(app, db, storage):
    """A schema left at the revision before head (as a tenant not yet migrated) exports, and
    restores at head with its rows."""
    previous = schemas.tenant_script().get_revision(schemas.tenant_head()).down_revision
    assert isinstance(previous, str)
    with db.shard_transaction("s2") as connection:
        connection.exec_driver_sql('CREATE SCHEMA "kop_990001"')
        upgrade_schema(connection, "kop_990001", schemas.TENANT_MIGRATIONS, previous)
        connection.exec_driver_sql(
            "INSERT INTO kop_990001.members"
            " (number, nik, name, join_date, status, created_at, updated_at) VALUES"
            " ('0001', '3273014507900001', 'Wati Lama', '2025-01-02', 'active', now(), now())"
        )
    old = Tenant(slug="lama", display_name="Koperasi Lama", shard="s2", schema_name="kop_990001")
    target = io.BytesIO()
    manifest = export_tenant(db, storage, old, target, exported_at=EXPORTED_AT)
    assert manifest["revision"] == previous
    target.seek(0)

    restored = restore_tenant(
        db, app.extensions["guyub.settings"], storage, open_archive(target), slug="lama-baru"
    )

    with db.shard_transaction(restored.shard) as connection:
        assert schemas.schema_revision(connection, restored.schema_name) == schemas.tenant_head()
        names = connection.exec_driver_sql(
            f'SELECT name FROM "{restored.schema_name}".members'
        ).scalars()
        assert list(names) == ["Wati Lama"]
