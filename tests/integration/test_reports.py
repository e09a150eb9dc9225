"""The statements on screen: they balance, follow the period asked and read in both languages."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from saas.ledger import operations as ledger
from saas.ledger.models import Account
from saas.ledger.rules import Line
from tests.factories import login, text


def account(session, code):
    return session.scalar(select(Account.id).where(Account.code == code))


@pytest.fixture
def year_of_books(db, tenants):
    """Voluntary savings in, electricity paid, other income earned, in 2026."""
    a = tenants.a.tenant
    member = tenants.a.members[0]
    with db.tenant_session(a.shard, a.schema_name) as session:
        postings = [
            (date(2026, 3, 2), [("1-101", 100_000, 0, None), ("2-101", 0, 100_000, member.id)]),
            (date(2026, 4, 9), [("6-102", 30_000, 0, None), ("1-101", 0, 30_000, None)]),
            (date(2026, 5, 20), [("1-102", 50_000, 0, None), ("4-199", 0, 50_000, None)]),
            (date(2025, 12, 30), [("6-102", 7_000, 0, None), ("1-101", 0, 7_000, None)]),
        ]
        for day, lines in postings:
            ledger.post_entry(
                session,
                entry_date=day,
                description="uji",
                lines=[Line(account(session, c), d, k, m) for c, d, k, m in lines],
                idempotency_key=uuid.uuid4(),
            )
        session.commit()


def amount_after(label, page):
    found = re.search(re.escape(label) + r'</(?:td|th)><td class="num">([^<]+)</td>', page)
    return found.group(1) if found else None


def test_the_balance_sheet_balances_and_the_phu_covers_the_period(alpha, year_of_books):
    login(alpha, "bambang@kopalpha.id")
    page = text(
        alpha.get("/kelola/laporan", query_string={"dari": "2026-01-01", "per": "2026-06-30"})
    )
    assert amount_after("Cash", page) == "Rp63,000"  # 100,000 - 30,000 - 7,000
    assert amount_after("Bank", page) == "Rp50,000"
    assert amount_after("Total assets", page) == "Rp113,000"
    assert amount_after("Voluntary savings (sukarela)", page) == "Rp100,000"
    assert amount_after("Results not yet closed (SHU)", page) == "Rp13,000"
    assert amount_after("Total liabilities and equity", page) == "Rp113,000"
    assert "does not balance" not in page
    # PHU for 2026 only: December 2025's electricity is not in it.
    assert amount_after("Total revenue", page) == "Rp50,000"
    assert amount_after("Total expenses", page) == "Rp30,000"
    assert amount_after("Result (SHU before distribution)", page) == "Rp20,000"


def test_a_balance_sheet_for_an_earlier_date_leaves_later_postings_out(alpha, year_of_books):
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get("/kelola/laporan", query_string={"per": "2026-03-31"}))
    assert amount_after("Total assets", page) == "Rp93,000"
    assert amount_after("Bank", page) is None


def test_statements_read_in_indonesian(client_for, year_of_books):
    client = client_for("alpha", lang="id")
    login(client, "bambang@kopalpha.id")
    page = text(client.get("/kelola/laporan", query_string={"per": "2026-06-30"}))
    assert amount_after("Kas", page) == "Rp63.000"
    assert amount_after("Simpanan sukarela", page) == "Rp100.000"


def test_the_trial_balance_totals_agree(alpha, year_of_books):
    login(alpha, "dedi@kopalpha.id")  # supervisors read the books
    page = text(alpha.get("/kelola/laporan/neraca-saldo", query_string={"per": "2026-12-31"}))
    totals = re.search(r'Total</th><td class="num">([^<]+)</td><td class="num">([^<]+)</td>', page)
    # 187,000 posted here and the fixtures' two expenses of November (35,000)
    assert totals.group(1) == totals.group(2) == "Rp222,000"


def test_a_bad_date_is_reported_and_today_is_shown(alpha):
    login(alpha, "bambang@kopalpha.id")
    response = alpha.get("/kelola/laporan", query_string={"per": "31-02-2026"})
    assert response.status_code == 422
    assert "Not a valid date value." in text(response)
    assert "Statement of financial position (neraca) on" in text(response)  # today's, meanwhile
    response = alpha.get(
        "/kelola/laporan", query_string={"dari": "2026-06-01", "per": "2026-01-01"}
    )
    assert response.status_code == 422
    assert "The end date comes before the start date." in text(response)


def test_members_cannot_open_the_statements(alpha):
    login(alpha, "citra@kopalpha.id")
    assert alpha.get("/kelola/laporan").status_code == 403


def test_the_statements_download_as_pdf_and_as_excel_with_the_same_figures(alpha, year_of_books):
    login(alpha, "bambang@kopalpha.id")
    period = {"dari": "2026-01-01", "per": "2026-06-30"}
    pdf = alpha.get("/kelola/laporan/unduh.pdf", query_string=period)
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "laporan-alpha-2026-06-30.pdf" in pdf.headers["Content-Disposition"]
    book = load_workbook(
        io.BytesIO(alpha.get("/kelola/laporan/unduh.xlsx", query_string=period).data)
    )
    position = {
        row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if len(row) > 1
    }
    assert position["Cash"] == 63_000
    assert position["Total assets"] == position["Total liabilities and equity"] == 113_000
    results = {row[0]: row[1] for row in book["PHU"].iter_rows(values_only=True) if len(row) > 1}
    assert results["Result (SHU before distribution)"] == 20_000
    trial = list(book.worksheets[2].iter_rows(values_only=True))
    assert sum(r[1] for r in trial[1:]) == sum(r[2] for r in trial[1:])


def test_a_download_asked_with_bad_dates_is_refused(alpha):
    login(alpha, "bambang@kopalpha.id")
    backwards = {"dari": "2026-06-01", "per": "2026-01-01"}
    for fmt in ("pdf", "xlsx"):
        assert alpha.get(f"/kelola/laporan/unduh.{fmt}", query_string=backwards).status_code == 400
