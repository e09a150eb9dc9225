"""The loans in the statements: the loan ledger on screen, as PDF and Excel; a loan's card; the
neraca with loans net of the PPAP reserve and the PHU with the loans' revenue and expense."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from saas.ledger.queries import balance_sheet, income_statement
from saas.loans import collectibility
from saas.loans import operations as loans
from saas.loans.repayments import standing
from tests.clock import TODAY
from tests.factories import books_of, login, text
from tests.integration.lending import FLAT, active_loan, pay

TREASURER, SUPERVISOR = "bambang@kopalpha.id", "dedi@kopalpha.id"
MEMBER = "citra@kopalpha.id"
LEDGER_URL = "/kelola/laporan/buku-pinjaman"
MID_DECEMBER = date(2026, 12, 15)  # the day the reserves are posted on: November has ended
WITH_FEES = loans.ProductTerms(**{**vars(FLAT), "name": "Pinjaman Berbiaya", "admin_fee_bp": 100})


@pytest.fixture
def book(db, tenants) -> dict[str, int]:
    """A loan late since August (kurang lancar from 30 November to 1 January) with one instalment
    paid late, and a current one."""
    with books_of(db, tenants.a) as session:
        late = active_loan(session, tenants, on=date(2026, 6, 10))
        pay(session, late, standing(session, late, date(2026, 7, 20)).due_now, date(2026, 7, 20))
        current = active_loan(session, tenants, member=1, on=date(2026, 11, 20))
        return {"late": late.id, "current": current.id}


def client_of(client_for, email: str, lang: str = "en"):
    client = client_for("alpha", lang=lang)
    assert login(client, email).status_code == 302
    return client


def test_the_reports_index_links_the_loan_ledger_and_the_portfolio(client_for):
    page = text(client_of(client_for, SUPERVISOR).get("/kelola/laporan"))
    assert 'href="/kelola/laporan/buku-pinjaman"' in page
    assert 'href="/kelola/pinjaman/portofolio"' in page


def test_the_loan_ledger_lists_every_active_loan_with_its_totals(client_for, book):
    page = text(client_of(client_for, SUPERVISOR).get(LEDGER_URL))
    late = (TODAY - date(2026, 8, 10)).days  # the second instalment is the oldest unpaid
    assert f"Substandard (kurang lancar) · {late} days late" in " ".join(page.split())
    assert "Rp2,400,000 / Rp200,000" in page  # principal / paid, for both loans
    assert "Rp2,200,000" in page  # owed
    assert f'href="/kelola/laporan/kartu-pinjaman/{book["late"]}.pdf"' in page


def test_the_loan_ledger_downloads_as_pdf_and_excel(client_for, book):
    client = client_of(client_for, TREASURER)
    pdf = client.get(f"{LEDGER_URL}.pdf")
    assert pdf.status_code == 200
    words = " ".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert "Loan ledger (buku pinjaman)" in words
    assert "Rp2,200,000" in words
    xlsx = client.get(f"{LEDGER_URL}.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("Loan", "Member number", "Member")
    lines = [row for row in rows[2:] if row[0]]
    assert len(lines) == 2
    assert [row[6] for row in lines] == [1_000_000, 1_200_000]  # the worst first
    assert rows[-1][4:7] == (2_400_000, 200_000, 2_200_000)


def test_the_loan_ledger_of_a_past_day_counts_only_the_payments_made_by_then(client_for, book):
    client = client_of(client_for, TREASURER)
    page = " ".join(text(client.get(f"{LEDGER_URL}?per=2026-07-15")).split())
    assert "Loan ledger (buku pinjaman) on Jul 15, 2026" in page
    assert "Rp1,200,000 / Rp0" in page  # the payment of 20 July not yet made
    assert "1 loans" in page  # the loan paid out in November not yet either
    xlsx = client.get(f"{LEDGER_URL}.xlsx?per=2026-07-15")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[-1][4:7] == (1_200_000, 0, 1_200_000)


def test_a_loan_ledger_asked_for_a_bad_day_is_refused_on_its_form(client_for, book):
    client = client_of(client_for, TREASURER)
    response = client.get(f"{LEDGER_URL}?per=2026-02-30")
    assert response.status_code == 422
    assert client.get(f"{LEDGER_URL}.pdf?per=2026-02-30").status_code == 400


def test_a_loan_card_shows_its_terms_schedule_and_payments(client_for, book):
    client = client_of(client_for, TREASURER)
    url = f"/kelola/laporan/kartu-pinjaman/{book['late']}"
    pdf = client.get(f"{url}.pdf")
    assert pdf.status_code == 200
    words = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.data)).pages
    )
    assert "Principal owed Rp1,000,000" in words
    assert "Jul 20, 2026" in words  # the first instalment settled late
    workbook = load_workbook(io.BytesIO(client.get(f"{url}.xlsx").data))
    schedule = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert ("Principal owed", 1_000_000) in [row[:2] for row in schedule]
    payments = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert len(payments) == 2
    assert payments[1][2] == 200_000  # the first instalment's principal


def test_a_loan_card_of_a_loan_not_paid_out_is_not_found(client_for, db, tenants):
    with books_of(db, tenants.a) as session:
        product = loans.save_product(session, None, FLAT)
        member = session.merge(tenants.a.members[0])
        applied = loans.apply(
            session,
            loans.Application(member, product, 500_000, 5, "Modal"),
            applied_by_id=tenants.a.users["pengawas"].id,
            today=TODAY,
        )
    client = client_of(client_for, TREASURER)
    assert client.get(f"/kelola/laporan/kartu-pinjaman/{applied.id}.pdf").status_code == 404


def test_a_member_cannot_open_the_loan_ledger(client_for, book):
    assert client_of(client_for, MEMBER).get(LEDGER_URL).status_code == 403


def test_the_neraca_shows_loans_net_of_the_ppap_reserve(db, tenants):
    with books_of(db, tenants.a) as session:
        active_loan(session, tenants)
        user = tenants.a.users["bendahara"].id
        collectibility.post_reserve(session, 2026, 11, today=MID_DECEMBER, user_id=user)
        sheet = balance_sheet(session, date(2026, 11, 30))
        by_role = {line.account.role: line.amount for line in sheet.assets.lines}
    assert by_role["loans_receivable"] == 1_200_000
    assert by_role["ppap"] == -120_000


def test_the_phu_shows_interest_fees_late_fees_and_the_ppap_expense(db, tenants):
    with books_of(db, tenants.a) as session:
        loan = active_loan(session, tenants, WITH_FEES)
        paid_on = date(2026, 8, 20)  # ten days late, three days' grace: 7,000 late fee
        pay(session, loan, standing(session, loan, paid_on).due_now, paid_on)
        user = tenants.a.users["bendahara"].id
        collectibility.post_reserve(session, 2026, 11, today=MID_DECEMBER, user_id=user)
        income = income_statement(session, date(2026, 1, 1), date(2026, 11, 30))
        revenue = {line.account.role: line.amount for line in income.revenue.lines}
        expenses = {line.account.role: line.amount for line in income.expenses.lines}
    assert revenue["loan_interest"] == 24_000
    assert revenue["loan_fees"] == 12_000
    assert revenue["late_fees"] == 7_000
    assert expenses["ppap_expense"] == 5_000  # 81 days late on 30 November: 0.5% of 1,000,000
