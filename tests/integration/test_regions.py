"""The Kemendagri region list: loading, cascading lists, paths, search and labels.

The list is loaded and committed once per run by the session fixture ``regions_loaded``
(tests/conftest.py); tests that write to the table do it inside their savepoint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from lokal import wilayah
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.orm import Session

from saas.regions import queries as regions
from saas.regions.loader import count_regions, load_regions
from saas.regions.models import Region

DEPOK = "32.76.01.1006"  # Kelurahan Depok, Kecamatan Pancoran Mas, Kota Depok, Jawa Barat
SUKABUMI = "32.02"  # Kabupaten Sukabumi
KINDS = ("provinsi", "kabupaten", "kota", "kecamatan", "distrik", "kelurahan", "desa", "desa_adat")


@contextmanager
def count_statements(session: Session) -> Iterator[list[str]]:
    """Collect the SQL statements the session's connection sends while the block runs."""
    connection = session.connection()
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)


def lokal_villages(regency: str) -> list[wilayah.Wilayah]:
    """The villages lokal lists in a regency, for expectations independent of our queries."""
    return [
        village
        for district in wilayah.list_wilayah(regency)
        for village in wilayah.list_wilayah(district.code)
    ]


def fake_village(code: str, name: str) -> dict[str, object]:
    """A made-up village row (codes under "99", which Kemendagri does not use)."""
    return {
        "code": code,
        "name": name,
        "level": 4,
        "kind": "desa",
        "parent_code": code.rsplit(".", 1)[0],
        "name_search": name.lower(),
    }


# -- loading -------------------------------------------------------------------------------


def test_the_whole_list_is_loaded(regions_loaded, db):
    with db.platform_session() as session:
        per_level = dict(
            session.execute(select(Region.level, func.count()).group_by(Region.level)).all()
        )
        kinds = set(session.scalars(select(Region.kind).distinct()))
    assert per_level[1] == 38
    assert per_level[4] > 83_000
    assert sum(per_level.values()) == regions_loaded
    assert kinds == set(KINDS)


def test_a_loaded_village_is_what_lokal_says(regions_loaded, db):
    expected = wilayah.get_wilayah(DEPOK)
    assert expected is not None
    with db.platform_session() as session:
        village = regions.get_region(session, DEPOK)
    assert village is not None
    assert (village.name, village.level, village.kind, village.postal_code) == (
        expected.name,
        expected.level,
        expected.type,
        expected.postal_code,
    )
    assert village.parent_code == "32.76.01"
    assert village.name_search == "depok"


def test_the_prefix_search_index_uses_pattern_operators(db):
    with db.platform_transaction() as connection:
        definitions = connection.scalars(
            text("SELECT indexdef FROM pg_indexes WHERE tablename = 'regions'")
        ).all()
    assert any("(level, name_search text_pattern_ops)" in d for d in definitions)


def test_loading_again_replaces_the_contents(regions_loaded, db):
    with db.platform_transaction() as connection:
        connection.execute(insert(Region).values(fake_village("99.99.99.2001", "Bukan Desa")))
        assert count_regions(connection) == regions_loaded + 1
        assert load_regions(connection) == regions_loaded
        assert count_regions(connection) == regions_loaded
        assert connection.scalar(select(Region.code).where(Region.code.like("99.%"))) is None


def test_cli_counts_and_reloads(app, regions_loaded):
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["regions", "load"])
    assert loaded.exit_code == 0, loaded.output
    assert re.fullmatch(rf"loaded {regions_loaded} regions in \d+\.\d\ds\n", loaded.output)
    counted = runner.invoke(args=["regions", "count"])
    assert counted.exit_code == 0, counted.output
    assert counted.output == f"{regions_loaded}\n"


# -- lists and paths -----------------------------------------------------------------------


def test_the_provinces_come_first_by_name(regions_loaded, db):
    with db.platform_session() as session:
        provinces = regions.list_children(session, None)
    assert len(provinces) == 38
    assert {p.code for p in provinces} == {w.code for w in wilayah.list_wilayah()}
    assert [p.name for p in provinces] == sorted(p.name for p in provinces)
    assert all(p.level == 1 and p.kind == "provinsi" and p.parent_code is None for p in provinces)


@pytest.mark.parametrize(("province", "district_kind"), [("32", "kecamatan"), ("91", "distrik")])
def test_lists_cascade_from_province_to_village(regions_loaded, db, province, district_kind):
    # Walk lokal's own lists down to a desa; each of our lists must hold exactly lokal's children.
    regency = wilayah.list_wilayah(province)[0]
    district = next(
        d
        for d in wilayah.list_wilayah(regency.code)
        if any(v.type == "desa" for v in wilayah.list_wilayah(d.code))
    )
    desa = next(v for v in wilayah.list_wilayah(district.code) if v.type == "desa")
    with db.platform_session() as session:
        for parent, child, level in [
            (province, regency.code, 2),
            (regency.code, district.code, 3),
            (district.code, desa.code, 4),
        ]:
            children = regions.list_children(session, parent)
            assert {c.code for c in children} == {w.code for w in wilayah.list_wilayah(parent)}
            assert child in {c.code for c in children}
            assert all(c.level == level and c.parent_code == parent for c in children)
        districts = regions.list_children(session, regency.code)
        assert {d.kind for d in districts} == {district_kind}
        assert regions.list_children(session, desa.code) == []
        assert regions.list_children(session, "99") == []


def test_get_region_finds_by_code_only(regions_loaded, db):
    with db.platform_session() as session:
        region = regions.get_region(session, "32.76")
        assert region is not None
        assert (region.name, region.kind) == ("Kota Depok", "kota")
        assert regions.get_region(session, "32.76.99.9999") is None
        assert regions.get_region(session, "") is None


def test_a_village_path_is_read_in_one_query(regions_loaded, db):
    with db.platform_session() as session, count_statements(session) as statements:
        path = regions.get_path(session, DEPOK)
    assert len(statements) == 1
    assert [r.code for r in path] == ["32", "32.76", "32.76.01", DEPOK]
    assert [r.level for r in path] == [1, 2, 3, 4]


def test_paths_of_several_regions_are_read_in_one_query(regions_loaded, db):
    other = lokal_villages(SUKABUMI)[0].code
    with db.platform_session() as session, count_statements(session) as statements:
        paths = regions.get_paths(session, [DEPOK, other, "32.76.01", "32.76.99.9999", DEPOK])
    assert len(statements) == 1
    assert list(paths) == [DEPOK, other, "32.76.01"]
    assert [r.code for r in paths[other]][:2] == ["32", SUKABUMI]
    assert [r.level for r in paths["32.76.01"]] == [1, 2, 3]


def test_paths_of_unknown_codes_are_empty(regions_loaded, db):
    with db.platform_session() as session:
        assert regions.get_path(session, "32.76.01.9999") == []
        assert regions.get_path(session, "") == []
        assert [r.code for r in regions.get_path(session, "32.76.01")] == [
            "32",
            "32.76",
            "32.76.01",
        ]


# -- search --------------------------------------------------------------------------------


def test_search_finds_prefixes_first_then_names_containing_the_text(regions_loaded, db):
    expected = {v.code for v in lokal_villages(SUKABUMI) if "jaya" in v.name.lower()}
    with db.platform_session() as session:
        found = regions.search_villages(session, "jaya", within=SUKABUMI, limit=100)
    assert {v.code for v in found} == expected
    starts = [v.name_search.startswith("jaya") for v in found]
    assert any(starts)  # some names start with the text
    assert not all(starts)  # and some only contain it
    assert starts == sorted(starts, reverse=True)
    assert all(v.level == 4 for v in found)


def test_search_ignores_case_and_extra_spaces(regions_loaded, db):
    with db.platform_session() as session:
        lower = regions.search_villages(session, "sukamaju")
        assert len(lower) == 20
        assert [v.code for v in regions.search_villages(session, "  SuKaMaJu ")] == [
            v.code for v in lower
        ]
        assert all(v.name.lower().startswith("sukamaju") for v in lower)
        assert len(regions.search_villages(session, "sukamaju", limit=5)) == 5


def test_search_within_a_region_stays_inside_it(regions_loaded, db):
    with db.platform_session() as session:
        in_regency = regions.search_villages(session, "jaya", within=SUKABUMI)
        in_province = regions.search_villages(session, "jaya", within="32", limit=200)
        # "32.0" is no region: it must not match "32.02..." as a string prefix would.
        assert regions.search_villages(session, "jaya", within="32.0") == []
    assert in_regency
    assert all(v.code.startswith(SUKABUMI + ".") for v in in_regency)
    assert all(v.code.startswith("32.") for v in in_province)
    assert len({v.code[:5] for v in in_province}) > 1


def test_search_takes_wildcards_and_backslashes_literally(regions_loaded, db):
    made = ["Uji 100% Makmur", "Uji 1000 Makmur", "Uji Jaya_Raya", "Uji JayaXRaya"]
    with db.platform_session() as session:
        session.execute(
            insert(Region),
            [fake_village(f"99.98.97.200{n}", name) for n, name in enumerate(made, start=1)],
        )

        def names(typed: str, within: str | None = None) -> set[str]:
            return {v.name for v in regions.search_villages(session, typed, within=within)}

        # Real names hold no "%", "_" or "\\", so only the made-up villages can match these.
        assert names("100%") == {"Uji 100% Makmur"}
        assert names("%") == {"Uji 100% Makmur"}
        assert names("a_r") == {"Uji Jaya_Raya"}
        assert names("_") == {"Uji Jaya_Raya"}
        assert names("\\") == set()
        assert names("uji", within="99.98") == set(made)


def test_search_for_nothing_finds_nothing(regions_loaded, db):
    with db.platform_session() as session:
        assert regions.search_villages(session, "") == []
        assert regions.search_villages(session, "   ") == []
        assert regions.search_villages(session, "jaya", limit=0) == []


# -- labels --------------------------------------------------------------------------------


def region(code: str, name: str, kind: str) -> Region:
    return Region(code=code, name=name, level=code.count(".") + 1, kind=kind)


@pytest.mark.parametrize(
    ("path", "label"),
    [
        (
            [
                region("32", "Jawa Barat", "provinsi"),
                region("32.02", "Kabupaten Sukabumi", "kabupaten"),
                region("32.02.05", "Cibadak", "kecamatan"),
                region("32.02.05.2001", "Sukamaju", "desa"),
            ],
            "Desa Sukamaju, Kec. Cibadak, Kab. Sukabumi, Jawa Barat",
        ),
        (
            [
                region("32", "Jawa Barat", "provinsi"),
                region("32.76", "Kota Depok", "kota"),
                region("32.76.01", "Pancoran Mas", "kecamatan"),
                region("32.76.01.1006", "Depok", "kelurahan"),
            ],
            "Kel. Depok, Kec. Pancoran Mas, Kota Depok, Jawa Barat",
        ),
        (
            [
                region("91", "Papua", "provinsi"),
                region("91.03", "Kabupaten Jayapura", "kabupaten"),
                region("91.03.02", "Sentani Timur", "distrik"),
                region("91.03.02.3003", "Desa Adat Ayapo", "desa_adat"),
            ],
            "Desa Adat Ayapo, Distrik Sentani Timur, Kab. Jayapura, Papua",
        ),
        (
            [region("13.12.07.2002", "Desa Baru", "desa")],
            "Desa Baru",
        ),
        ([], ""),
    ],
)
def test_village_label_reads_nearest_first(path, label):
    assert regions.village_label(path) == label


def test_label_of_a_loaded_village(regions_loaded, db):
    with db.platform_session() as session:
        label = regions.village_label(regions.get_path(session, DEPOK))
    assert label == "Kel. Depok, Kec. Pancoran Mas, Kota Depok, Jawa Barat"
