"""Reading regions: cascading lists, a village's path, search by name."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from saas.regions.models import Region

# Regency and city names already carry "Kabupaten"/"Kota"; lower levels get their word here.
KIND_PREFIX = {
    "kecamatan": "Kec.",
    "distrik": "Distrik",
    "desa": "Desa",
    "kelurahan": "Kel.",
    "desa_adat": "Desa Adat",
}


def list_children(session: Session, parent_code: str | None) -> list[Region]:
    """Direct children of a region, by name; None gives the provinces."""
    condition = Region.level == 1 if parent_code is None else Region.parent_code == parent_code
    return list(session.scalars(select(Region).where(condition).order_by(Region.name)))


def get_region(session: Session, code: str) -> Region | None:
    return session.get(Region, code) if code else None


def parent_codes(code: str) -> list[str]:
    """ "32.76.01.1001" → ["32", "32.76", "32.76.01", "32.76.01.1001"]."""
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def get_path(session: Session, code: str) -> list[Region]:
    """The region and its parents, province first; one query."""
    rows = session.scalars(select(Region).where(Region.code.in_(parent_codes(code))))
    return sorted(rows, key=lambda region: region.level)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_villages(
    session: Session, text: str, *, within: str | None = None, limit: int = 20
) -> list[Region]:
    """Villages whose name starts with (first) or contains ``text``, optionally inside a region."""
    needle = _escape_like(" ".join(text.lower().split()))
    if not needle:
        return []
    query = select(Region).where(
        Region.level == 4, Region.name_search.like(f"%{needle}%", escape="\\")
    )
    if within:
        query = query.where(Region.code.like(_escape_like(within) + ".%", escape="\\"))
    starts = case((Region.name_search.like(f"{needle}%", escape="\\"), 0), else_=1)
    return list(session.scalars(query.order_by(starts, Region.name, Region.code).limit(limit)))


def village_label(path: list[Region]) -> str:
    """ "Desa Sukamaju, Kec. Cibadak, Kab. Sukabumi, Jawa Barat", nearest first."""
    parts = []
    for region in reversed(path):
        prefix = KIND_PREFIX.get(region.kind)
        parts.append(f"{prefix} {region.name}" if prefix else region.name)
    return ", ".join(parts)
