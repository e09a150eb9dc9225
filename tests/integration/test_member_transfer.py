"""Members from and to spreadsheets: mapping, per-row verdicts, nothing saved until confirmed."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy import text as sql

import saas.jobs
from saas.members import import_job
from saas.members.models import Member
from saas.members.operations import MemberDetails, register_member
from tests.factories import csrf_from, csrf_token, login, put_on_paid_plan, text

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


# -- a large file, imported by a job --------------------------------------------------------------


def large_csv(valid: int, bad: int = 0) -> bytes:
    """``valid`` members with distinct NIKs, then ``bad`` rows without a name."""
    lines = ["NIK;Nama"]
    lines += [f"327301010190{n:04d};Anggota {n}" for n in range(1, valid + 1)]
    lines += [f"327301410190{n:04d};" for n in range(1, bad + 1)]
    return "\n".join(lines).encode()


def member_count(db, tenants) -> int:
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        return session.scalar(select(func.count()).select_from(Member))


def queued_imports(db, upload_key: str) -> list[dict]:
    with db.platform_session() as session:
        return list(
            session.scalars(
                sql(
                    "SELECT args FROM procrastinate_jobs WHERE task_name = :task "
                    "AND args->>'upload_key' = :key"
                ),
                {"task": "saas.jobs.import_members_file", "key": upload_key},
            )
        )


def confirm(client, preview_url):
    token = csrf_from(client.get(preview_url))
    return client.post(preview_url, data={"csrf_token": token, "confirm": "1"})


@pytest.fixture
def worker(app, monkeypatch):
    """Run the queued import as the job worker would, recording each progress the page can read."""
    monkeypatch.setattr(saas.jobs, "flask_app", lambda: app)
    storage = app.extensions["guyub.storage"]
    written: list[dict] = []
    original = storage.write

    def record(key, content):
        if key.endswith(".json"):
            written.append(json.loads(content))
        original(key, content)

    monkeypatch.setattr(storage, "write", record)

    def run(db, upload_key):
        (args,) = queued_imports(db, upload_key)
        return saas.jobs.import_members_file(**args)

    run.written = written
    return run


def upload_key_of(preview_url: str, tenant) -> str:
    return f"{tenant.schema_name}_imp/{preview_url.rsplit('/', 1)[1]}"


def test_a_large_file_is_imported_by_a_job_that_reports_its_progress(ketua, db, tenants, worker):
    put_on_paid_plan(db, tenants.a.tenant)  # 3,000 members are past the free plan's limit
    before = member_count(db, tenants)
    preview_url = upload(ketua, large_csv(3_000, bad=2), "besar.csv").headers["Location"]
    key = upload_key_of(preview_url, tenants.a.tenant)
    page = text(ketua.get(preview_url))
    assert "3,000 of 3,002 rows can be imported" in page
    assert "imported in the background" in page
    response = confirm(ketua, preview_url)
    progress_url = preview_url + "/kemajuan"
    assert response.headers["Location"] == progress_url
    waiting = text(ketua.get(progress_url))
    assert "Waiting to start" in waiting
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in waiting
    assert 'hx-trigger="every 1s"' in waiting
    assert member_count(db, tenants) == before  # nothing before the worker runs
    assert ketua.get(preview_url).headers["Location"] == progress_url  # no second confirmation

    assert worker(db, key) == 3_000
    assert [(p["state"], p["done"]) for p in worker.written[1:]] == [
        ("running", 0),
        *[("running", done) for done in range(250, 3_001, 250)],
        ("done", 3_000),
    ]
    assert member_count(db, tenants) == before + 3_000
    finished = ketua.get(progress_url, headers={"HX-Request": "true"})
    assert "3,000 members imported." in text(finished)
    assert "<html" not in text(finished)  # the panel alone, for htmx to swap
    assert "hx-trigger" not in text(finished)  # and the polling stops
    assert "refresh" not in text(ketua.get(progress_url))
    assert worker(db, key) == 0  # the same job again does nothing


def test_a_large_file_with_bad_rows_imports_nothing_until_confirmed(ketua, db, tenants):
    before = member_count(db, tenants)
    preview_url = upload(ketua, large_csv(3_000, bad=40), "besar.csv").headers["Location"]
    page = ketua.get(preview_url)
    assert "The name is empty." in text(page)
    checked = ketua.post(
        preview_url, data={"csrf_token": csrf_from(page), "col_nik": "0", "col_name": "1"}
    )
    assert "3,000 of 3,040 rows can be imported" in text(checked)
    assert member_count(db, tenants) == before
    assert queued_imports(db, upload_key_of(preview_url, tenants.a.tenant)) == []
    assert ketua.get(preview_url + "/kemajuan").status_code == 404


@pytest.fixture
def five_confirmed(ketua, monkeypatch):
    """Five members confirmed as a job (the threshold lowered to two rows): the preview's URL."""
    monkeypatch.setattr(import_job, "BACKGROUND_ROWS", 2)
    preview_url = upload(ketua, large_csv(5), "kecil.csv").headers["Location"]
    confirm(ketua, preview_url)
    return preview_url


def test_a_member_registered_meanwhile_fails_the_import_and_nothing_is_saved(
    ketua, db, tenants, worker, five_confirmed
):
    preview_url = five_confirmed
    before = member_count(db, tenants)
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        register_member(
            session,
            MemberDetails(
                "3273010101900003", "Datang Duluan", None, None, None, None, None, date(2026, 1, 5)
            ),
        )
    assert worker(db, upload_key_of(preview_url, a)) == 0
    assert worker.written[-1]["state"] == "failed"
    assert member_count(db, tenants) == before + 1
    page = text(ketua.get(preview_url + "/kemajuan"))
    assert "Someone registered one of these members meanwhile, so nothing was imported." in page
    again = ketua.get(preview_url)  # the file is kept: the officer checks it and confirms again
    assert "4 of 5 rows can be imported" in text(again)


def test_another_cooperatives_import_progress_is_not_found(ketua, beta, five_confirmed):
    preview_url, progress_url = five_confirmed, five_confirmed + "/kemajuan"
    assert ketua.get(progress_url).status_code == 200
    login(beta, "ani@kopbeta.id")
    assert beta.get(progress_url).status_code == 404
    assert beta.get(preview_url).status_code == 404


def test_an_import_whose_worker_died_reads_as_stopped_and_can_be_confirmed_again(
    ketua, db, tenants, worker, five_confirmed, monkeypatch
):
    preview_url = five_confirmed
    before = member_count(db, tenants)

    def dies_midway(session, rows, on_progress):
        on_progress(3)
        raise KeyboardInterrupt  # what is left of a killed worker: no chance to report

    monkeypatch.setattr(import_job.members, "import_members", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        worker(db, upload_key_of(preview_url, tenants.a.tenant))
    progress_url = preview_url + "/kemajuan"
    assert "3 of 5 rows imported" in text(ketua.get(progress_url))
    monkeypatch.setattr(import_job, "STALLED_AFTER", timedelta(0))
    page = text(ketua.get(progress_url))
    assert "The import stopped before it finished, so nothing was imported." in page
    assert "hx-trigger" not in page
    assert member_count(db, tenants) == before
    assert confirm(ketua, preview_url).headers["Location"] == progress_url
    assert "Waiting to start" in text(ketua.get(progress_url))
