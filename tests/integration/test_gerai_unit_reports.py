"""A unit's reports: sales by day and month, the members' share, gross margin (its own goods'
sales less their cost, plus the fees on consigned goods), best sellers, stock value and the
unit's PHU; on screen, as a PDF with the letterhead and as Excel with formula-like text kept."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from saas.gerai import consignment, sales
from saas.gerai import reports as unit_reports
from saas.gerai.models import GeraiProduct, SaleMethod
from saas.gerai.rules import CartLine
from tests.factories import books_of, login, text
from tests.integration.test_gerai import add_rice, checkout, receive
from tests.integration.test_gerai_consignment import add_chips, bring
from tests.integration.test_pages_in_indonesian import english_on
from tests.integration.test_reports import rows_of

NOVEMBER = {"dari": "2026-11-01", "per": "2026-11-30"}
CHAIR = "bambang@kopalpha.id"


@pytest.fixture
def sold(db, tenants):
    """Alpha's shop in November: 10 kg of rice at Rp12,000 received; 2 kg sold to a member on
    credit and 3 kg to the public on the 12th, 1 kg on the 13th; 2 packs of a consignor's chips
    (Rp10,000, fee Rp2,000) to the public on the 12th."""
    with books_of(db, tenants.a) as session:
        unit_id = tenants.a.units[0].id
        rice = add_rice(session, unit_id)
        receive(session, unit_id, rice.id, 10, 12_000)
        consignor = consignment.save_consignor(
            session, unit_id, None, name="Bu Rahmi", member=None, phone=""
        )
        chips = add_chips(session, unit_id, consignor.id)
        bring(session, unit_id, consignor.id, chips.id, 5)
        sri = session.merge(tenants.a.members[0])
        credit = SaleMethod.CREDIT
        sales.sell(session, checkout(unit_id, [CartLine(rice.id, 2)], member=sri, method=credit))
        sales.sell(session, checkout(unit_id, [CartLine(rice.id, 3), CartLine(chips.id, 2)]))
        sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)], on=date(2026, 11, 13)))
        session.commit()
        return unit_id


def test_the_period_splits_members_and_the_public_and_counts_fees_not_consigned_sales(
    db, tenants, sold
):
    with books_of(db, tenants.a) as session:
        report = unit_reports.unit_report(session, sold, date(2026, 11, 1), date(2026, 11, 30))
    whole = report.period
    assert (whole.sales, whole.total, whole.members, whole.public) == (3, 110_000, 30_000, 80_000)
    assert (whole.own, whole.fees, whole.revenue, whole.cost) == (90_000, 4_000, 94_000, 72_000)
    assert whole.margin == 22_000
    assert round(whole.members_share, 4) == round(30_000 / 110_000, 4)
    assert report.stock_value == 4 * 12_000


def test_sales_by_day_and_month_and_the_best_sellers(db, tenants, sold):
    with books_of(db, tenants.a) as session:
        report = unit_reports.unit_report(session, sold, date(2026, 11, 1), date(2026, 11, 30))
    assert [(row.on, row.sales, row.total) for row in report.days] == [
        (date(2026, 11, 12), 2, 95_000),
        (date(2026, 11, 13), 1, 15_000),
    ]
    assert [(row.on, row.total) for row in report.months] == [(date(2026, 11, 1), 110_000)]
    assert [(item.name, item.quantity, item.amount) for item in report.best] == [
        ("Beras 1 kg", 6, 90_000),
        ("Keripik singkong Bu Sri", 2, 20_000),
    ]


def test_a_period_without_sales_reports_none(db, tenants, sold):
    with books_of(db, tenants.a) as session:
        report = unit_reports.unit_report(session, sold, date(2026, 10, 1), date(2026, 10, 31))
    assert (report.days, report.best, report.period.total, report.period.margin) == ([], [], 0, 0)


def test_the_page_shows_the_units_phu_and_says_why_it_stops_at_the_gross_margin(alpha, sold):
    login(alpha, CHAIR)
    page = text(alpha.get(f"/kelola/gerai/{sold}/laporan", query_string=NOVEMBER))
    rows = rows_of(page)
    assert ["Revenue", "Rp94,000"] in rows
    assert ["Gross margin", "Rp22,000"] in rows
    assert "Journal entries do not name a business unit" in page


def test_the_pdf_carries_the_letterhead_and_the_phu(alpha, sold, tenants):
    login(alpha, CHAIR)
    response = alpha.get(f"/kelola/gerai/{sold}/laporan.pdf", query_string=NOVEMBER)
    assert response.status_code == 200
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert tenants.a.tenant.display_name in pdf
    assert "Rp22,000" in pdf


def test_the_spreadsheet_keeps_a_formula_like_product_name_as_text(alpha, sold, db, tenants):
    with books_of(db, tenants.a) as session:
        rice = session.scalar(select(GeraiProduct).where(GeraiProduct.code == "899100"))
        rice.name = '=HYPERLINK("http://evil.example","klik")'
        session.commit()
    login(alpha, CHAIR)
    response = alpha.get(f"/kelola/gerai/{sold}/laporan.xlsx", query_string=NOVEMBER)
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://evil.example","klik")' in values
    assert 22_000 in values


def test_the_report_is_linked_from_the_financial_statements(alpha, sold):
    login(alpha, CHAIR)
    assert f"/kelola/gerai/{sold}/laporan" in text(alpha.get("/kelola/laporan"))


def test_the_report_reads_in_indonesian(client_for, sold):
    client = client_for("alpha", lang="id")
    login(client, CHAIR)
    page = text(client.get(f"/kelola/gerai/{sold}/laporan", query_string=NOVEMBER))
    assert "Laba kotor" in page
    assert ["Porsi penjualan kepada anggota", "27,3%"] in rows_of(page)  # 30,000 of 110,000
    assert english_on(page) == []
