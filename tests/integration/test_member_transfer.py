"""Members from and to spreadsheets: mapping, per-row verdicts, nothing saved until confirmed."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from saas.members.models import Member
from tests.factories import csrf_token, login, text

ROWS = [
    ["No", "Nama Lengkap", "NIK", "No HP", "Alamat", "Tanggal Masuk"],
    ["1", "Dewi Sartika", "3273016508950003", "0812 3456 7011", "RT 1", "02/11/2026"],
    ["2", "Budi", "3273011208850009", "", "", "2026-10-01"],
    ["3", "", "3273011208850010", "", "", ""],  # no name
    ["4", "Ganda", "3273011208850009", "", "", ""],  # the same NIK as Budi
    ["5", "Sri Lama", "3273014507900001", "", "", ""],  # already registered (alpha's Sri)
    ["6", "Tanggal Salah", "3273011208850011", "", "", "31/02/2026"],
]


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def ketua(alpha):
    login(alpha, "ana@kopalpha.id")
    return alpha


def upload(client, content, name):
    return client.post(
        "/kelola/anggota/impor",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_token(client, "/kelola/anggota/impor"),
            "file": (io.BytesIO(content), name),
        },
    )


def alpha_names(db, tenants):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        return set(session.scalars(select(Member.name)))


def test_an_excel_import_previews_every_row_and_imports_the_valid_ones(ketua, db, tenants):
    response = upload(ketua, xlsx(ROWS), "anggota.xlsx")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = text(ketua.get(preview_url))
    assert "2 of 6 rows can be imported" in page
    assert "The name is empty." in page
    assert "This NIK appears twice in the file." in page
    assert "A member with this NIK is already registered." in page
    assert "is not a date like" in page
    assert "Dewi Sartika" not in alpha_names(db, tenants)  # nothing saved before confirming
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = ketua.post(preview_url, data={"csrf_token": token, "confirm": "1"})
    assert done.status_code == 302
    assert "2 members imported." in text(ketua.get(done.headers["Location"]))
    names = alpha_names(db, tenants)
    assert {"Dewi Sartika", "Budi"} <= names
    assert "Ganda" not in names
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        dewi = session.scalar(select(Member).where(Member.name == "Dewi Sartika"))
        assert (dewi.number, dewi.phone, dewi.join_date.isoformat()) == (
            "0003",
            "+6281234567011",
            "2026-11-02",
        )


def test_a_csv_with_semicolons_and_other_headers_can_be_mapped(ketua, db, tenants):
    content = b"kolom a;kolom b\n3273016508950003;Dewi Sartika\n"
    preview_url = upload(ketua, content, "data.csv").headers["Location"]
    page = text(ketua.get(preview_url))
    assert "Choose the columns with the NIK and the name." in page
    mapped = text(ketua.get(preview_url, query_string={"col_nik": "0", "col_name": "1"}))
    assert "1 of 1 rows can be imported" in mapped


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 not a sheet", "a.xlsx", "Upload an Excel (.xlsx) or CSV file."),
        (b"\xd0\xcf\x11\xe0 an old .xls", "a.xls", "Upload an Excel (.xlsx) or CSV file."),
        (b"PK\x03\x04broken zip", "a.xlsx", "Upload an Excel (.xlsx) or CSV file."),
        (b"NIK,Nama\n", "a.csv", "The file has no rows under its header row."),
    ],
)
def test_files_that_are_not_member_lists_are_refused(ketua, content, name, message):
    response = upload(ketua, content, name)
    assert response.status_code == 422
    assert message in text(response)


def test_the_export_lists_the_register_with_savings_and_masks_nik_for_cashiers(
    ketua, alpha, db, tenants
):
    book = load_workbook(io.BytesIO(ketua.get("/kelola/anggota/ekspor.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("No. anggota", "Nama", "NIK")
    assert rows[1][:3] == ("0001", "Sri Wahyuni Alpha", "3273014507900001")
    assert "Siti Beta" not in str(rows)
    response = ketua.get("/kelola/anggota/ekspor.csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="anggota-alpha')
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert table[2][1] == "Joko OnlyAlpha"


def test_a_formula_typed_as_a_name_is_exported_as_text(ketua, db, tenants):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        member = session.scalar(select(Member).where(Member.number == "0001"))
        member.name = '=HYPERLINK("http://evil")'
        session.commit()
    table = list(
        csv.reader(io.StringIO(ketua.get("/kelola/anggota/ekspor.csv").data.decode("utf-8-sig")))
    )
    assert table[1][1].startswith("'=")
