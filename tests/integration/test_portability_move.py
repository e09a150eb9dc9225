"""Moving a cooperative between shards with its site up, and the shards' capacity."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

import saas.jobs
from saas import clock, daily
from saas.db import Databases, make_engine
from saas.loans.models import Loan
from saas.members import import_job
from saas.members.models import Member
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
from saas.tenants.move_holds import hold_against_move, hold_for_move, open_tenant_for_job
from saas.tenants.provisioning import provision_tenant
from saas.tenants.resolution import resolve_tenant
from tests.factories import (
    books_of,
    build_alpha_extras,
    build_alpha_gerai,
    csrf_token,
    login,
    text,
)
from tests.integration.lending import active_loan
from tests.integration.test_billing_notices import in_grace, recipients
from tests.integration.test_member_transfer import confirm, large_csv, upload, upload_key_of
from tests.integration.test_portability import books
from tests.queued import run_queued


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


def test_a_move_stopped_half_way_is_undone_by_abort(cli, db, storage, tenants, alpha):
    tenant = move.begin_move(db, "alpha", "s2")  # then the process was killed mid-copy
    move.copy_to_shard(db, storage, tenant)
    assert login(alpha, "ana@kopalpha.id").status_code == 503  # read-only while marked
    result = cli.invoke(args=["tenants", "move", "alpha", "--abort"])
    assert result.exit_code == 0, result.output
    assert "move of alpha to s2 undone" in result.output
    assert (registry(db, "alpha").shard, registry(db, "alpha").moving_to) == ("main", None)
    with db.shard_transaction("s2") as connection:
        assert not schemas.schema_exists(connection, tenants.a.tenant.schema_name)
    with db.shard_transaction("main") as connection:
        assert schemas.schema_exists(connection, tenants.a.tenant.schema_name)
    assert login(alpha, "ana@kopalpha.id").status_code == 302
    again = cli.invoke(args=["tenants", "move", "alpha", "--abort"])
    assert again.exit_code != 0
    assert "alpha is not moving" in again.output


def test_the_move_command_wants_a_shard_or_abort(cli, db):
    for args in (["alpha"], ["alpha", "--to", "s2", "--abort"]):
        result = cli.invoke(args=["tenants", "move", *args])
        assert result.exit_code != 0
        assert "give either --to SHARD or --abort" in result.output
    assert registry(db, "alpha").moving_to is None


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


# -- jobs while a cooperative moves ---------------------------------------------------------------


def members_on(db, shard: str, schema: str) -> int:
    with db.tenant_session(shard, schema) as session:
        return session.scalar(select(func.count()).select_from(Member))


def finish_move(db, tenant: Tenant) -> str:
    """Switch the registry to the copy and drop the source; the source shard's name."""
    source = switch_shard(db, tenant)
    with db.shard_transaction(source) as connection:
        # The test's one transaction still holds the balance checks deferred to the commit of
        # the entries it wrote; a real move's source committed them long before.
        connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
    assert tenant.schema_name is not None
    drop_source(db, source, tenant.schema_name)
    return source


@pytest.fixture
def confirmed_import(alpha, monkeypatch):
    """Five members an officer of alpha confirmed as a job (the threshold lowered to two rows):
    the import's preview URL."""
    monkeypatch.setattr(import_job, "BACKGROUND_ROWS", 2)
    login(alpha, "ana@kopalpha.id")
    preview_url = upload(alpha, large_csv(5), "kecil.csv").headers["Location"]
    assert confirm(alpha, preview_url).status_code == 302
    return preview_url


def test_an_import_queued_before_a_move_waits_for_it_and_then_writes_on_the_new_shard(
    app, db, storage, tenants, alpha, confirmed_import
):
    schema = tenants.a.tenant.schema_name
    before = members_on(db, "main", schema)

    tenant = begin_move(db, "alpha", "s2")
    assert run_queued(app, saas.jobs.import_members_file) == [("todo", 1)]  # later, not failed
    assert members_on(db, "main", schema) == before
    assert "Waiting to start" in text(alpha.get(confirmed_import + "/kemajuan"))

    copy_to_shard(db, storage, tenant)
    assert run_queued(app, saas.jobs.import_members_file) == [("todo", 2)]
    finish_move(db, tenant)
    # The job names its cooperative by id: it finds the new shard, not the dropped source.
    assert run_queued(app, saas.jobs.import_members_file) == [("succeeded", 3)]
    assert members_on(db, "s2", schema) == before + 5
    assert "5 members imported." in text(alpha.get(confirmed_import + "/kemajuan"))


def test_a_job_that_fails_for_another_reason_fails_without_waiting(
    app, storage, tenants, confirmed_import
):
    storage.delete(upload_key_of(confirmed_import, tenants.a.tenant))
    outcome = run_queued(app, saas.jobs.import_members_file)
    assert outcome == [("failed", 1)]  # tried once, and not queued again


def test_the_daily_assessment_of_a_moving_cooperative_runs_on_its_new_shard_once_moved(
    app, db, storage, tenants
):
    with books_of(db, tenants.a) as session:
        loan_id = active_loan(session, tenants).id
        session.commit()
    schema = tenants.a.tenant.schema_name

    def assessed_on(shard: str) -> date | None:
        with db.tenant_session(shard, schema) as session:
            return session.get_one(Loan, loan_id).assessed_on

    tenant = begin_move(db, "alpha", "s2")
    # 17:30 UTC is 00:30 WIB on the 16th: alpha's day begins while it moves.
    assert daily.begin_days(db, datetime(2026, 12, 15, 17, 30, tzinfo=UTC)) == 0
    assert run_queued(app, saas.jobs.begin_cooperative_day) == [("todo", 1)]
    copy_to_shard(db, storage, tenant)
    switch_shard(db, tenant)

    assert run_queued(app, saas.jobs.begin_cooperative_day) == [("succeeded", 2)]
    assert assessed_on("s2") == date(2026, 12, 16)
    assert assessed_on("main") is None  # the source was left as it was copied


def test_a_reset_link_asked_before_a_move_is_sent_once_the_cooperative_has_moved(
    app, db, storage, alpha, outbox
):
    token = csrf_token(alpha, "/lupa-sandi")
    alpha.post("/lupa-sandi", data={"email": "ana@kopalpha.id", "csrf_token": token})
    tenant = begin_move(db, "alpha", "s2")
    assert run_queued(app, saas.jobs.send_password_reset) == [("todo", 1)]
    assert outbox == []

    copy_to_shard(db, storage, tenant)
    finish_move(db, tenant)
    assert run_queued(app, saas.jobs.send_password_reset) == [("succeeded", 2)]
    assert [message["to"] for message in outbox] == [["ana@kopalpha.id"]]


def test_a_grace_notice_due_while_the_cooperative_moves_goes_out_at_the_first_run_after(
    app, db, storage, tenants, outbox, monkeypatch
):
    monkeypatch.setattr(saas.jobs, "flask_app", lambda: app)
    in_grace(db, tenants.a.tenant, until=clock.now() - timedelta(hours=1))
    tenant = begin_move(db, "alpha", "s2")
    assert saas.jobs.send_grace_reminders(timestamp=0) == 0  # not recorded as sent either
    assert outbox == []

    copy_to_shard(db, storage, tenant)
    finish_move(db, tenant)
    assert saas.jobs.send_grace_reminders(timestamp=0) == 1
    assert recipients(outbox) == ["ana@kopalpha.id", "bambang@kopalpha.id"]


def test_a_grace_notice_queued_before_a_move_is_sent_from_the_new_shard(
    app, db, storage, tenants, outbox
):
    in_grace(db, tenants.a.tenant, until=clock.now() + timedelta(days=3))
    with db.platform_session() as session:
        driver = session.connection().connection.driver_connection
        saas.jobs.send_grace_notice.configure(connection=driver).defer(
            tenant_id=tenants.a.tenant.id
        )
        session.commit()
    tenant = begin_move(db, "alpha", "s2")
    assert run_queued(app, saas.jobs.send_grace_notice) == [("todo", 1)]
    assert outbox == []

    copy_to_shard(db, storage, tenant)
    finish_move(db, tenant)
    assert run_queued(app, saas.jobs.send_grace_notice) == [("succeeded", 2)]
    assert recipients(outbox) == ["ana@kopalpha.id", "bambang@kopalpha.id"]


@pytest.fixture
def mover(settings):
    """Engines of their own (the test's savepoints share one connection, which no lock ever
    blocks) whose platform connections give up a lock after 200 ms."""
    databases = Databases(settings)
    databases.platform_engine = make_engine(
        settings.database_url, connect_args={"options": "-c lock_timeout=200ms"}
    )
    yield databases
    databases.dispose()


@pytest.fixture
def unmarked(settings, tenants):
    """Real connections for a test outside the savepoints; alpha left unmarked whatever
    happened."""
    databases = Databases(settings)
    yield databases
    with databases.platform_session() as session:
        session.execute(
            update(Tenant).where(Tenant.id == tenants.a.tenant.id).values(moving_to=None)
        )
        session.commit()
    databases.dispose()


def test_a_move_waits_for_the_jobs_at_work_in_the_cooperative(tenants, unmarked, mover):
    tenant_id = tenants.a.tenant.id
    with open_tenant_for_job(unmarked, tenant_id) as opened:
        assert opened is not None
        with pytest.raises(OperationalError, match="lock timeout"):
            begin_move(mover, "alpha", "s2")
    with unmarked.platform_session() as session:
        assert session.get_one(Tenant, tenant_id).moving_to is None
    with mover.platform_session() as session:
        hold_for_move(session, tenant_id)  # the job has finished: a move may begin


def test_a_move_waits_for_a_write_under_way_on_the_cooperatives_site(app, tenants, unmarked, mover):
    tenant_id = tenants.a.tenant.id
    with app.test_request_context("/masuk", method="POST", base_url="http://alpha.localhost"):
        assert resolve_tenant() is None  # the write goes ahead, and holds the move back
        with pytest.raises(OperationalError, match="lock timeout"):
            begin_move(mover, "alpha", "s2")
    with mover.platform_session() as session:
        hold_for_move(session, tenant_id)  # the request has ended: a move may begin


def test_the_hold_reads_whether_the_cooperative_has_begun_to_move(db, tenants):
    tenant_id = tenants.a.tenant.id
    with db.platform_session() as session:
        assert hold_against_move(session, tenant_id) is False
    begin_move(db, "alpha", "s2")
    with db.platform_session() as session:
        assert hold_against_move(session, tenant_id) is True
