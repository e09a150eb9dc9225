"""The mandatory registers (buku wajib): each book adds, lists and prints; letters are numbered
without gaps per year; records of fact are corrected, never changed; the members' and the
board's books are views of what is kept elsewhere."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from saas.accounts import operations as accounts
from saas.accounts.roles import Role
from saas.members import operations as members
from saas.members.models import Member
from saas.registers import operations as registers
from saas.registers.kinds import BOOKS, ORDER, ROMAN_MONTHS, View
from saas.registers.models import Kind, Letter, RegisterEntry
from tests.factories import (
    PASSWORD,
    books_of,
    csrf_from,
    fill_board,
    login,
    refused_by_database,
    text,
)
from tests.integration.test_pages_in_indonesian import english_on

BASE = "/kelola/buku-wajib"
SECRETARY = "sari@kopalpha.id"


def sample(kind: Kind, day: date) -> dict[str, str]:
    """A line of each book, its first text naming it so the pages can be searched for it."""
    on = day.isoformat()
    return {
        Kind.EMPLOYEES: {"name": "Rina Karyawan", "place": "Kasir", "entry_date": on},
        Kind.ASSETS: {
            "name": "Timbangan Digital",
            "entry_date": on,
            "amount": "1.250.000",
            "place": "Gerai sembako",
            "category": "baik",
        },
        Kind.GUESTS: {
            "entry_date": on,
            "name": "Pak Tamu Dinas",
            "place": "Dinas Koperasi",
            "body": "Pembinaan",
        },
        Kind.MINUTES: {
            "entry_date": on,
            "category": "pengurus",
            "place": "Balai desa",
            "count": "7",
            "body": "Rencana gerai",
            "outcome": "Gerai Sembako Dibuka",
        },
        Kind.SUPERVISORS_NOTES: {
            "entry_date": on,
            "name": "Kas Diperiksa",
            "body": "Kas cocok",
        },
        Kind.RECOMMENDATIONS: {
            "entry_date": on,
            "name": "Camat Sukamaju",
            "body": "Segera RAT",
        },
        Kind.EVENTS: {"entry_date": on, "name": "Banjir Gudang", "body": "Gudang terendam"},
        Kind.SUGGESTIONS: {"entry_date": on, "name": "Bu Saran", "body": "Buka hari Minggu"},
    }[kind]


NAMED = {
    Kind.EMPLOYEES: "Rina Karyawan",
    Kind.ASSETS: "Timbangan Digital",
    Kind.GUESTS: "Pak Tamu Dinas",
    Kind.MINUTES: "Gerai Sembako Dibuka",
    Kind.SUPERVISORS_NOTES: "Kas Diperiksa",
    Kind.RECOMMENDATIONS: "Camat Sukamaju",
    Kind.EVENTS: "Banjir Gudang",
    Kind.SUGGESTIONS: "Bu Saran",
}


@pytest.fixture
def secretary(db, tenants, client_for):
    """Tenant A's secretary, signed in."""
    a = tenants.a
    with books_of(db, a) as session:
        accounts.create_tenant_user(
            session,
            name="Sari Sekretaris",
            email=SECRETARY,
            role=Role.SEKRETARIS,
            password=PASSWORD,
        )
    client = client_for("alpha")
    assert login(client, SECRETARY).status_code == 302
    return client


@pytest.fixture
def supervisor(client_for, db):
    client = client_for("alpha")
    assert login(client, "dedi@kopalpha.id").status_code == 302
    return client


def form_path(kind: Kind | View) -> str:
    return f"{BASE}/{kind.value}/baru"


def post(client, path: str, data: dict[str, str]):
    return client.post(path, data={**data, "csrf_token": csrf_from(client.get(path))})


def pdf_text(body: bytes) -> str:
    """The PDF's words, a table cell's lines joined again."""
    pages = (page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return " ".join(" ".join(pages).split())


def xlsx_cells(body: bytes) -> list[object]:
    book = load_workbook(io.BytesIO(body), read_only=True)
    return [
        value
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


def write_as(kind: Kind, secretary, supervisor):
    return supervisor if kind == Kind.SUPERVISORS_NOTES else secretary


@pytest.mark.parametrize("kind", list(Kind))
def test_each_book_adds_a_line_lists_it_and_prints_it(kind, secretary, supervisor, today):
    writer = write_as(kind, secretary, supervisor)
    response = post(writer, form_path(kind), sample(kind, today))
    assert response.status_code == 302, text(response)
    assert response.location == f"{BASE}/{kind.value}"
    assert NAMED[kind] in text(secretary.get(f"{BASE}/{kind.value}"))
    period = f"?dari={today.replace(day=1).isoformat()}&per={today.isoformat()}"
    pdf = secretary.get(f"{BASE}/{kind.value}.pdf{period}")
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "private, no-store"
    assert NAMED[kind] in pdf_text(pdf.data)
    assert "Koperasi Desa Merah Putih Alpha" in pdf_text(pdf.data)  # the letterhead
    sheet = secretary.get(f"{BASE}/{kind.value}.xlsx{period}")
    assert NAMED[kind] in xlsx_cells(sheet.data)


def test_an_asset_keeps_its_cost_in_rupiah_and_prints_it_as_a_number(secretary, today):
    assert post(secretary, form_path(Kind.ASSETS), sample(Kind.ASSETS, today)).status_code == 302
    page = text(secretary.get(f"{BASE}/inventaris"))
    assert "Rp1,250,000" in page or "Rp1.250.000" in page
    assert "Good" in page  # the condition's label, not its stored value
    cells = xlsx_cells(secretary.get(f"{BASE}/inventaris.xlsx").data)
    assert 1_250_000 in cells


def test_a_book_lists_the_latest_first_and_prints_only_the_period(secretary, today):
    earlier = today - timedelta(days=40)
    for day, name in ((earlier, "Tamu Lama"), (today, "Tamu Baru")):
        data = {**sample(Kind.GUESTS, day), "name": name}
        assert post(secretary, form_path(Kind.GUESTS), data).status_code == 302
    page = text(secretary.get(f"{BASE}/tamu"))
    assert page.index("Tamu Baru") < page.index("Tamu Lama")
    period = f"?dari={(today - timedelta(days=10)).isoformat()}&per={today.isoformat()}"
    printed = pdf_text(secretary.get(f"{BASE}/tamu.pdf{period}").data)
    assert "Tamu Baru" in printed
    assert "Tamu Lama" not in printed


def test_a_long_book_pages_fifty_lines_at_a_time(secretary, db, tenants, today):
    with books_of(db, tenants.a) as session:
        for n in range(51):
            session.add(
                RegisterEntry(kind=Kind.EVENTS, entry_date=today, name=f"Peristiwa {n:02d}")
            )
    first = text(secretary.get(f"{BASE}/peristiwa-penting"))
    assert "Peristiwa 50" in first
    assert "Peristiwa 00" not in first
    assert "halaman=2" in first
    second = text(secretary.get(f"{BASE}/peristiwa-penting?halaman=2"))
    assert "Peristiwa 00" in second
    assert "Peristiwa 50" not in second
    assert (
        secretary.get(f"{BASE}/peristiwa-penting?halaman=99999999999999999999").status_code == 200
    )


def test_a_period_too_long_to_print_is_refused_with_a_message(secretary, db, tenants, today):
    with books_of(db, tenants.a) as session:
        session.add_all(
            RegisterEntry(kind=Kind.GUESTS, entry_date=today, name=f"Tamu {n}") for n in range(501)
        )
    refused = secretary.get(f"{BASE}/tamu.pdf")
    assert refused.status_code == 400
    assert "more than a download holds" in text(refused)
    assert secretary.get(f"{BASE}/tamu.xlsx").mimetype.endswith("spreadsheetml.sheet")


def test_the_supervisors_notes_link_to_their_own_form(supervisor, today):
    page = text(supervisor.get(f"{BASE}/catatan-pengawas"))
    assert f'href="{BASE}/catatan-pengawas/baru"' in page


# -- letters ---------------------------------------------------------------------------------------


def send(client, day: date, to: str = "Kepala Desa"):
    data = {"letter_date": day.isoformat(), "counterpart": to, "subject": "Undangan RAT"}
    return post(client, form_path(View.OUTGOING), data)


def test_outgoing_letters_are_numbered_without_gaps_within_each_year(secretary, db, tenants, today):
    last_year = date(today.year - 1, 3, 10)
    for day in (today, today, last_year, today):
        assert send(secretary, day).status_code == 302
    with books_of(db, tenants.a) as session:
        numbers = session.scalars(select(Letter.number).order_by(Letter.id)).all()
    month = ROMAN_MONTHS[today.month - 1]
    assert numbers == [
        f"001/KDMP-ALPHA/{month}/{today.year}",
        f"002/KDMP-ALPHA/{month}/{today.year}",
        f"001/KDMP-ALPHA/III/{today.year - 1}",
        f"003/KDMP-ALPHA/{month}/{today.year}",
    ]
    page = text(secretary.get(f"{BASE}/surat-keluar"))
    assert f"003/KDMP-ALPHA/{month}/{today.year}" in page


def test_an_incoming_letter_keeps_its_sender_number(secretary, today):
    data = {
        "letter_date": today.isoformat(),
        "number": "045/DINKOP/XII/2026",
        "counterpart": "Dinas Koperasi",
        "subject": "Pelatihan",
    }
    assert post(secretary, form_path(View.INCOMING), data).status_code == 302
    page = text(secretary.get(f"{BASE}/surat-masuk"))
    assert "045/DINKOP/XII/2026" in page
    assert "Dinas Koperasi" in page


def test_the_database_never_lets_a_letter_number_change_or_repeat(secretary, db, tenants, today):
    assert send(secretary, today).status_code == 302
    schema = tenants.a.tenant.schema_name
    with books_of(db, tenants.a) as session:
        letter = session.scalars(select(Letter)).one()
        changed = refused_by_database(
            session,
            schema,
            "UPDATE letters SET number = '999/X/I/2026' WHERE id = :id",
            id=letter.id,
        )
        assert "never changed" in changed
        assert "never changed" in refused_by_database(
            session, schema, "DELETE FROM letters WHERE id = :id", id=letter.id
        )
        repeated = refused_by_database(
            session,
            schema,
            "INSERT INTO letters (direction, letter_date, number, year, sequence, counterpart,"
            " subject, created_at) VALUES ('out', :day, :number, :year, 2, 'X', 'Y', now())",
            day=today,
            number=letter.number,
            year=today.year,
        )
        assert "uq_letters_outgoing_number" in repeated
        again = refused_by_database(
            session,
            schema,
            "INSERT INTO letters (direction, letter_date, number, year, sequence, counterpart,"
            " subject, created_at) VALUES ('out', :day, 'other', :year, 1, 'X', 'Y', now())",
            day=today,
            year=today.year,
        )
        assert "uq_letters_year_sequence" in again


def test_a_letter_the_database_refuses_takes_no_number(db, tenants, today):
    with books_of(db, tenants.a) as session:
        with pytest.raises(DBAPIError):
            registers.send_letter(
                session,
                code="KDMP-ALPHA",
                letter_date=today,
                counterpart="Kepala Desa",
                subject="x" * 2001,  # longer than the database keeps
                recorded_by_id=None,
            )
        sent = registers.send_letter(
            session,
            code="KDMP-ALPHA",
            letter_date=today,
            counterpart="Kepala Desa",
            subject="Undangan",
            recorded_by_id=None,
        )
        assert sent.number.startswith("001/KDMP-ALPHA/")


def test_an_outgoing_letter_is_corrected_under_a_new_number(secretary, db, tenants, today):
    assert send(secretary, today, to="Kepala Dsa").status_code == 302
    with books_of(db, tenants.a) as session:
        first = session.scalars(select(Letter)).one()
    path = f"{form_path(View.OUTGOING)}?entri={first.id}"
    assert "Kepala Dsa" in text(secretary.get(path))
    data = {"letter_date": today.isoformat(), "counterpart": "Kepala Desa", "subject": "Undangan"}
    assert post(secretary, path, data).status_code == 302
    with books_of(db, tenants.a) as session:
        letters = session.scalars(select(Letter).order_by(Letter.id)).all()
        assert [letter.sequence for letter in letters] == [1, 2]
        assert letters[1].corrects_id == first.id
    assert "Corrected by a later entry." in text(secretary.get(f"{BASE}/surat-keluar"))
    assert post(secretary, path, data).status_code == 422
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(Letter)) == 2


# -- corrections and edits -------------------------------------------------------------------------


def test_a_record_of_fact_is_corrected_by_a_new_line_and_stays_as_written(
    secretary, db, tenants, today
):
    assert post(secretary, form_path(Kind.GUESTS), sample(Kind.GUESTS, today)).status_code == 302
    with books_of(db, tenants.a) as session:
        first = session.scalars(select(RegisterEntry)).one().id
    path = f"{form_path(Kind.GUESTS)}?entri={first}"
    assert "Pak Tamu Dinas" in text(secretary.get(path))  # the form starts from the line
    corrected = {**sample(Kind.GUESTS, today), "name": "Pak Tamu Dinas Benar"}
    assert post(secretary, path, corrected).status_code == 302
    with books_of(db, tenants.a) as session:
        lines = session.scalars(select(RegisterEntry).order_by(RegisterEntry.id)).all()
        assert [(e.name, e.corrects_id) for e in lines] == [
            ("Pak Tamu Dinas", None),
            ("Pak Tamu Dinas Benar", first),
        ]
    assert "Corrected by a later entry." in text(secretary.get(f"{BASE}/tamu"))
    twice = post(secretary, path, {**corrected, "name": "Lagi"})
    assert twice.status_code == 422
    assert "corrected already" in text(twice)
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(RegisterEntry)) == 2


def test_a_line_is_corrected_once_and_the_transaction_goes_on(db, tenants, today):
    with books_of(db, tenants.a) as session:
        guest = registers.add_entry(
            session, Kind.GUESTS, {"entry_date": today, "name": "Tamu"}, recorded_by_id=None
        )
        values = {"entry_date": today, "name": "Tamu Benar"}
        registers.add_entry(session, Kind.GUESTS, values, recorded_by_id=None, corrects=guest)
        with pytest.raises(registers.RegisterRefused) as refused:
            registers.add_entry(session, Kind.GUESTS, values, recorded_by_id=None, corrects=guest)
        assert refused.value.reason == "already_corrected"
        assert session.scalar(select(func.count()).select_from(RegisterEntry)) == 2


def test_an_employee_line_is_edited_in_place(secretary, db, tenants, today):
    assert (
        post(secretary, form_path(Kind.EMPLOYEES), sample(Kind.EMPLOYEES, today)).status_code == 302
    )
    with books_of(db, tenants.a) as session:
        entry_id = session.scalars(select(RegisterEntry.id)).one()
    edited = {**sample(Kind.EMPLOYEES, today), "place": "Kepala gerai"}
    assert (
        post(secretary, f"{form_path(Kind.EMPLOYEES)}?entri={entry_id}", edited).status_code == 302
    )
    with books_of(db, tenants.a) as session:
        assert session.scalars(select(RegisterEntry.place)).all() == ["Kepala gerai"]


def test_the_database_refuses_to_change_a_record_of_fact_but_not_an_asset(db, tenants, today):
    schema = tenants.a.tenant.schema_name
    with books_of(db, tenants.a) as session:
        guest = RegisterEntry(kind=Kind.GUESTS, entry_date=today, name="Tamu")
        asset = RegisterEntry(kind=Kind.ASSETS, entry_date=today, name="Meja", amount=1)
        session.add_all([guest, asset])
        session.flush()
        refused = refused_by_database(
            session, schema, "UPDATE register_entries SET name = 'X' WHERE id = :id", id=guest.id
        )
        assert "never changed" in refused
        assert "never changed" in refused_by_database(
            session, schema, "DELETE FROM register_entries WHERE id = :id", id=guest.id
        )
        assert "amount_not_negative" in refused_by_database(
            session, schema, "UPDATE register_entries SET amount = -1 WHERE id = :id", id=asset.id
        )
        asset.place = "Gudang"
        session.flush()  # an asset moved: its line is brought up to date


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 201}, "200"),
        ({"body": "x" * 2001}, "2000"),
        ({"entry_date": "2999-01-01"}, "The date cannot be in the future."),
        ({"entry_date": "kemarin"}, "This field is required."),
    ],
)
def test_bad_input_is_refused_on_the_form_and_nothing_is_written(
    secretary, db, tenants, today, changes, message
):
    response = post(secretary, form_path(Kind.GUESTS), {**sample(Kind.GUESTS, today), **changes})
    assert response.status_code == 422
    assert message in text(response)
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(RegisterEntry)) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"count": "-1"}, "Number must be between 0 and 100000."),
        ({"count": "banyak"}, "Not a valid integer value."),
        ({"category": "rahasia"}, "Not a valid choice."),
    ],
)
def test_bad_numbers_and_choices_are_refused(secretary, db, tenants, today, changes, message):
    response = post(secretary, form_path(Kind.MINUTES), {**sample(Kind.MINUTES, today), **changes})
    assert response.status_code == 422
    assert message in text(response)


def test_an_unknown_book_or_line_is_not_found(secretary, supervisor, db, tenants, today):
    assert secretary.get(f"{BASE}/rahasia").status_code == 404
    assert secretary.get(f"{BASE}/rahasia/baru").status_code == 404
    assert secretary.get(f"{BASE}/anggota/baru").status_code == 404  # a view: nothing to add
    assert secretary.get(f"{form_path(Kind.GUESTS)}?entri=999").status_code == 404
    assert secretary.get(f"{form_path(Kind.GUESTS)}?entri=99999999999999999999").status_code == 404
    assert (
        post(
            supervisor, form_path(Kind.SUPERVISORS_NOTES), sample(Kind.SUPERVISORS_NOTES, today)
        ).status_code
        == 302
    )
    with books_of(db, tenants.a) as session:
        note = session.scalars(select(RegisterEntry.id)).one()
    # A note is not a guest: the guests' form does not reach it.
    assert secretary.get(f"{form_path(Kind.GUESTS)}?entri={note}").status_code == 404


# -- the books that are views ----------------------------------------------------------------------


def test_the_members_book_shows_masked_niks_and_a_member_exit_without_a_second_record(
    secretary, db, tenants, today
):
    member = tenants.a.members[0]
    page = text(secretary.get(f"{BASE}/anggota"))
    assert member.name in page
    assert member.nik not in page
    assert member.nik[:4] + "••••••••" + member.nik[-4:] in page
    with books_of(db, tenants.a) as session:
        members.record_exit(session, session.get(Member, member.id), on=today, reason="Pindah")
        before = session.scalar(select(func.count()).select_from(Member))
    page = text(secretary.get(f"{BASE}/anggota"))
    assert page.count(member.name) == 1
    assert "left" in page
    printed = xlsx_cells(secretary.get(f"{BASE}/anggota.xlsx").data)
    assert today in [c.date() if hasattr(c, "date") else c for c in printed]
    assert member.nik not in [str(c) for c in printed]
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(Member)) == before
        assert session.scalar(select(func.count()).select_from(RegisterEntry)) == 0


def test_the_officers_and_supervisors_books_show_the_board_kept_by_the_profile(
    secretary, db, tenants
):
    with books_of(db, tenants.a) as session:
        fill_board(session)
    officers = text(secretary.get(f"{BASE}/pengurus"))
    supervisors = text(secretary.get(f"{BASE}/pengawas"))
    assert "Secretary (Sekretaris)" in officers
    assert "Hendra PengawasAlpha" in supervisors
    assert "Hendra PengawasAlpha" not in officers
    assert "Hendra PengawasAlpha" in pdf_text(secretary.get(f"{BASE}/pengawas.pdf").data)


# -- roles -----------------------------------------------------------------------------------------


def test_the_board_reads_the_registers_but_only_the_secretary_writes(client_for, secretary, today):
    chair = client_for("alpha")
    login(chair, "ana@kopalpha.id")
    assert post(secretary, form_path(Kind.GUESTS), sample(Kind.GUESTS, today)).status_code == 302
    assert "Pak Tamu Dinas" in text(chair.get(f"{BASE}/tamu"))
    assert "Add an entry" not in text(chair.get(f"{BASE}/tamu"))
    assert chair.get(form_path(Kind.GUESTS)).status_code == 403
    token = csrf_from(chair.get(f"{BASE}/tamu"))
    refused = chair.post(
        form_path(Kind.GUESTS), data={**sample(Kind.GUESTS, today), "csrf_token": token}
    )
    assert refused.status_code == 403


def test_only_the_supervisors_write_their_notes(secretary, supervisor, today):
    assert secretary.get(form_path(Kind.SUPERVISORS_NOTES)).status_code == 403
    assert supervisor.get(form_path(Kind.GUESTS)).status_code == 403
    assert (
        post(
            supervisor, form_path(Kind.SUPERVISORS_NOTES), sample(Kind.SUPERVISORS_NOTES, today)
        ).status_code
        == 302
    )
    page = text(supervisor.get(f"{BASE}/catatan-pengawas"))
    assert "Kas Diperiksa" in page
    assert "Add an entry" in page
    assert "Add an entry" not in text(secretary.get(f"{BASE}/catatan-pengawas"))


def test_members_see_no_register(client_for):
    member = client_for("alpha")
    login(member, "citra@kopalpha.id")
    assert member.get(BASE).status_code == 403
    assert member.get(f"{BASE}/anggota").status_code == 403
    assert member.get(f"{BASE}/anggota.xlsx").status_code == 403


# -- isolation, language, small screens ------------------------------------------------------------


def test_another_cooperative_never_reaches_a_line_of_alpha(
    secretary, client_for, db, tenants, today
):
    for name in ("Pak Tamu Dinas", "Bu Tamu Kedua"):
        data = {**sample(Kind.GUESTS, today), "name": name}
        assert post(secretary, form_path(Kind.GUESTS), data).status_code == 302
    with books_of(db, tenants.a) as session:
        shared, only_a = session.scalars(select(RegisterEntry.id).order_by(RegisterEntry.id)).all()
    with books_of(db, tenants.b) as session:
        accounts.create_tenant_user(
            session,
            name="Sekretaris Beta",
            email="sekretaris@kopbeta.id",
            role=Role.SEKRETARIS,
            password=PASSWORD,
        )
        # B's own guest under the id of A's first: the ids collide.
        session.add(RegisterEntry(id=shared, kind=Kind.GUESTS, entry_date=today, name="Tamu Beta"))
    beta = client_for("beta")
    login(beta, "sekretaris@kopbeta.id")
    own = text(beta.get(f"{form_path(Kind.GUESTS)}?entri={shared}"))
    assert "Tamu Beta" in own
    assert "Pak Tamu Dinas" not in own
    assert beta.get(f"{form_path(Kind.GUESTS)}?entri={only_a}").status_code == 404
    listed = text(beta.get(f"{BASE}/tamu"))
    assert "Tamu Beta" in listed
    assert "Pak Tamu Dinas" not in listed
    assert "Bu Tamu Kedua" not in pdf_text(beta.get(f"{BASE}/tamu.pdf").data)
    assert "Tamu Beta" not in text(secretary.get(f"{BASE}/tamu"))


def test_the_registers_speak_indonesian(app, client_for, db, tenants, today):
    with books_of(db, tenants.a) as session:
        accounts.create_tenant_user(
            session,
            name="Sari Sekretaris",
            email=SECRETARY,
            role=Role.SEKRETARIS,
            password=PASSWORD,
        )
    client = client_for("alpha", lang="id")
    login(client, SECRETARY)
    pages = [BASE, *(f"{BASE}/{book.value}" for book in ORDER)]
    pages += [form_path(kind) for kind in Kind if kind != Kind.SUPERVISORS_NOTES]
    pages += [form_path(View.INCOMING), form_path(View.OUTGOING)]
    found = {}
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        if english := english_on(text(response)):
            found[path] = english
    refused = post(client, form_path(Kind.MINUTES), {"name": ""})
    assert refused.status_code == 422
    found[form_path(Kind.MINUTES) + " refused"] = english_on(text(refused))
    assert {path: words for path, words in found.items() if words} == {}
    assert "Buku wajib" in text(client.get(BASE)) or "buku wajib" in text(client.get(BASE))


def test_the_registers_pages_fit_a_small_screen(secretary):
    for path in (BASE, f"{BASE}/tamu", form_path(Kind.MINUTES), f"{BASE}/anggota"):
        main = text(secretary.get(path)).split("<main", 1)[1].split("</main>", 1)[0]
        assert not re.search(r"\bstyle=|\bwidth=", main), path


def test_every_book_is_declared_and_listed_once():
    assert set(BOOKS) == set(Kind)
    assert sorted(ORDER) == sorted([*Kind, *View])
    assert len(set(ORDER)) == len(ORDER) == 13
    assert ROMAN_MONTHS[0] == "I"
    assert ROMAN_MONTHS[8] == "IX"
    assert ROMAN_MONTHS[11] == "XII"
