"""The tenant registry, host resolution, shards, provisioning and its failure modes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import ProgrammingError

import saas.jobs
from saas.accounts.models import TenantUser
from saas.db import TENANT_SCHEMA
from saas.ledger import operations as ledger
from saas.ledger.rules import Line
from saas.models import TenantBase
from saas.tenants import provisioning, schemas
from saas.tenants.models import DomainKind, Tenant, TenantDomain, TenantStatus
from saas.tenants.operations import resume_tenant, suspend_tenant
from saas.tenants.provisioning import (
    POOL_CEILING,
    POOL_LAG,
    NoShardAvailable,
    ProvisioningError,
    choose_shard,
    count_tenant_on_shard,
    fill_schema_pool,
    list_shard_loads,
    pool_target,
    provision_tenant,
    recover_stuck_tenants,
)
from saas.tenants.resolution import KnownTenants
from saas.tenants.rules import SlugError
from tests.clock import TODAY
from tests.factories import count_statements, refused_by_database
from tests.factories import text as body


def provision(db, app, slug, **kwargs):
    return provision_tenant(
        db, app.extensions["guyub.settings"], slug=slug, display_name=f"Koperasi {slug}", **kwargs
    )


def tables_in(db, shard, schema):
    with db.shard_transaction(shard) as connection:
        return set(
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
            ).scalars()
        )


def test_provisioning_creates_the_schema_with_every_table_stamped_at_head(db, app):
    tenant = provision(db, app, "sukamaju")
    assert tenant.status == TenantStatus.ACTIVE
    assert tenant.schema_name == f"kop_{tenant.id}"
    assert tenant.schema_revision == schemas.tenant_head()
    declared = {table.name for table in TenantBase.metadata.tables.values()}
    assert tables_in(db, tenant.shard, tenant.schema_name) == {*declared, "alembic_version"}
    assert {"users", "invitations", "profile", "board_members", "business_units"} <= declared
    with db.shard_transaction(tenant.shard) as connection:
        assert schemas.schema_revision(connection, tenant.schema_name) == schemas.tenant_head()


def test_a_new_tenant_answers_on_its_subdomain_at_once(db, app, client_for):
    provision(db, app, "desa-baru")
    response = client_for("desa-baru").get("/")
    assert response.status_code == 200
    assert "Koperasi desa-baru" in body(response)


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("alpha", "taken"),
        ("www", "reserved"),
        ("admin", "reserved"),
        ("Ab", "malformed"),
        ("-abc", "malformed"),
        ("a" * 41, "malformed"),
        ("kop desa", "malformed"),
        ("abc--def", "malformed"),
    ],
)
def test_unusable_slugs_are_refused_and_nothing_is_written(db, app, slug, code):
    with db.platform_session() as session:
        before = session.scalar(select(text("count(*)")).select_from(Tenant))
    with pytest.raises(SlugError) as raised:
        provision(db, app, slug)
    assert raised.value.code == code
    with db.platform_session() as session:
        assert session.scalar(select(text("count(*)")).select_from(Tenant)) == before


def test_failed_provisioning_leaves_no_schema_and_frees_the_slug(db, app, monkeypatch):
    def explode(connection, schema_name, revision):
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema_name}"')
        raise RuntimeError("disk full")

    monkeypatch.setattr(schemas, "create_schema_from_metadata", explode)
    with pytest.raises(ProvisioningError):
        provision(db, app, "gagal")
    with db.platform_session() as session:
        row = session.scalars(select(Tenant).where(Tenant.slug == "gagal")).one()
        assert row.status == TenantStatus.FAILED
        assert "disk full" in row.failure_reason
        assert (
            session.scalars(select(TenantDomain).where(TenantDomain.tenant_id == row.id)).all()
            == []
        )
        failed_schema, failed_shard = row.schema_name, row.shard
    with db.shard_transaction(failed_shard) as connection:
        assert not schemas.schema_exists(connection, failed_schema)
    monkeypatch.undo()
    retry = provision(db, app, "gagal")
    assert retry.status == TenantStatus.ACTIVE


def test_new_tenants_go_to_the_shard_with_the_most_room(db, app):
    with db.platform_session() as session:
        loads = list_shard_loads(session, ["main", "s2"])
    emptier = min(loads, key=lambda name: (loads[name], name != "main"))
    first = provision(db, app, "pertama")
    assert first.shard == emptier
    with db.platform_session() as session:
        after = list_shard_loads(session, ["main", "s2"])
    assert after[emptier] == loads[emptier] + 1
    with db.platform_session() as session:
        count_tenant_on_shard(session, "main", 100)
        session.commit()
    assert provision(db, app, "kedua").shard == "s2"


def test_a_failed_provisioning_gives_its_place_on_the_shard_back(db, app, monkeypatch):
    with db.platform_session() as session:
        before = list_shard_loads(session, ["main", "s2"])
    monkeypatch.setattr(schemas, "create_schema_from_metadata", _explode)
    with pytest.raises(ProvisioningError):
        provision(db, app, "gagal-lagi", shard="s2")
    with db.platform_session() as session:
        assert list_shard_loads(session, ["main", "s2"]) == before


def _explode(*_args):
    raise RuntimeError("no space left on device")


def test_a_full_shard_takes_no_new_tenants(db):
    with db.platform_session() as session, pytest.raises(NoShardAvailable):
        choose_shard(session, ["main", "s2"], 1)


def test_tenant_on_the_second_shard_lives_in_the_second_database(db, tenants):
    b = tenants.b.tenant
    assert b.shard == "s2"
    assert "users" in tables_in(db, "s2", b.schema_name)
    assert tables_in(db, "main", b.schema_name) == set()


def test_provisioning_claims_a_ready_pool_schema_for_the_tenant(db, app):
    assert fill_schema_pool(db, "s2", 2) == 2
    with db.shard_transaction("s2") as connection:
        pool_before = schemas.list_pool_schemas(connection)
    tenant = provision(db, app, "dari-pool", shard="s2")
    with db.shard_transaction("s2") as connection:
        pool_after = schemas.list_pool_schemas(connection)
        assert schemas.claimed_by(connection, tenant.id) == tenant.schema_name
    assert len(pool_after) == len(pool_before) - 1
    assert set(pool_before) - set(pool_after) == {pool_before[0]} == {tenant.schema_name}
    assert "users" in tables_in(db, "s2", tenant.schema_name)
    with db.platform_session() as session:
        assert session.get_one(Tenant, tenant.id).schema_name == tenant.schema_name


def test_a_claim_is_three_statements_however_large_the_pool(db):
    fill_schema_pool(db, "s2", 4)
    statements: list[str] = []
    engine = db.shard_engines["s2"]

    def listen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):  # the test's own
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        with db.shard_transaction("s2") as connection:
            claimed = schemas.claim_pool_schema(connection, 424242, schemas.tenant_head())
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert claimed is not None
    assert len(statements) == 3  # the lock, the pool read, the mark
    with db.shard_transaction("s2") as connection:
        assert schemas.schema_revision(connection, claimed) == schemas.tenant_head()
        assert claimed not in schemas.list_pool_schemas(connection)
        assert len(schemas.list_pool_schemas(connection)) == 3
        assert schemas.claimed_by(connection, 424242) == claimed
        schemas.drop_schema(connection, claimed)


def test_a_claim_reads_no_schema_of_the_cooperatives_that_signed_up_before(db):
    """Every cooperative keeps its pool schema's name (``kop_p…``): a claim finds the ready
    ones by their comment without reading each cooperative's schema."""
    fill_schema_pool(db, "s2", 2)
    taken = [f"kop_p{index:016x}" for index in range(300)]
    with db.shard_transaction("s2") as connection:
        for index, name in enumerate(taken):  # schemas of cooperatives that signed up earlier
            connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
            connection.exec_driver_sql(f"COMMENT ON SCHEMA \"{name}\" IS 'tenant {index + 1}'")
        mark = {"mark": f"pool {schemas.tenant_head()}"}
        before = _comment_reads(connection)
        assert connection.execute(text(schemas.CLAIM_CANDIDATE), mark).scalar() is not None
        assert _comment_reads(connection) - before == 1  # not one per cooperative's schema
        ready, stale = schemas.read_pool(connection, schemas.tenant_head())
        assert len(ready) == 2
        assert not stale
        assert not set(ready) & set(taken)
        assert schemas.claimed_by(connection, 150) == taken[149]
        claimed = schemas.claim_pool_schema(connection, 424243, schemas.tenant_head())
        assert claimed == min(ready)
        assert schemas.list_pool_schemas(connection) == [max(ready)]
        for name in [*taken, *ready]:
            schemas.drop_schema(connection, name)


def _comment_reads(connection) -> int:
    """How many times this transaction has scanned the comments' catalog (pg_description)."""
    return connection.execute(
        text(
            "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_xact_sys_tables"
            " WHERE relname = 'pg_description'"
        )
    ).scalar_one()


def test_the_pool_fill_drops_pool_schemas_made_before_they_kept_their_names(db):
    with db.shard_transaction("s2") as connection:
        connection.exec_driver_sql('CREATE SCHEMA "pool_0123456789abcdef"')
    fill_schema_pool(db, "s2", 1)
    with db.shard_transaction("s2") as connection:
        assert not schemas.schema_exists(connection, "pool_0123456789abcdef")
        assert len(schemas.list_pool_schemas(connection)) == 1


CATALOG = (
    "SELECT table_name, column_name, data_type, is_nullable, column_default"
    " FROM information_schema.columns WHERE table_schema = :schema",
    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE connamespace = CAST(:schema AS regnamespace)",
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = :schema",
    "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger"
    " WHERE NOT tgisinternal AND tgrelid IN"
    " (SELECT oid FROM pg_class WHERE relnamespace = CAST(:schema AS regnamespace))",
    "SELECT proname, prosrc, proconfig::text FROM pg_proc"
    " WHERE pronamespace = CAST(:schema AS regnamespace)",
    "SELECT code, kind, role, is_header FROM {schema}.accounts",
)


def structure(connection, schema: str) -> set[tuple[str, ...]]:
    """Every table, column, constraint, index, trigger, function and starting account of
    ``schema``, its own name written as S."""
    rows: set[tuple[str, ...]] = set()
    for query in CATALOG:
        for row in connection.execute(text(query.format(schema=schema)), {"schema": schema}):
            rows.add(tuple(str(value).replace(schema, "S") for value in row))
    return rows


def test_a_pool_schema_made_from_the_recorded_script_equals_one_made_by_create_all(db, monkeypatch):
    monkeypatch.setattr(schemas, "RECORDED", schemas.RecordedDDL())  # as in a new process
    head = schemas.tenant_head()
    with db.shard_transaction("s2") as connection:
        compiled = schemas.add_pool_schema(connection, head)
    assert schemas.RECORDED.made is not None
    assert schemas.RECORDED.made[0] == compiled
    # Its functions are made under names no other schema has, then given their own.
    assert f'FUNCTION "{compiled}".ledger_immutable__made()' in schemas.RECORDED.made[1]
    with db.shard_transaction("s2") as connection:
        replayed = schemas.add_pool_schema(connection, head)
        schemas.create_schema_from_metadata(connection, "kop_dari_skrip", head)
    with db.shard_transaction("s2") as connection:
        made_by_create_all = structure(connection, compiled)
        assert len(made_by_create_all) > 500
        assert structure(connection, replayed) == made_by_create_all
        assert structure(connection, "kop_dari_skrip") == made_by_create_all
        assert schemas.schema_revision(connection, "kop_dari_skrip") == head
        for name in (compiled, replayed, "kop_dari_skrip"):
            schemas.drop_schema(connection, name)


def test_a_claimed_pool_schemas_guards_follow_it_to_its_new_name(db, app):
    fill_schema_pool(db, "s2", 1)
    tenant = provision(db, app, "jaga-pool", shard="s2")
    with db.shard_transaction("s2") as connection:
        settings = connection.execute(
            text(
                "SELECT DISTINCT unnest(proconfig) FROM pg_proc"
                " WHERE pronamespace = CAST(:schema AS regnamespace) AND proconfig IS NOT NULL"
            ),
            {"schema": tenant.schema_name},
        ).scalars()
        assert list(settings) == [f"search_path={tenant.schema_name}"]
    with db.tenant_session("s2", tenant.schema_name) as session:
        cash = ledger.account_by_role(session, "cash").id
        income = ledger.account_by_role(session, "other_income").id
        ledger.post_entry(
            session,
            entry_date=TODAY,
            description="Hibah",
            lines=[Line(cash, debit=5_000), Line(income, credit=5_000)],
            idempotency_key=uuid.uuid4(),
        )
        session.commit()  # the guards ran in the renamed schema at commit
        unbalanced = (  # written around the code, as a psql session would
            "WITH entry AS (INSERT INTO journal_entries (entry_date, description, source,"
            " idempotency_key, posted_at) VALUES (:day, 'x', 'manual', gen_random_uuid(), now())"
            " RETURNING id) INSERT INTO journal_lines (entry_id, account_id, entry_date, debit,"
            " credit, line_no) SELECT id, :cash, :day, 100, 0, 1 FROM entry"
            " UNION ALL SELECT id, :income, :day, 0, 90, 2 FROM entry"
        )
        error = refused_by_database(
            session, tenant.schema_name, unbalanced, day=TODAY, cash=cash, income=income
        )
        assert "does not balance: 2 lines, debit 100, credit 90" in error


def queued_refills(db) -> list[dict[str, object]]:
    with db.platform_session() as session:
        return list(
            session.execute(
                text(
                    "SELECT args FROM procrastinate_jobs"
                    " WHERE task_name = 'saas.jobs.refill_schema_pool' AND status = 'todo'"
                )
            ).scalars()
        )


def test_a_claim_asks_the_worker_to_refill_that_shards_pool_once(db, app, monkeypatch):
    settings = replace(app.extensions["guyub.settings"], schema_pool_target=3)
    fill_schema_pool(db, "s2", 2)
    for slug in ("antre-satu", "antre-dua"):
        provision_tenant(db, settings, slug=slug, display_name=slug, shard="s2")
    assert queued_refills(db) == [{"shard": "s2"}]  # one waits: it sees both claims
    monkeypatch.setattr(saas.jobs, "flask_app", lambda: app)
    monkeypatch.setitem(app.extensions, "guyub.settings", settings)
    with db.platform_session() as session:
        session.execute(text("UPDATE procrastinate_jobs SET status = 'succeeded'"))
        session.commit()
    # Two sign-ups in the last ten minutes ask for no more than the configured three.
    assert saas.jobs.refill_schema_pool(shard="s2") == 3
    with db.shard_transaction("s2") as connection:
        assert len(schemas.list_pool_schemas(connection)) == 3


def test_a_burst_of_sign_ups_grows_the_pool_to_match_it(db):
    now = datetime.now(UTC) + timedelta(days=1)  # no test cooperative signed up near then
    with db.platform_session() as session:
        assert pool_target(session, "s2", 0, now) == 0
        for index in range(5):
            session.add(
                Tenant(
                    slug=f"serbu-{index}",
                    display_name="x",
                    shard="s2",
                    schema_name=f"kop_serbu_{index}",
                    status=TenantStatus.ACTIVE,
                    created_at=now - timedelta(minutes=index),
                )
            )
        session.add(
            Tenant(
                slug="lama",
                display_name="x",
                shard="s2",
                schema_name="kop_lama",
                status=TenantStatus.ACTIVE,
                created_at=now - timedelta(hours=1),
            )
        )
        session.flush()
        assert pool_target(session, "s2", 0, now) == 5  # the last ten minutes'
        assert pool_target(session, "main", 0, now) == 0  # on that shard only
        assert pool_target(session, "s2", 50, now) == 50  # never below the configured size
        assert pool_target(session, "s2", 500, now) == POOL_CEILING
        # Right after a claim the last minute is not counted yet: the sign-up of this very
        # minute is left out, those of one to four minutes ago are in.
        assert pool_target(session, "s2", 0, now, lag=POOL_LAG) == 4
        session.rollback()


def test_past_twice_its_floor_the_pool_is_filled_at_half_speed(db, monkeypatch):
    rests: list[float] = []
    monkeypatch.setattr(provisioning.time, "sleep", rests.append)
    assert fill_schema_pool(db, "s2", 1) == 1  # the floor reached, no floor given: no rest
    assert rests == []
    assert fill_schema_pool(db, "s2", 5, floor=2) == 4
    assert len(rests) == 2  # once the pool holds twice two: after the third and fourth made
    assert all(rest > 0 for rest in rests)  # as long as making each took


def test_a_stale_pool_schema_is_never_claimed_and_the_pool_fill_drops_it(db, app):
    with db.shard_transaction("s2") as connection:
        stale = schemas.add_pool_schema(connection, "old-revision")
    tenant = provision(db, app, "tanpa-basi", shard="s2")
    with db.shard_transaction("s2") as connection:
        assert schemas.schema_exists(connection, stale)
        assert schemas.schema_revision(connection, tenant.schema_name) == schemas.tenant_head()
    fill_schema_pool(db, "s2", 1)
    with db.shard_transaction("s2") as connection:
        assert not schemas.schema_exists(connection, stale)
        assert len(schemas.list_pool_schemas(connection)) == 1


def test_unknown_host_is_404(client_for):
    response = client_for("tidak-ada").get("/")
    assert response.status_code == 404


@pytest.mark.parametrize("host", ["bad_host!", "a..b", "[::1]", "alpha.localhost.evil.example"])
def test_malformed_or_foreign_host_is_404(app, db, host):
    client = app.test_client()
    assert client.get("/", headers={"Host": host}).status_code == 404


def test_tenant_is_never_taken_from_a_header_or_cookie_the_client_sends(platform):
    response = platform.get(
        "/kelola", headers={"X-Tenant": "alpha", "X-Forwarded-Host": "alpha.localhost"}
    )
    assert response.status_code == 404


def test_suspended_tenant_gets_a_403_page_in_both_languages(db, tenants, client_for):
    with db.platform_session() as session:
        suspend_tenant(session, session.get(Tenant, tenants.a.tenant.id), "audit")
    english = client_for("alpha").get("/")
    assert english.status_code == 403
    assert "This cooperative is suspended" in body(english)
    indonesian = client_for("alpha", lang=None).get("/")
    assert indonesian.status_code == 403
    assert "Koperasi ini sedang dinonaktifkan sementara" in body(indonesian)
    with db.platform_session() as session:
        resume_tenant(session, session.get(Tenant, tenants.a.tenant.id))
    assert client_for("alpha").get("/").status_code == 200


def platform_sql(db, statement: str, **params) -> None:
    """Write the registry around the code, as a psql session would."""
    with db.platform_transaction() as connection:
        connection.execute(text(statement), params)


def test_a_known_tenant_is_one_short_read_and_is_never_served_as_it_was(db, tenants, client_for):
    visitor = client_for("alpha")
    assert visitor.get("/robots.txt").status_code == 200  # this process knows alpha now
    again, statements = count_statements(db, lambda: visitor.get("/robots.txt"))
    assert again.status_code == 200
    assert len(statements) == 1, statements
    assert "xmin" in statements[0]
    assert "tenants.display_name" not in statements[0]  # the versions, not the whole row
    platform_sql(
        db, "UPDATE tenants SET status = 'suspended' WHERE id = :id", id=tenants.a.tenant.id
    )
    suspended, statements = count_statements(db, lambda: visitor.get("/"))
    assert suspended.status_code == 403
    assert len(statements) == 2  # the versions changed: the row is read again
    platform_sql(db, "UPDATE tenants SET status = 'active' WHERE id = :id", id=tenants.a.tenant.id)
    assert visitor.get("/").status_code == 200
    platform_sql(
        db,
        "DELETE FROM tenant_domains WHERE tenant_id = :id AND kind = 'subdomain'",
        id=tenants.a.tenant.id,
    )
    assert visitor.get("/robots.txt").status_code == 404
    assert client_for("beta").get("/robots.txt").status_code == 200


def test_a_changed_summary_is_read_with_the_versions_in_one_statement(db, tenants):
    known = KnownTenants()

    def find():
        with db.platform_read() as connection:
            return known.find(connection, DomainKind.SUBDOMAIN, "alpha")

    tenant, _summary = find()
    platform_sql(
        db,
        "INSERT INTO tenant_summaries (tenant_id, running_units, members, completeness,"
        " refreshed_at) VALUES (:id, 3, 4321, 80, now()) ON CONFLICT (tenant_id) DO UPDATE"
        " SET members = 4321, refreshed_at = now()",
        id=tenants.a.tenant.id,
    )
    (same_tenant, summary), statements = count_statements(db, find)
    assert len(statements) == 1, statements
    assert same_tenant is tenant  # its registry row did not change
    assert (summary.tenant_id, summary.members) == (tenants.a.tenant.id, 4321)
    (_tenant, again), statements = count_statements(db, find)
    assert again is summary
    assert len(statements) == 1
    with db.platform_read() as connection:
        assert known.find(connection, DomainKind.SUBDOMAIN, "tidak-ada") is None


def test_verified_custom_domain_resolves_and_an_unverified_one_does_not(db, tenants, app):
    with db.platform_session() as session:
        session.add_all(
            [
                TenantDomain(
                    tenant_id=tenants.b.tenant.id,
                    kind=DomainKind.CUSTOM,
                    host="kopdes-beta.id",
                    verified_at=datetime.now(UTC),
                ),
                TenantDomain(
                    tenant_id=tenants.b.tenant.id,
                    kind=DomainKind.CUSTOM,
                    host="belum.example",
                    verified_at=None,
                ),
            ]
        )
        session.commit()
    client = app.test_client()
    verified = client.get("/", headers={"Host": "kopdes-beta.id"})
    assert verified.status_code == 200
    assert "Koperasi Desa Merah Putih Beta" in body(verified)
    assert "Selamat datang" in body(verified)  # the tenant's default language
    assert client.get("/", headers={"Host": "belum.example"}).status_code == 404


def test_an_unmapped_tenant_query_fails_loudly_instead_of_reading_public(app, db):
    engine = db.shard_engines["main"]
    with engine.connect() as connection, pytest.raises(ProgrammingError) as raised:
        connection.execute(select(TenantUser))
    assert 'relation "tenant.users" does not exist' in str(raised.value)


def test_recovery_finishes_or_undoes_provisionings_that_stopped_midway(db):
    old = datetime(2026, 1, 1, tzinfo=UTC)
    with db.platform_session() as session:
        built = Tenant(slug="setengah-jadi", display_name="x", shard="s2", created_at=old)
        lost = Tenant(slug="hilang", display_name="y", shard="s2", created_at=old)
        session.add_all([built, lost])
        session.flush()
        built.schema_name, lost.schema_name = f"kop_{built.id}", f"kop_{lost.id}"
        session.commit()
        built_id, lost_id, built_schema = built.id, lost.id, built.schema_name
    with db.shard_transaction("s2") as connection:
        schemas.create_schema_from_metadata(connection, built_schema, schemas.tenant_head())
    fill_schema_pool(db, "s2", 1)
    with db.platform_session() as session:
        pooled = Tenant(slug="dari-pool-putus", display_name="z", shard="s2", created_at=old)
        session.add(pooled)
        session.flush()
        pooled.schema_name = f"kop_{pooled.id}"
        session.commit()
        pooled_id = pooled.id
    with db.shard_transaction("s2") as connection:  # claimed, then the sign-up was cut short
        claimed = schemas.claim_pool_schema(connection, pooled_id, schemas.tenant_head())

    outcomes = recover_stuck_tenants(db, timedelta(minutes=10))

    assert sorted(outcomes) == [
        ("dari-pool-putus", "activated"),
        ("hilang", "failed"),
        ("setengah-jadi", "activated"),
    ]
    with db.platform_session() as session:
        assert session.get(Tenant, built_id).status == TenantStatus.ACTIVE
        assert session.get(Tenant, built_id).schema_revision == schemas.tenant_head()
        assert session.get(Tenant, lost_id).status == TenantStatus.FAILED
        assert session.get(Tenant, pooled_id).status == TenantStatus.ACTIVE
        assert session.get(Tenant, pooled_id).schema_name == claimed


def test_recovery_leaves_fresh_provisionings_alone(db):
    with db.platform_session() as session:
        session.add(
            Tenant(slug="baru-mulai", display_name="x", shard="main", schema_name="kop_999999")
        )
        session.commit()
    assert recover_stuck_tenants(db, timedelta(minutes=10)) == []


def test_building_a_schema_gives_the_callers_connection_over_to_it(db):
    with db.shard_transaction("s2") as connection:
        schemas.create_schema_from_metadata(connection, "kop_mapped", schemas.tenant_head())
        mapped = connection.get_execution_options()["schema_translate_map"]
        found = connection.execute(select(TenantUser.id)).all()
    assert mapped == {TENANT_SCHEMA: "kop_mapped"}
    assert found == []  # the placeholder schema reads the new schema's (empty) users
