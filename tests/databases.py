"""The application's databases inside each test's transactions.

``routed_to_savepoints(app)`` opens one connection per database, begins a transaction on each
and puts a ``SavepointDatabases`` in the application's place: every session and transaction the
code under test asks for is then a savepoint on those connections, and everything the test wrote
is rolled back when it ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.util import immutabledict

from saas.db import DATABASES_INFO, Databases, tenant_schema_map

EXTENSION = "guyub.databases"


class ConnectionView(Connection):
    """A connection seen under execution options of its own (a tenant's schema map).

    SQLAlchemy 2 gives a connection new execution options by changing it in place, so two
    tenant sessions on one shared connection would overwrite each other's schema map. A view
    shares everything else with the connection it shows (the DBAPI connection, the transaction,
    its savepoints), as each production session's own connection carries its own options.
    """

    __slots__ = ("_own_options",)

    def __init__(self, connection: Connection, **options: Any) -> None:
        # Not Connection.__init__, which would check out another DBAPI connection: the view's
        # state is the shown connection's own dictionary, kept in step with it.
        self.__dict__ = connection.__dict__
        self._own_options = connection.get_execution_options().union(options)

    # Connection reads and replaces its options through this attribute (SQLAlchemy 2.x); the
    # view keeps them in its own slot, outside the dictionary it shares.
    @property
    def _execution_options(self) -> immutabledict[str, Any]:
        return self._own_options

    @_execution_options.setter
    def _execution_options(self, options: immutabledict[str, Any]) -> None:
        self._own_options = options


class SavepointSession(Session):
    """A session whose every transaction is a savepoint in the test's transaction."""

    # Whether it flushed writes it has not committed or rolled back yet.
    unsaved_writes = False

    def __init__(self, connection: Connection) -> None:
        super().__init__(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    def __exit__(self, type_: object, value: object, traceback: object) -> None:
        # A test's ``with`` block is a unit of work, as a request or a job is: operations leave
        # the commit to it, and it commits once when it ends without an error (whatever it
        # wrote, through the ORM or in one Core statement as postings and receipts are).
        if type_ is None and self.in_transaction() and not self._aborted():
            self.commit()
        super().__exit__(type_, value, traceback)

    def _aborted(self) -> bool:
        """Whether the database refused a statement of this transaction (a test that expected
        the refusal): nothing of it can be committed, so it is left to the rollback."""
        raw = self.connection().connection.dbapi_connection
        return raw is not None and raw.info.transaction_status == TransactionStatus.INERROR


@event.listens_for(SavepointSession, "after_flush")
def _wrote(session: SavepointSession, _context: object) -> None:
    session.unsaved_writes = True


@event.listens_for(SavepointSession, "after_transaction_end")
def _settled(session: SavepointSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the session's own transaction, not a nested savepoint
        session.unsaved_writes = False


class SavepointDatabases(Databases):
    """The application's engines, every session and transaction nested in one open transaction
    per database (``connections``: keys ``platform`` and the shard names)."""

    def __init__(self, databases: Databases, connections: dict[str, Connection]) -> None:
        # Not Databases.__init__, which would build new engines: these are the application's.
        self.platform_engine = databases.platform_engine
        self.shard_engines = databases.shard_engines
        self.connections = connections

    def platform_session(self) -> Session:
        return SavepointSession(ConnectionView(self.connections["platform"]))

    def platform_reader(self) -> Session:
        return self.platform_session()

    @contextmanager
    def platform_read(self) -> Iterator[Connection]:
        yield ConnectionView(self.connections["platform"])

    def tenant_session(self, shard: str, schema_name: str) -> Session:
        view = ConnectionView(
            self.connections[shard], schema_translate_map=tenant_schema_map(schema_name)
        )
        session = SavepointSession(view)
        session.info[DATABASES_INFO] = self
        return session

    @contextmanager
    def shard_transaction(self, shard: str) -> Iterator[Connection]:
        with _savepoint(self.connections[shard]) as connection:
            yield connection

    @contextmanager
    def platform_transaction(self) -> Iterator[Connection]:
        with _savepoint(self.connections["platform"]) as connection:
            yield connection

    def end_request_session(self, session: Session, *, failed: bool) -> None:
        """Release a request's savepoint rather than roll it back, and fail loudly if the
        request wrote something it never committed.

        Savepoints on one connection nest: rolling back a read-only session opened early would
        also undo the work a later session of the same request committed.
        """
        if isinstance(session, SavepointSession) and not failed and session.in_transaction():
            if session.unsaved_writes:
                session.close()
                raise RuntimeError("the request ended with writes it never committed")
            session.commit()
        session.close()


@contextmanager
def _savepoint(connection: Connection) -> Iterator[Connection]:
    """A savepoint released on success, seen through a view of its own: execution options the
    caller gives it (a schema map for DDL) stay within the block, as on a pooled connection."""
    view = ConnectionView(connection)
    with view.begin_nested():
        yield view


@contextmanager
def routed_to_savepoints(app: Flask) -> Iterator[SavepointDatabases]:
    """Route ``app``'s sessions into one transaction per database, rolled back at the end."""
    databases: Databases = app.extensions[EXTENSION]
    opened: dict[Engine, Connection] = {}
    connections: dict[str, Connection] = {}
    engines = {"platform": databases.platform_engine, **databases.shard_engines}
    for name, engine in engines.items():
        if engine not in opened:  # the platform database is also shard ``main``
            opened[engine] = engine.connect()
            opened[engine].begin()
        connections[name] = opened[engine]
    routed = SavepointDatabases(databases, connections)
    app.extensions[EXTENSION] = routed
    try:
        yield routed
    finally:
        app.extensions[EXTENSION] = databases
        for connection in opened.values():
            connection.rollback()
            connection.close()
