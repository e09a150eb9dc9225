"""Building tenant schemas: from the current metadata, or claimed from a pool made ahead of time.

A schema is created in one transaction with all tenant tables and the Alembic version table
stamped at the head revision, so it never replays the migration history. Pool schemas are made
under the name their cooperative will keep (``kop_p<hex>``), so that nothing inside them changes
when one is claimed: their guards' search_path already names them. A schema's comment says what
it is: ``pool <revision>`` while it waits, ``tenant <id>`` once claimed. A claim is three
statements (an advisory lock, one catalog query, the comment) that cost the same however many
schemas the database holds; renaming would have to repoint each guard, and PostgreSQL finds a
function by name among every schema's function of that name.
"""

from __future__ import annotations

import re
import uuid
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, MetaData, event, text
from sqlalchemy.schema import CreateSchema, DropSchema

from saas.config import PROJECT_ROOT
from saas.db import TENANT_SCHEMA, check_schema_name
from saas.ledger.operations import install_chart
from saas.models import TenantBase

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

TENANT_MIGRATIONS = PROJECT_ROOT / "migrations" / "tenant"
VERSION_TABLE = "alembic_version"
# Claims on one shard are serialised by this advisory lock so two sign-ups never take one schema.
POOL_LOCK_KEY = 0x67757975620001
REVISION_RE = re.compile(r"[\w-]{1,64}")
POOL_PREFIX = "kop_p"  # never a cooperative's own kop_<id>
# The pool's schemas, in a WHERE clause on pg_namespace (the name first: it is cheaper), for
# reports. ``obj_description`` runs a query for each schema, and every cooperative that signed up
# keeps its pool schema's name: the sign-up path reads the schemas' comments once instead.
POOLED = "nspname LIKE 'kop\\_p%' AND obj_description(oid, 'pg_namespace') LIKE 'pool %'"


def _commented(description: str, *columns: str) -> str:
    """A WITH clause ``commented``: the schemas whose comment matches ``description`` (an SQL
    condition on it), read from ``pg_description`` in one pass with ``columns`` beside their
    oid. Materialized, so the planner looks up those few schemas by oid rather than walking
    every ``kop_p`` schema and testing each against them (14 ms a claim among 3,000
    cooperatives' schemas; 0.5 ms this way)."""
    extra = "".join(f", {column}" for column in columns)
    return (
        f"WITH commented AS MATERIALIZED (SELECT objoid{extra} FROM pg_description "
        "WHERE classoid = 'pg_namespace'::regclass AND objsubid = 0 "
        f"AND description {description}) "
    )


@cache
def tenant_script(location: Path = TENANT_MIGRATIONS) -> ScriptDirectory:
    # Alembic is imported when a schema is made or migrated: a web worker that only serves
    # pages never needs it (about 10 MB of its memory, budget P5).
    from alembic.script import ScriptDirectory  # noqa: PLC0415 - see above

    return ScriptDirectory(str(location))


def tenant_head(location: Path = TENANT_MIGRATIONS) -> str:
    head = tenant_script(location).get_current_head()
    if head is None:
        raise RuntimeError("the tenant migration tree has no head revision")
    return head


class RecordedDDL:
    """The DDL ``create_all`` ran for the first pool schema this process made, with that
    schema's name: later schemas run it again as one script under their own name, without
    compiling it again (a pool schema's name is unique, so replacing it touches nothing else).
    The metadata cannot change while a process runs. Both are set at once (threads read it)."""

    made: tuple[str, str] | None = None  # (the schema's name, the script)


RECORDED = RecordedDDL()


class _Statements(list[str]):
    def append_statement(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        self.append(statement)  # as the driver gets it: % already escaped where it reads one


def _recording(connection: Connection) -> _Statements:
    """The statements ``connection`` runs from now on (until the listener is removed)."""
    statements = _Statements()
    event.listen(connection, "before_cursor_execute", statements.append_statement)
    return statements


_MADE = "__made"  # a function's name while its schema is made: no other schema has one
_GUARD = re.compile(r'(FUNCTION "(?P<schema>[a-z0-9_]+)"\.)(?P<name>[a-z_]+)\(\)')


def fresh_function_names(script: str, schema_name: str) -> str:
    """``script`` with its functions created, and its triggers pointed at them, under names
    no other schema has, then renamed to their own.

    PostgreSQL finds a trigger's function by reading every function of that name in every
    schema: with thousands of cooperatives, each of a schema's ~50 triggers cost a scan of
    thousands. A trigger keeps its function by identity, so the rename leaves it in place.
    """
    names: list[str] = []

    def made(match: re.Match[str]) -> str:
        if match["schema"] != schema_name:
            return match[0]
        if match["name"] not in names:
            names.append(match["name"])
        return f"{match[1]}{match['name']}{_MADE}()"

    script = _GUARD.sub(made, script)
    renames = (f'ALTER FUNCTION "{schema_name}".{name}{_MADE}() RENAME TO {name}' for name in names)
    return ";\n".join([script, *renames])


def create_schema_from_metadata(connection: Connection, schema_name: str, revision: str) -> None:
    """Create ``schema_name`` with every tenant table and stamp ``revision`` (caller's txn).

    The caller's connection maps the placeholder schema to ``schema_name`` from here on: a
    Connection's ``execution_options`` changes that connection in place, it makes no copy.
    """
    check_schema_name(schema_name)
    if (recorded := RECORDED.made) is not None:
        name, script = recorded
        connection.exec_driver_sql(script.replace(name, schema_name))
        connection.execution_options(schema_translate_map={TENANT_SCHEMA: schema_name})
    else:
        statements = _recording(connection)
        try:
            connection.execute(CreateSchema(schema_name))
            connection.execution_options(schema_translate_map={TENANT_SCHEMA: schema_name})
            TenantBase.metadata.create_all(connection, checkfirst=False)
        finally:
            event.remove(connection, "before_cursor_execute", statements.append_statement)
        if schema_name.startswith(POOL_PREFIX):  # a name found nowhere else in the script
            RECORDED.made = (schema_name, fresh_function_names(";\n".join(statements), schema_name))
    install_chart(connection)  # the starting chart of accounts (the template of docs/domain.md)
    connection.exec_driver_sql(
        f'CREATE TABLE "{schema_name}".{VERSION_TABLE} (version_num VARCHAR(32) NOT NULL, '
        f"CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
    )
    connection.exec_driver_sql(
        f'INSERT INTO "{schema_name}".{VERSION_TABLE} (version_num) VALUES (%(rev)s)',
        {"rev": revision},
    )


def drop_schema(connection: Connection, schema_name: str) -> None:
    connection.execute(DropSchema(check_schema_name(schema_name), cascade=True, if_exists=True))


def schema_revision(connection: Connection, schema_name: str) -> str | None:
    row = connection.exec_driver_sql(
        f'SELECT version_num FROM "{check_schema_name(schema_name)}".{VERSION_TABLE}'
    ).first()
    return row[0] if row else None


def schema_exists(connection: Connection, schema_name: str) -> bool:
    found = connection.execute(
        text("SELECT 1 FROM pg_namespace WHERE nspname = :name"), {"name": schema_name}
    ).first()
    return found is not None


def add_pool_schema(connection: Connection, revision: str) -> str:
    """Create one empty pool schema at ``revision`` (caller's transaction); return its name."""
    if not REVISION_RE.fullmatch(revision):  # interpolated: COMMENT takes no parameters
        raise ValueError(f"not a revision id: {revision!r}")
    name = f"{POOL_PREFIX}{uuid.uuid4().hex[:16]}"
    create_schema_from_metadata(connection, name, revision)
    connection.exec_driver_sql(f"COMMENT ON SCHEMA \"{name}\" IS 'pool {revision}'")
    return name


def list_pool_schemas(connection: Connection) -> list[str]:
    rows = connection.execute(
        text(
            _commented("LIKE 'pool %'") + "SELECT nspname FROM pg_namespace "
            "WHERE oid IN (SELECT objoid FROM commented) AND nspname LIKE 'kop\\_p%' ORDER BY 1"
        )
    )
    return [row[0] for row in rows]


# The first ready pool schema at a revision (``:mark`` is ``pool <revision>``).
CLAIM_CANDIDATE = (
    _commented("= :mark") + "SELECT nspname FROM pg_namespace "
    "WHERE oid IN (SELECT objoid FROM commented) AND nspname LIKE 'kop\\_p%' ORDER BY 1 LIMIT 1"
)


def claim_pool_schema(connection: Connection, tenant_id: int, revision: str) -> str | None:
    """Mark a pool schema at ``revision`` as the tenant's; its name, None when none is ready.

    Pool schemas at an older revision (a migration landed since they were made) are skipped
    here and dropped when the pool is filled, never inside a sign-up.
    """
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": POOL_LOCK_KEY})
    candidate = connection.scalar(text(CLAIM_CANDIDATE), {"mark": f"pool {revision}"})
    if candidate is None:
        return None
    check_schema_name(candidate)
    connection.exec_driver_sql(f"COMMENT ON SCHEMA \"{candidate}\" IS 'tenant {int(tenant_id)}'")
    return str(candidate)


def claimed_by(connection: Connection, tenant_id: int) -> str | None:
    """The pool schema claimed for the tenant, if any (recovery of a sign-up cut short)."""
    found = connection.scalar(
        text(
            _commented("= :mark") + "SELECT nspname FROM pg_namespace "
            "WHERE oid IN (SELECT objoid FROM commented) AND nspname LIKE 'kop\\_p%'"
        ),
        {"mark": f"tenant {int(tenant_id)}"},
    )
    return str(found) if found is not None else None


def read_pool(connection: Connection, revision: str) -> tuple[list[str], list[str]]:
    """The pool's schemas ready at ``revision``, and the stale ones: made at another revision,
    or pool schemas of before (``pool_<hex>``, renamed when claimed; none is claimed now)."""
    rows = connection.execute(
        text(
            _commented("LIKE 'pool %'", "description = :mark AS ready")
            + "SELECT n.nspname, coalesce(c.ready, false) FROM pg_namespace n "
            "LEFT JOIN commented c ON c.objoid = n.oid "
            "WHERE (n.nspname LIKE 'kop\\_p%' AND c.objoid IS NOT NULL) "
            "OR n.nspname LIKE 'pool\\_%' ORDER BY 1"
        ),
        {"mark": f"pool {revision}"},
    ).all()
    return [name for name, ready in rows if ready], [name for name, ready in rows if not ready]


@cache
def tenant_metadata_without_schema() -> MetaData:
    """The tenant tables with no schema, as migrations see them (``search_path`` decides)."""
    plain = MetaData(naming_convention=TenantBase.metadata.naming_convention)
    for table in TenantBase.metadata.sorted_tables:
        # schema=None takes the target MetaData's schema (none), as documented; the stubs lag.
        table.to_metadata(plain, schema=None, referred_schema_fn=lambda *_args: None)  # type: ignore[arg-type]
    return plain
