"""Moving a cooperative between shards with its site up, and the shards' capacity."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.portability import move
from saas.portability.move import (
    MoveError,
    SchemaTaken,
    begin_move,
    copy_to_shard,
    drop_source,
    move_tenant,
    switch_shard,
)
from saas.tenants import schemas
from saas.tenants.models import ShardLoad, Tenant
from saas.tenants.provisioning import provision_tenant
from tests.factories import build_alpha_extras, build_alpha_gerai, login, text
from tests.integration.test_portability import books


@pytest.fixture
def storage(app):
    return app.extensions["guyub.storage"]


@pytest.fixture
def cli(app, db):
    return app.test_cli_runner()


def registry(db, slug: str) -> Tenant:
    with db.platform_session() as session:
        return session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def counters(db) -> dict[str, int]:
    with db.platform_session() as session:
        return dict(session.execute(select(ShardLoad.name, ShardLoad.tenants)).all())


def test_a_cooperative_moves_to_the_other_shard_with_its_site_up_and_books_equal(
    db, storage, tenants, alpha, today
):
    build_alpha_extras(db, storage, tenants.a)
    build_alpha_gerai(db, tenants.a)
    schema = tenants.a.tenant.schema_name
    before = books(db, "main", schema, today)

    tenant = begin_move(db, "alpha", "s2")
    assert alpha.get("/").status_code == 200
    refused = alpha.post("/masuk", data={"identifier": "ana@kopalpha.id", "password": "x"})
    assert refused.status_code == 503
    assert "being moved" in text(refused)
    assert refused.headers["Retry-After"] == "30"

    copy_to_shard(db, storage, tenant)
    assert alpha.get("/").status_code == 200
    assert registry(db, "alpha").shard == "main"  # reads still come from the source

    source = switch_shard(db, tenant)
    assert source == "main"
    assert alpha.get("/").status_code == 200
    with db.shard_transaction("main") as connection:
        # The test's one transaction still holds the balance checks deferred to the commit of
        # the entries it wrote; a real move's source committed them long before.
        connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
    drop_source(db, source, schema)

    moved = registry(db, "alpha")
    assert (moved.shard, moved.schema_name, moved.moving_to) == ("s2", schema, None)
    with db.shard_transaction("main") as connection:
        assert not schemas.schema_exists(connection, schema)
    assert books(db, "s2", schema, today) == before
    assert "Koperasi Desa Merah Putih Alpha" in text(alpha.get("/"))
    signed_in = login(alpha, "ana@kopalpha.id")  # writes are taken again, on the new shard
    assert signed_in.status_code == 302


def test_the_move_command_moves_the_cooperative_and_its_count(cli, db):
    before = counters(db)
    result = cli.invoke(args=["tenants", "move", "beta", "--to", "main"])
    assert result.exit_code == 0, result.output
    assert "moved beta to main" in result.output
    assert registry(db, "beta").shard == "main"
    after = counters(db)
    assert after["main"] == before["main"] + 1
    assert after["s2"] == before["s2"] - 1


def test_a_move_onto_a_schema_of_the_same_name_is_refused_and_leaves_both_alone(
    db, storage, tenants, alpha
):
    schema = tenants.a.tenant.schema_name
    with db.shard_transaction("s2") as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        connection.exec_driver_sql(f'CREATE TABLE "{schema}".kept (id int)')
    with pytest.raises(SchemaTaken):
        move_tenant(db, storage, "alpha", "s2")
    tenant = registry(db, "alpha")
    assert (tenant.shard, tenant.moving_to) == ("main", None)
    with db.shard_transaction("s2") as connection:
        assert connection.exec_driver_sql(f'SELECT count(*) FROM "{schema}".kept').scalar() == 0
    assert login(alpha, "ana@kopalpha.id").status_code == 302


def test_a_failed_verification_drops_the_copy_and_takes_writes_again(
    db, storage, alpha, monkeypatch
):
    # The source's books read differently from the copy's: the verification fails.
    calls = iter([["copy"], ["source"]])
    monkeypatch.setattr(move, "books_fingerprint", lambda *_args: next(calls))
    with pytest.raises(MoveError, match="differ"):
        move_tenant(db, storage, "alpha", "s2")
    tenant = registry(db, "alpha")
    assert (tenant.shard, tenant.moving_to) == ("main", None)
    with db.shard_transaction("s2") as connection:
        assert not schemas.schema_exists(connection, tenant.schema_name)
    assert login(alpha, "ana@kopalpha.id").status_code == 302


@pytest.mark.parametrize(
    ("target", "message"), [("main", "is on main already"), ("s9", "unknown shard")]
)
def test_a_move_to_its_own_or_an_unknown_shard_is_refused(cli, db, target, message):
    result = cli.invoke(args=["tenants", "move", "alpha", "--to", target])
    assert result.exit_code != 0
    assert message in result.output
    assert registry(db, "alpha").moving_to is None


def test_capacity_reports_each_shards_schemas_catalog_and_disk(cli):
    result = cli.invoke(args=["tenants", "capacity"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split("\t")[:3] == ["shard", "live", "pooled"]
    table = [line.split("\t") for line in lines[1:] if line.count("\t") == 8]
    rows = {row[0]: row for row in table}
    assert set(rows) == {"main", "s2"}
    for row in rows.values():
        live, catalog_mb, disk_mb = int(row[1]), float(row[7]), float(row[8])
        assert live >= 1
        assert int(row[5]) > 0  # pg_class rows
        assert 0 < catalog_mb < disk_mb


def test_new_cooperatives_go_where_a_move_left_most_room(app, cli, db):
    settings = app.extensions["guyub.settings"]
    assert cli.invoke(args=["tenants", "move", "beta", "--to", "main"]).exit_code == 0
    loads = counters(db)
    emptier = min(loads, key=lambda name: loads[name])
    assert emptier == "s2"
    assert f"new cooperatives go to {emptier}" in cli.invoke(args=["tenants", "capacity"]).output
    tenant = provision_tenant(db, settings, slug="baru-sekali", display_name="Koperasi Baru")
    assert tenant.shard == "s2"
