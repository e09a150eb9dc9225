"""The test suite's routing of the application's databases into each test's transaction."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import g
from sqlalchemy import select
from sqlalchemy.exc import ProgrammingError

from saas.accounts.models import TenantUser
from saas.accounts.roles import Role
from saas.db import get_databases, platform_db, tenant_db, tenant_schema_map
from saas.tenants.models import Tenant
from saas.tenants.provisioning import provision_tenant
from tests.databases import routed_to_savepoints


@pytest.fixture
def neighbour(app, db, tenants) -> Tenant:
    """A second cooperative on alpha's shard, made inside the test's transaction."""
    tenant = provision_tenant(
        db,
        app.extensions["guyub.settings"],
        slug="tetangga",
        display_name="Koperasi Tetangga",
        shard=tenants.a.tenant.shard,
    )
    assert tenant.shard == tenants.a.tenant.shard
    return tenant


def user_names(session) -> set[str]:
    return set(session.scalars(select(TenantUser.name)))


def names_in_schema(db, shard: str, schema: str) -> set[str]:
    """The users of one schema, named explicitly (no schema map involved)."""
    with db.shard_transaction(shard) as connection:
        rows = connection.exec_driver_sql(f'SELECT name FROM "{schema}".users')
        return {row[0] for row in rows}


def test_two_tenant_sessions_on_one_shard_each_read_their_own_schema(db, tenants, neighbour):
    alpha = tenants.a.tenant
    alpha_names = {user.name for user in tenants.a.users.values()}
    with (
        db.tenant_session(alpha.shard, alpha.schema_name) as first,
        db.tenant_session(neighbour.shard, neighbour.schema_name) as second,
    ):
        assert user_names(first) == alpha_names
        assert user_names(second) == set()
        assert user_names(first) == alpha_names


def test_two_tenant_sessions_on_one_shard_each_write_to_their_own_schema(db, tenants, neighbour):
    alpha = tenants.a.tenant
    with (
        db.tenant_session(alpha.shard, alpha.schema_name) as first,
        db.tenant_session(neighbour.shard, neighbour.schema_name) as second,
    ):
        first.add(TenantUser(name="Ditulis Alpha", role=Role.STAFF))
        first.flush()
        second.add(TenantUser(name="Ditulis Tetangga", role=Role.STAFF))
        second.flush()
        first.add(TenantUser(name="Lagi Alpha", role=Role.STAFF))
        first.flush()
        # Savepoints on one connection nest: the later session's ends first.
        second.commit()
        first.commit()
    alpha_names = names_in_schema(db, alpha.shard, alpha.schema_name)
    assert {"Ditulis Alpha", "Lagi Alpha"} <= alpha_names
    assert "Ditulis Tetangga" not in alpha_names
    assert names_in_schema(db, neighbour.shard, neighbour.schema_name) == {"Ditulis Tetangga"}


def test_a_tenant_sessions_own_connection_keeps_its_schema(db, tenants, neighbour):
    alpha = tenants.a.tenant
    with db.tenant_session(alpha.shard, alpha.schema_name) as first:
        connection = first.connection()
        with db.tenant_session(neighbour.shard, neighbour.schema_name) as second:
            assert user_names(second) == set()
            names = set(connection.execute(select(TenantUser.name)).scalars())
    assert names == {user.name for user in tenants.a.users.values()}


def test_a_platform_session_on_a_tenants_shard_reads_no_tenant_table(db, tenants):
    alpha = tenants.a.tenant
    with db.tenant_session(alpha.shard, alpha.schema_name) as session:
        assert user_names(session)
        with db.platform_session() as platform, pytest.raises(ProgrammingError) as raised:
            platform.execute(select(TenantUser))
    assert 'relation "tenant.users" does not exist' in str(raised.value)


def test_options_given_to_a_transactions_connection_end_with_the_transaction(db, tenants):
    alpha = tenants.a.tenant
    with db.shard_transaction(alpha.shard) as connection:
        connection.execution_options(schema_translate_map=tenant_schema_map(alpha.schema_name))
        assert set(connection.execute(select(TenantUser.name)).scalars())
    with db.platform_session() as platform, pytest.raises(ProgrammingError):
        platform.execute(select(TenantUser))


class ViewFailed(Exception):
    """What a view raises in these tests."""


def request_on_alpha(app, tenants, work: Callable[[], object]) -> None:
    """Run ``work`` as a view on alpha's host: the request's sessions end when it does."""
    with app.test_request_context("/", base_url="http://alpha.localhost"):
        g.tenant = tenants.a.tenant
        work()


def write_user(name: str, *, commit: bool = False, fail: bool = False) -> None:
    tenant_db().add(TenantUser(name=name, role=Role.STAFF))
    tenant_db().flush()
    if commit:
        tenant_db().commit()
    if fail:
        raise ViewFailed


def test_a_request_ending_after_another_sessions_commit_keeps_that_work(app, db, tenants):
    def read_then_write() -> None:
        assert platform_db().scalar(select(Tenant.slug).where(Tenant.slug == "alpha"))
        write_user("Disimpan Permintaan", commit=True)

    request_on_alpha(app, tenants, read_then_write)
    alpha = tenants.a.tenant
    assert "Disimpan Permintaan" in names_in_schema(db, alpha.shard, alpha.schema_name)


def test_a_request_ending_with_writes_it_never_committed_fails_loudly(app, db, tenants):
    with pytest.raises(RuntimeError, match="never committed"):
        request_on_alpha(app, tenants, lambda: write_user("Lupa Disimpan"))
    alpha = tenants.a.tenant
    assert "Lupa Disimpan" not in names_in_schema(db, alpha.shard, alpha.schema_name)


def test_a_failed_request_rolls_back_what_it_never_committed(app, db, tenants):
    with pytest.raises(ViewFailed):
        request_on_alpha(app, tenants, lambda: write_user("Gagal Disimpan", fail=True))
    alpha = tenants.a.tenant
    assert "Gagal Disimpan" not in names_in_schema(db, alpha.shard, alpha.schema_name)


def test_routing_puts_the_applications_databases_back_and_keeps_nothing(app, tenants):
    original = app.extensions["guyub.databases"]
    with routed_to_savepoints(app) as routed, app.app_context():
        assert get_databases() is routed
        with get_databases().platform_session() as session:
            session.add(Tenant(slug="sementara", display_name="Sementara", shard="main"))
            session.commit()
    assert app.extensions["guyub.databases"] is original
    with app.app_context(), get_databases().platform_session() as session:
        assert session.scalar(select(Tenant.id).where(Tenant.slug == "sementara")) is None


def test_a_tests_block_that_wrote_in_one_core_statement_keeps_its_work(db, tenants):
    """Postings and receipts are written by Core statements, not by a flush: the block still
    commits them, as the request would."""
    schema = tenants.a.tenant.schema_name
    with db.tenant_session(tenants.a.tenant.shard, schema) as session:
        session.connection().execute(
            TenantUser.__table__.update()
            .where(TenantUser.id == tenants.a.users["pengawas"].id)
            .values(name="Dedi Diganti")
        )
    with db.tenant_session(tenants.a.tenant.shard, schema) as session:
        renamed = session.get_one(TenantUser, tenants.a.users["pengawas"].id)
        assert renamed.name == "Dedi Diganti"
