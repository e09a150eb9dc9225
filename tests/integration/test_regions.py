"""The Kemendagri region list: loading, cascading lists, paths and search."""

from __future__ import annotations

from sqlalchemy import event, func, select

from saas.regions import queries as regions
from saas.regions.models import Region


def test_the_whole_list_is_loaded(regions_loaded, db):
    assert regions_loaded > 91_000
    with db.platform_session() as session:
        per_level = dict(
            session.execute(select(Region.level, func.count()).group_by(Region.level)).all()
        )
    assert per_level[1] == 38
    assert per_level[4] >= 83_000


def test_lists_cascade_from_province_to_village(regions_loaded, db):
    with db.platform_session() as session:
        provinces = regions.list_children(session, None)
        jabar = next(p for p in provinces if p.name == "Jawa Barat")
        regencies = regions.list_children(session, jabar.code)
        assert {r.kind for r in regencies} == {"kabupaten", "kota"}
        depok = next(r for r in regencies if r.name == "Kota Depok")
        districts = regions.list_children(session, depok.code)
        assert all(d.code.startswith(depok.code + ".") and d.level == 3 for d in districts)
        villages = regions.list_children(session, districts[0].code)
        assert villages
        assert all(v.level == 4 for v in villages)
        assert [v.name for v in villages] == sorted(v.name for v in villages)


def test_a_village_path_is_read_in_one_query(regions_loaded, db):
    with db.platform_session() as session:
        village = session.scalars(select(Region).where(Region.level == 4).limit(1)).one()
        statements = []
        engine = session.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            path = regions.get_path(session, village.code)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert [r.level for r in path] == [1, 2, 3, 4]
    assert path[-1].code == village.code
    assert len(statements) == 1


def test_search_finds_by_prefix_first_then_by_substring(regions_loaded, db):
    with db.platform_session() as session:
        found = regions.search_villages(session, "SUKAMAJU", limit=50)
        assert found
        assert all("sukamaju" in v.name.lower() for v in found)
        starts = [v.name.lower().startswith("sukamaju") for v in found]
        assert starts == sorted(starts, reverse=True)
        inside = found[0].code.rsplit(".", 2)[0]  # its regency
        assert all(
            v.code.startswith(inside + ".")
            for v in regions.search_villages(session, "sukamaju", within=inside)
        )


def test_search_treats_wildcards_literally(regions_loaded, db):
    with db.platform_session() as session:
        assert regions.search_villages(session, "%") == []
        assert regions.search_villages(session, "_a_") == []
        assert regions.search_villages(session, "   ") == []


def test_village_label_reads_nearest_first(regions_loaded, db):
    with db.platform_session() as session:
        village = regions.search_villages(session, "sukamaju")[0]
        label = regions.village_label(regions.get_path(session, village.code))
    assert label.startswith(("Desa Sukamaju", "Kel. Sukamaju"))
    assert label.count(",") == 3
