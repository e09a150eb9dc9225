"""The statements as documents: every PDF under the cooperative's letterhead with the subtotals of
the page, and every spreadsheet keeping text that looks like a formula as text."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date

import pytest
from babel.dates import format_date, format_time
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from saas import clock
from saas.ledger import operations as ledger
from saas.ledger.models import Account
from saas.ledger.rules import Line
from saas.members.models import Member
from saas.microsite import operations as microsite
from saas.microsite.models import Position
from saas.tenants.models import Tenant
from tests import clock as test_clock
from tests.factories import fill_board, login, text
from tests.integration.test_reports import FIRST_HALF, half_year, rows_of, year_of_books

__all__ = ["half_year", "year_of_books"]  # fixtures this module's tests use

SK_AHU = "AHU-0001234.AH.01.29.TAHUN 2025"
REGION = "Desa Uji, Kec. Palabuhanratu, Kabupaten Sukabumi, Jawa Barat"


def pdf_text(response) -> str:
    """The text of every page of a PDF, each run of white space as one space."""
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def letterhead(db, tenants):
    """Alpha's address, region and legal identifiers, and a treasurer on its board."""
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        microsite.save_profile(
            session,
            vision=None,
            mission=None,
            village_potential=None,
            address="Jl. Desa 1",
            postal_code="43351",
            latitude=None,
            longitude=None,
            phone=None,
            whatsapp=None,
            email=None,
        )
        microsite.save_legal_identifiers(
            session,
            microsite.LegalIdentifiers(SK_AHU, date(2025, 8, 17), "0013000666091000", None, None),
        )
        fill_board(session, (Position.BENDAHARA,))
    with db.platform_session() as session:
        session.get(Tenant, a.id).region_label = REGION
        session.commit()


def statement_urls(db, tenants) -> list[str]:
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        cash = session.scalar(select(Account.id).where(Account.code == "1-101"))
    sri = tenants.a.members[0].id
    return [
        "/kelola/laporan/unduh.pdf",
        "/kelola/laporan/perubahan-ekuitas.pdf",
        "/kelola/laporan/arus-kas.pdf",
        "/kelola/laporan/rekap-simpanan.pdf",
        f"/kelola/buku-besar/{cash}.pdf",
        f"/kelola/anggota/{sri}/rekening.pdf",
    ]


def test_every_statement_pdf_carries_the_letterhead_print_date_and_signature_lines(
    alpha, db, tenants, half_year, letterhead
):
    login(alpha, "bambang@kopalpha.id")
    printed = test_clock.NOW.astimezone(clock.WIB)
    day = format_date(printed.date(), "medium", locale="en")
    hour = format_time(printed, "short", tzinfo=clock.WIB, locale="en")
    stamp = " ".join(f"Printed on {day} at {hour} WIB".split())
    for url in statement_urls(db, tenants):
        document = pdf_text(alpha.get(url, query_string=FIRST_HALF))
        assert "Koperasi" in document or "Alpha" in document, url
        assert "Jl. Desa 1, 43351" in document, url
        assert REGION in document, url
        assert f"Legal entity: {SK_AHU} of Aug 17, 2025" in document, url
        assert "NPWP: 0013000666091000" in document, url
        assert stamp in document, url
        assert "Chair (Ketua) Treasurer (Bendahara)" in document, url
        assert "Ana Alpha bendahara" in document, url  # the names under the lines


def test_a_signature_line_without_anyone_in_the_position_is_left_blank_and_no_profile_is_needed(
    alpha, year_of_books
):
    login(alpha, "bambang@kopalpha.id")
    document = pdf_text(alpha.get("/kelola/laporan/unduh.pdf", query_string=FIRST_HALF))
    assert "Chair (Ketua) Treasurer (Bendahara)" in document
    assert "Treasurer (Bendahara) Ana Alpha Printed on" in document  # no name, only the line
    assert "Legal entity" not in document
    assert "NPWP" not in document


def test_the_print_date_is_the_cooperatives_own_time_in_the_pages_language(
    client_for, db, tenants, year_of_books
):
    a = tenants.a.tenant
    with db.platform_session() as session:
        session.get(Tenant, a.id).region_code = "51.71.01.1001"  # Denpasar keeps WITA
        session.commit()
    client = client_for("alpha", lang="id")
    login(client, "bambang@kopalpha.id")
    document = pdf_text(client.get("/kelola/laporan/unduh.pdf", query_string=FIRST_HALF))
    printed = test_clock.NOW.astimezone(clock.WITA)
    day = format_date(printed.date(), "medium", locale="id")
    hour = format_time(printed, "short", tzinfo=clock.WITA, locale="id")
    assert " ".join(f"Dicetak {day} pukul {hour} WITA".split()) in document
    assert "Ketua Bendahara" in document


def screen_totals(page: str) -> list[tuple[str, str]]:
    """The label and amount of every total row of a page (``Total …``, a closing balance)."""
    return [
        (row[0], row[-1])
        for row in rows_of(page)
        if len(row) >= 2 and row[-1].startswith(("Rp", "-Rp"))
        if row[0].startswith(("Total", "Result", "Closing", "Net ", "Cash and bank"))
    ]


@pytest.mark.parametrize(
    ("screen", "document"),
    [
        ("/kelola/laporan", "/kelola/laporan/unduh.pdf"),
        ("/kelola/laporan/neraca-saldo", "/kelola/laporan/unduh.pdf"),
        ("/kelola/laporan/perubahan-ekuitas", "/kelola/laporan/perubahan-ekuitas.pdf"),
        ("/kelola/laporan/arus-kas", "/kelola/laporan/arus-kas.pdf"),
        ("/kelola/laporan/rekap-simpanan", "/kelola/laporan/rekap-simpanan.pdf"),
    ],
)
def test_a_statement_pdf_shows_every_subtotal_of_its_page(alpha, half_year, screen, document):
    login(alpha, "bambang@kopalpha.id")
    totals = screen_totals(text(alpha.get(screen, query_string=FIRST_HALF)))
    assert totals
    printed = pdf_text(alpha.get(document, query_string=FIRST_HALF))
    for label, amount in totals:
        assert re.search(re.escape(label) + r" (Rp\S+ )*" + re.escape(amount), printed), label


def test_the_neraca_pdf_shows_the_totals_of_liabilities_equity_revenue_and_expenses(
    alpha, year_of_books
):
    login(alpha, "bambang@kopalpha.id")
    document = pdf_text(alpha.get("/kelola/laporan/unduh.pdf", query_string=FIRST_HALF))
    assert "Total liabilities Rp100,000" in document
    assert "Total equity Rp13,000" in document
    assert "Total revenue Rp50,000" in document
    assert "Total expenses Rp30,000" in document


# -- spreadsheets ----------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","klik")', "+1+1", "-2", "@SUM(1)"]


@pytest.fixture
def formula_names(db, tenants, half_year):
    """Accounts, a member and a deposit's description written like formulas."""
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        accounts = {
            code: session.scalar(select(Account).where(Account.code == code))
            for code in ("1-101", "2-101", "3-101", "4-199")
        }
        for account, name in zip(accounts.values(), FORMULAS, strict=True):
            ledger.rename_account(session, account, name)
        session.scalar(select(Member).where(Member.id == tenants.a.members[0].id)).name = "-2"
        ledger.post_entry(
            session,
            entry_date=date(2026, 6, 28),
            description="@SUM(1)",
            lines=[
                Line(accounts["1-101"].id, 1_000, 0),
                Line(accounts["2-101"].id, 0, 1_000, tenants.a.members[0].id),
            ],
            idempotency_key=uuid.uuid4(),
        )
        session.commit()
        return accounts["1-101"].id


def assert_no_live_formula(data: bytes, where: str) -> int:
    """Every cell of every sheet is a value, none a formula; the count of neutralised texts."""
    neutralised = 0
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (where, sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith("="), (where, cell.value)
                    neutralised += cell.value[:2] in {"'=", "'+", "'-", "'@"}
    return neutralised


def test_a_formula_like_name_comes_out_of_every_spreadsheet_as_text(alpha, tenants, formula_names):
    login(alpha, "bambang@kopalpha.id")
    sri = tenants.a.members[0].id
    urls = [
        "/kelola/laporan/unduh.xlsx",
        "/kelola/laporan/perubahan-ekuitas.xlsx",
        "/kelola/laporan/arus-kas.xlsx",
        "/kelola/laporan/rekap-simpanan.xlsx",
        f"/kelola/buku-besar/{formula_names}.xlsx",
        f"/kelola/anggota/{sri}/rekening.xlsx",
        "/kelola/anggota/ekspor.xlsx",
    ]
    for url in urls:
        response = alpha.get(url, query_string=FIRST_HALF)
        assert response.status_code == 200, url
        assert assert_no_live_formula(response.data, url) > 0, url


def test_the_neraca_and_phu_sheets_keep_a_formula_like_account_name_as_its_text(
    alpha, formula_names
):
    login(alpha, "bambang@kopalpha.id")
    data = alpha.get("/kelola/laporan/unduh.xlsx", query_string=FIRST_HALF).data
    book = load_workbook(io.BytesIO(data))
    cells = {
        sheet.title: {c.value: c for row in sheet.iter_rows() for c in row if c.value}
        for sheet in book.worksheets
    }
    position, results = cells["Balance sheet"], cells["PHU"]
    assert position["'" + FORMULAS[0]].data_type == "s"
    assert position["'+1+1"].data_type == "s"
    assert position["'-2"].data_type == "s"
    assert results["'@SUM(1)"].data_type == "s"
    amounts = {
        sheet.title: {row[0]: row[-1] for row in sheet.iter_rows(values_only=True)}
        for sheet in book.worksheets
    }
    assert amounts["Balance sheet"]["Total liabilities"] == 101_000  # the screen's subtotals too
    assert amounts["PHU"]["Total revenue"] == 100_000
