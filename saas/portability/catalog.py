"""What one tenant schema holds, read from the catalog of that schema alone.

Every query here names the schema's own namespace, so its cost follows the tenant's tables, not
the thousands of other schemas sharing the database (``pg_dump -n`` reads the whole catalog).
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter

from sqlalchemy import Connection, text

from saas.db import check_schema_name
from saas.tenants.schemas import VERSION_TABLE


@dataclass(frozen=True)
class TableShape:
    """A table of the schema: its columns in order, its primary key and its identity column."""

    name: str
    columns: tuple[str, ...]
    primary_key: tuple[str, ...]
    identity: str | None
    # Columns holding storage keys of attachments (``*_key`` text columns).
    file_columns: tuple[str, ...]


def read_tables(connection: Connection, schema: str) -> list[TableShape]:
    """The schema's tables (without Alembic's), parents before the tables that refer to them."""
    namespace = {"schema": check_schema_name(schema)}
    columns: dict[str, list[tuple[str, bool, bool]]] = {}
    for table, column, is_identity, is_text in connection.execute(
        text(
            "SELECT c.relname, a.attname, a.attidentity <> '', t.typcategory = 'S'"
            " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
            " JOIN pg_type t ON t.oid = a.atttypid"
            " WHERE c.relnamespace = to_regnamespace(:schema) AND c.relkind IN ('r', 'p')"
            " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum"
        ),
        namespace,
    ):
        columns.setdefault(table, []).append((column, is_identity, is_text))
    keys: dict[str, list[str]] = dict(
        connection.execute(
            text(
                "SELECT c.relname, array_agg(a.attname ORDER BY k.position)"
                " FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)"
                " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum"
                " WHERE c.relnamespace = to_regnamespace(:schema) AND i.indisprimary"
                " GROUP BY c.relname"
            ),
            namespace,
        ).all()
    )
    graph: dict[str, set[str]] = {name: set() for name in sorted(columns)}
    for child, parent in connection.execute(
        text(
            "SELECT child.relname, parent.relname FROM pg_constraint f"
            " JOIN pg_class child ON child.oid = f.conrelid"
            " JOIN pg_class parent ON parent.oid = f.confrelid"
            " WHERE f.connamespace = to_regnamespace(:schema) AND f.contype = 'f'"
        ),
        namespace,
    ):
        if child != parent and parent in graph:  # a row naming another of its table loads whole
            graph[child].add(parent)
    shapes = []
    for name in TopologicalSorter(graph).static_order():
        if name == VERSION_TABLE:
            continue
        described = columns[name]
        shapes.append(
            TableShape(
                name=name,
                columns=tuple(column for column, _identity, _text in described),
                primary_key=tuple(keys.get(name) or ()),
                identity=next((column for column, identity, _t in described if identity), None),
                file_columns=tuple(
                    column
                    for column, _i, is_text in described
                    if is_text and column.endswith("_key")
                ),
            )
        )
    return shapes


def quoted(name: str) -> str:
    """An identifier from the catalog, quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


def select_all(schema: str, table: TableShape) -> str:
    """Every row of ``table`` in a stable order, so one content always reads the same bytes."""
    order = table.primary_key or table.columns
    return (
        f"SELECT {', '.join(quoted(c) for c in table.columns)}"
        f" FROM {quoted(schema)}.{quoted(table.name)}"
        f" ORDER BY {', '.join(quoted(c) for c in order)}"
    )
