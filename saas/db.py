"""Declarative bases, one engine per database shard, and the per-request sessions.

Tenant tables are declared in the placeholder schema ``tenant``. A tenant session is bound to the
shard's engine with ``schema_translate_map={"tenant": <the tenant's schema>}``, so a query that
escapes the map fails loudly (schema "tenant" does not exist) instead of reading ``public``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from flask import current_app, g
from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Enum,
    FromClause,
    MetaData,
    create_engine,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Session, make_transient_to_detached

if TYPE_CHECKING:
    from saas.config import Settings
    from saas.tenants.models import Tenant

TENANT_SCHEMA = "tenant"
SCHEMA_NAME_RE = re.compile(r"^(kop|pool|tpl)_[a-z0-9_]{1,58}$")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class PlatformBase(DeclarativeBase):
    """Tables of the platform database's ``public`` schema."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {int: BigInteger}


class TenantBase(DeclarativeBase):
    """Tables that every tenant schema holds (declared in the placeholder schema)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION, schema=TENANT_SCHEMA)
    type_annotation_map = {int: BigInteger}


def value_enum(enum_class: type[enum.Enum], name: str, *, native: bool = True) -> Enum:
    """A column type storing an Enum's values (not its member names).

    ``native=False`` stores a plain VARCHAR(20) (no database enum type), so adding a role later
    needs no type migration.
    """
    return Enum(
        enum_class,
        name=name,
        values_callable=lambda members: [member.value for member in members],
        native_enum=native,
        length=20 if not native else None,
    )


Instance = TypeVar("Instance", bound=DeclarativeBase)


def attach_inserted(session: Session, instance: Instance) -> Instance:
    """Put an object into the session as if loaded, without SQL: its row has just been inserted
    by a Core statement with exactly these values (attributes not given load on first use)."""
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


def check_schema_name(name: str) -> str:
    """Return ``name`` if it is one of our generated schema names; raise otherwise.

    Schema names are interpolated into DDL, so only names we generated ever get there.
    """
    if not SCHEMA_NAME_RE.fullmatch(name):
        raise ValueError(f"not a tenant schema name: {name!r}")
    return name


def sqlalchemy_url(url: str) -> str:
    """Use psycopg 3 whatever scheme the operator wrote."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError("only PostgreSQL URLs are supported")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine whose pooled connections are recycled so no backend's caches grow unbounded."""
    options: dict[str, Any] = {
        "pool_size": 5,
        "max_overflow": 5,
        "pool_recycle": 1800,
        # No ping before each checkout: it is a round trip on every request. A connection the
        # server dropped fails one statement, and SQLAlchemy then discards the whole pool.
        "pool_pre_ping": False,
    }
    options.update(kwargs)
    return create_engine(sqlalchemy_url(url), **options)


def tenant_schema_map(schema_name: str) -> dict[str, str]:
    """The schema translation that puts the placeholder schema's tables in ``schema_name``."""
    return {TENANT_SCHEMA: check_schema_name(schema_name)}


# Where a tenant session keeps the Databases that made it: operations that ask the platform
# about the cooperative (its plan) find it there, inside a request or a job or outside both.
DATABASES_INFO = "guyub.databases"


class Databases:
    """The platform engine and one engine per shard; the only place sessions are made."""

    def __init__(self, settings: Settings) -> None:
        self.platform_engine = make_engine(settings.database_url)
        self._platform_autocommit = self.platform_engine.execution_options(
            isolation_level="AUTOCOMMIT"
        )
        self.shard_engines: dict[str, Engine] = {}
        for name, url in settings.shards.items():
            same = sqlalchemy_url(url) == sqlalchemy_url(settings.database_url)
            self.shard_engines[name] = self.platform_engine if same else make_engine(url)

    @property
    def shard_names(self) -> list[str]:
        return list(self.shard_engines)

    def platform_session(self) -> Session:
        return Session(bind=self.platform_engine, expire_on_commit=False)

    def platform_reader(self) -> Session:
        """A session for one read of the platform database, without BEGIN and COMMIT round
        trips (autocommit): the plan's limits a request checks."""
        return Session(bind=self._platform_autocommit, expire_on_commit=False)

    @contextmanager
    def platform_read(self) -> Iterator[Connection]:
        """A connection for reads of the platform database without BEGIN and COMMIT round
        trips (autocommit): tenant resolution on every request."""
        with self._platform_autocommit.connect() as connection:
            yield connection

    def tenant_session(self, shard: str, schema_name: str) -> Session:
        engine = self.shard_engines[shard].execution_options(
            schema_translate_map=tenant_schema_map(schema_name)
        )
        return Session(bind=engine, expire_on_commit=False, info={DATABASES_INFO: self})

    @contextmanager
    def shard_transaction(self, shard: str) -> Iterator[Connection]:
        """A connection on ``shard`` inside a transaction committed on success (DDL lives here)."""
        with self.shard_engines[shard].begin() as connection:
            yield connection

    @contextmanager
    def platform_transaction(self) -> Iterator[Connection]:
        with self.platform_engine.begin() as connection:
            yield connection

    def end_request_session(self, session: Session, *, failed: bool) -> None:
        """Close a request's session: whatever it did not commit is rolled back.

        ``failed`` tells whether the request ended with an error; a subclass that nests every
        session in one outer transaction (the test suite's) needs it to end their savepoints.
        """
        session.close()

    def dispose(self, *, close: bool = True) -> None:
        """Drop the pools (``close=False`` in a forked child: leave the parent's sockets be)."""
        for engine in {
            id(e): e for e in [self.platform_engine, *self.shard_engines.values()]
        }.values():
            engine.dispose(close=close)


def get_databases() -> Databases:
    databases: Databases = current_app.extensions["guyub.databases"]
    return databases


def platform_db() -> Session:
    """The request's session on the platform database (``public`` schema)."""
    if "platform_db" not in g:
        g.platform_db = get_databases().platform_session()
        g.setdefault("session_order", []).append("platform_db")
    session: Session = g.platform_db
    return session


def tenant_db() -> Session:
    """The request's session in the resolved tenant's schema; fails outside a tenant host."""
    if "tenant_db" not in g:
        tenant: Tenant | None = g.get("tenant")
        if tenant is None:
            raise RuntimeError("tenant_db() used on a request with no resolved tenant")
        if tenant.schema_name is None:
            raise RuntimeError(f"tenant {tenant.slug} has no schema")
        g.tenant_db = get_databases().tenant_session(tenant.shard, tenant.schema_name)
        g.setdefault("session_order", []).append("tenant_db")
    session: Session = g.tenant_db
    return session


def close_request_sessions(exc: BaseException | None = None) -> None:
    """End the request's sessions, the last opened first."""
    databases = get_databases()
    for key in reversed(g.pop("session_order", [])):
        session = g.pop(key, None)
        if session is not None:
            databases.end_request_session(session, failed=exc is not None)


def in_schema(ddl: str, schema: str) -> str:
    """``ddl`` with ``{schema}`` naming ``schema``: where its functions and triggers are made,
    and the search_path its functions run with."""
    return ddl.replace("{schema}", f'"{schema}"')


def create_guards_with(table: FromClause, ddl: str) -> None:
    """Run ``ddl`` (functions and triggers the database guards ``table`` with, ``{schema}``
    for the tenant's schema) whenever the table is created from the metadata: new schemas,
    pooled schemas, tests. Migrations carry their own copy for existing schemas."""

    def create(_table: object, connection: Connection, **_kw: object) -> None:
        schema_map = connection.get_execution_options().get("schema_translate_map") or {}
        statements = in_schema(ddl, schema_map.get(TENANT_SCHEMA, TENANT_SCHEMA))
        connection.exec_driver_sql(statements.replace("%", "%%"))  # the driver reads % itself

    event.listen(table, "after_create", create)
