"""Schema migrations: the tenant runner over committed tenants, and drift between migrations and
models. These tests commit for real (the runner uses its own processes and connections) and
clean up after themselves.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, select, update

from saas.db import Databases, get_databases
from saas.models import PlatformBase
from saas.tenants import schemas
from saas.tenants.migrations import migrate_tenants, upgrade_schema
from saas.tenants.models import Tenant
from saas.tenants.provisioning import provision_tenant

ADD_COLUMN = '''"""add a note to users

Revision ID: {rev}
Revises: {down}
"""
from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("note", sa.String(50)))
    op.create_index("ix_users_note", "users", ["note"])


def downgrade() -> None:
    op.drop_index("ix_users_note", table_name="users")
    op.drop_column("users", "note")
'''


@pytest.fixture
def committed(app) -> Iterator[tuple[Databases, list[Tenant]]]:
    """Three committed tenants on both shards, removed afterwards."""
    settings = app.extensions["guyub.settings"]
    with app.app_context():
        databases = get_databases()
        prefix = f"mig-{uuid.uuid4().hex[:6]}"
        made = [
            provision_tenant(
                databases, settings, slug=f"{prefix}-{n}", display_name=f"Mig {n}", shard=shard
            )
            for n, shard in enumerate(["main", "s2", "main"])
        ]
        yield databases, made
        for tenant in made:
            with databases.shard_transaction(tenant.shard) as connection:
                schemas.drop_schema(connection, tenant.schema_name)
        with databases.platform_session() as session:
            session.execute(delete(Tenant).where(Tenant.id.in_([t.id for t in made])))
            session.commit()


@pytest.fixture
def tree_with_new_revision(tmp_path: Path) -> tuple[Path, str]:
    location = tmp_path / "tenant"
    shutil.copytree(schemas.TENANT_MIGRATIONS, location)
    head = schemas.tenant_head()
    rev = "t9" + uuid.uuid4().hex[:6]
    (location / "versions" / f"{rev}_note.py").write_text(ADD_COLUMN.format(rev=rev, down=head))
    return location, rev


def columns(databases: Databases, tenant: Tenant) -> set[str]:
    with databases.shard_engines[tenant.shard].connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT column_name FROM information_schema.columns "
            f"WHERE table_schema = '{tenant.schema_name}' AND table_name = 'users'"
        )
        return {row[0] for row in rows}


def registry_revisions(databases: Databases, tenants: list[Tenant]) -> dict[str, str | None]:
    with databases.platform_session() as session:
        rows = session.execute(
            select(Tenant.slug, Tenant.schema_revision).where(
                Tenant.id.in_([t.id for t in tenants])
            )
        )
        return dict(rows.all())


def test_a_run_with_every_tenant_at_head_does_nothing(app, committed):
    databases, made = committed
    report = migrate_tenants(
        databases, app.extensions["guyub.settings"], only=[t.slug for t in made]
    )
    assert report.considered == 0
    assert report.ok


def test_runner_migrates_every_tenant_and_keeps_going_past_a_failing_one(
    app, committed, tree_with_new_revision
):
    databases, made = committed
    location, rev = tree_with_new_revision
    broken = made[1]
    with databases.shard_engines[broken.shard].begin() as connection:
        connection.exec_driver_sql(f'ALTER TABLE "{broken.schema_name}".users ADD COLUMN note text')
    settings = app.extensions["guyub.settings"]
    slugs = [t.slug for t in made]

    report = migrate_tenants(databases, settings, jobs=2, location=location, only=slugs)

    assert report.head == rev
    assert sorted(report.migrated) == sorted([made[0].slug, made[2].slug])
    assert [slug for slug, _ in report.failed] == [broken.slug]
    assert "already exists" in report.failed[0][1]
    assert "note" in columns(databases, made[0])
    revisions = registry_revisions(databases, made)
    assert revisions[made[0].slug] == rev
    assert revisions[broken.slug] == schemas.tenant_head()

    # A second run resumes: only the failed tenant is behind; once mended it catches up.
    with databases.shard_engines[broken.shard].begin() as connection:
        connection.exec_driver_sql(f'ALTER TABLE "{broken.schema_name}".users DROP COLUMN note')
    again = migrate_tenants(databases, settings, jobs=1, location=location, only=slugs)
    assert again.considered == 1
    assert again.migrated == [broken.slug]
    assert registry_revisions(databases, made)[broken.slug] == rev


def test_cli_migrate_exits_non_zero_and_names_the_failing_tenant(app, committed):
    databases, made = committed
    victim = made[0]
    with databases.shard_engines[victim.shard].begin() as connection:
        connection.exec_driver_sql(f'DELETE FROM "{victim.schema_name}".alembic_version')
    with databases.platform_session() as session:
        session.execute(update(Tenant).where(Tenant.id == victim.id).values(schema_revision=None))
        session.commit()
    result = app.test_cli_runner().invoke(
        args=["tenants", "migrate", "--jobs", "1", *[f"--only={t.slug}" for t in made]]
    )
    assert result.exit_code == 1
    assert f"FAILED {victim.slug}" in result.output
    assert "1 failed" in result.output


def test_tenant_migrations_build_exactly_what_the_models_declare(db):
    with db.shard_transaction("main") as connection:
        schemas.drop_schema(connection, "tpl_drift")
        connection.exec_driver_sql('CREATE SCHEMA "tpl_drift"')
        upgrade_schema(connection, "tpl_drift", schemas.TENANT_MIGRATIONS, schemas.tenant_head())
        context = MigrationContext.configure(
            connection, opts={"include_object": _not_version_table}
        )
        diff = compare_metadata(context, schemas.tenant_metadata_without_schema())
    assert diff == []


def test_platform_migrations_build_exactly_what_the_models_declare(db):
    with db.platform_transaction() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _only_declared_tables}
        )
        diff = compare_metadata(context, PlatformBase.metadata)
    assert diff == []


def _not_version_table(_obj, name, type_, _reflected, _compare_to) -> bool:
    return not (type_ == "table" and name == "alembic_version")


def _only_declared_tables(_obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and reflected and compare_to is None)


CATALOG = {
    "columns": (
        "SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision,"
        " is_nullable, column_default, is_identity, identity_generation"
        " FROM information_schema.columns WHERE table_schema = %(schema)s"
    ),
    "constraints": (
        "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.condeferrable,"
        " k.condeferred FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
        " WHERE c.relnamespace = %(schema)s::regnamespace"
    ),
    "indexes": (
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %(schema)s"
    ),
    "functions": (
        "SELECT proname, pg_get_function_identity_arguments(oid), prosrc, provolatile,"
        " prosecdef, proconfig FROM pg_proc WHERE pronamespace = %(schema)s::regnamespace"
    ),
    "triggers": (
        "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t"
        " JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE c.relnamespace = %(schema)s::regnamespace AND NOT t.tgisinternal"
    ),
    "accounts": (
        "SELECT a.code, a.name, a.kind, p.code, a.is_header, a.role, a.is_active"
        " FROM {schema}.accounts a LEFT JOIN {schema}.accounts p ON p.id = a.parent_id"
    ),
}


def catalog(connection, schema: str) -> dict[str, list[tuple[object, ...]]]:
    """What a tenant schema is made of and starts with, its own name written as ``<schema>``."""
    connection.exec_driver_sql("SET LOCAL search_path TO public")  # names print schema-qualified
    found = {}
    for part, query in CATALOG.items():
        rows = connection.exec_driver_sql(
            query.replace("{schema}", f'"{schema}"'), {"schema": schema}
        )
        found[part] = sorted(
            tuple(str(value).replace(schema, "<schema>") for value in row) for row in rows
        )
    tables = [name for name, *_rest in found["columns"]]
    found["rows"] = sorted(  # how many rows each table starts with
        (table, connection.exec_driver_sql(f'SELECT count(*) FROM "{schema}".{table}').scalar())
        for table in set(tables)
    )
    return found


def test_a_migrated_schema_is_the_schema_new_tenants_get(db):
    """Columns, types, defaults, constraints, indexes, functions, triggers and the seeded chart."""
    head = schemas.tenant_head()
    with db.shard_transaction("main") as connection:
        for name in ("tpl_models", "tpl_migrated"):
            schemas.drop_schema(connection, name)
        schemas.create_schema_from_metadata(connection, "tpl_models", head)
        connection.exec_driver_sql('CREATE SCHEMA "tpl_migrated"')
        upgrade_schema(connection, "tpl_migrated", schemas.TENANT_MIGRATIONS, head)
        built, migrated = catalog(connection, "tpl_models"), catalog(connection, "tpl_migrated")
        for name in ("tpl_models", "tpl_migrated"):
            schemas.drop_schema(connection, name)
    for part in built:
        only_migrated = sorted(set(migrated[part]) - set(built[part]))
        only_built = sorted(set(built[part]) - set(migrated[part]))
        assert (part, only_migrated, only_built) == (part, [], [])
    triggers = {name for _table, name, _definition in built["triggers"]}
    assert {"journal_lines_whole", "periods_stay_closed"} <= triggers
    assert len(built["accounts"]) >= 50


def downgrade_schema(connection, schema_name: str, target: str) -> None:
    """Run the tenant tree down to ``target`` inside ``schema_name``."""
    script = schemas.tenant_script()
    config = Config()
    config.set_main_option("script_location", str(schemas.TENANT_MIGRATIONS))
    connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema_name}"')

    def downgrade(rev: str, _context: object) -> object:
        return script._downgrade_revs(target, rev)

    with EnvironmentContext(config, script, fn=downgrade, destination_rev=target) as env:
        env.configure(
            connection=connection, version_table_schema=schema_name, transactional_ddl=True
        )
        env.run_migrations()


@pytest.mark.parametrize(
    "revision",
    # ledger guards; static SQL; consignment; registers; sale reversals; closed months' totals
    ["t0018", "t0029", "t0031", "t0032", "t0034", "t0035"],
)
def test_a_guards_revision_goes_back_to_the_schema_before_it(db, revision):
    previous = schemas.tenant_script().get_revision(revision).down_revision
    with db.shard_transaction("main") as connection:
        for name in ("tpl_before", "tpl_back"):
            schemas.drop_schema(connection, name)
            connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        upgrade_schema(connection, "tpl_before", schemas.TENANT_MIGRATIONS, previous)
        upgrade_schema(connection, "tpl_back", schemas.TENANT_MIGRATIONS, revision)
        downgrade_schema(connection, "tpl_back", previous)
        before, back = catalog(connection, "tpl_before"), catalog(connection, "tpl_back")
        for name in ("tpl_before", "tpl_back"):
            schemas.drop_schema(connection, name)
    assert back == before
