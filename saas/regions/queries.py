"""Reading regions: cascading lists, a village's path, search by name; one query per function."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from saas.regions.models import Region

# Regency and city names already carry "Kabupaten"/"Kota"; lower levels get their word here.
KIND_PREFIX = {
    "kecamatan": "Kec.",
    "distrik": "Distrik",
    "kelurahan": "Kel.",
    "desa": "Desa",
    "desa_adat": "Desa Adat",
}
LIKE_ESCAPE = "\\"


def list_children(session: Session, parent_code: str | None) -> list[Region]:
    """Direct children of a region, by name; None gives the provinces."""
    condition = Region.level == 1 if parent_code is None else Region.parent_code == parent_code
    query = select(Region).where(condition).order_by(Region.name, Region.code)
    return list(session.scalars(query))


def get_region(session: Session, code: str) -> Region | None:
    """The region with this dotted code, or None (an empty code asks nothing)."""
    return session.get(Region, code) if code else None


def parent_codes(code: str) -> list[str]:
    """The codes of a region and its parents: "32.76.01" → ["32", "32.76", "32.76.01"]."""
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def get_path(session: Session, code: str) -> list[Region]:
    """The region and its parents, province first, in one query ([] for an unknown code)."""
    if not code:
        return []
    rows = session.scalars(select(Region).where(Region.code.in_(parent_codes(code))))
    path = sorted(rows, key=lambda region: region.level)
    return path if path and path[-1].code == code else []


def get_paths(session: Session, codes: Iterable[str]) -> dict[str, list[Region]]:
    """``get_path`` for several regions in one query; unknown codes are left out."""
    wanted = [code for code in dict.fromkeys(codes) if code]
    needed = {parent for code in wanted for parent in parent_codes(code)}
    if not needed:
        return {}
    found = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(needed)))}
    return {
        code: [found[parent] for parent in parent_codes(code) if parent in found]
        for code in wanted
        if code in found
    }


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards and escape character taken literally."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def search_villages(
    session: Session, text: str, *, within: str | None = None, limit: int = 20
) -> list[Region]:
    """Villages named starting with (first) or containing ``text``, any case; maybe ``within``."""
    needle = escape_like(" ".join(text.lower().split()))
    if not needle or limit <= 0:
        return []
    query = select(Region).where(
        Region.level == 4, Region.name_search.like(f"%{needle}%", escape=LIKE_ESCAPE)
    )
    if within:
        query = query.where(Region.code.like(escape_like(within) + ".%", escape=LIKE_ESCAPE))
    prefix_first = case((Region.name_search.like(f"{needle}%", escape=LIKE_ESCAPE), 0), else_=1)
    query = query.order_by(prefix_first, Region.name, Region.code).limit(limit)
    return list(session.scalars(query))


def region_label(region: Region) -> str:
    """A region's name as an address writes it: "Desa Sukamaju", "Kec. Cibadak", "Kab. Bogor"."""
    name = region.name
    if region.kind == "kabupaten" and name.startswith("Kabupaten "):
        return "Kab. " + name.removeprefix("Kabupaten ")
    prefix = KIND_PREFIX.get(region.kind)
    # Some names already carry the word ("Desa Adat Ayapo", "Desa Baru"): no "Desa Desa Baru".
    if prefix is None or name.startswith(prefix + " "):
        return name
    return f"{prefix} {name}"


def village_label(path: Sequence[Region]) -> str:
    """A path (province first) as "Desa Sukamaju, Kec. Cibadak, Kab. Sukabumi, Jawa Barat"."""
    return ", ".join(region_label(region) for region in reversed(path))
