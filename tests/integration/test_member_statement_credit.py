"""A member's statement shows their credit at the shops: what they owed at the start of the
period, each purchase on credit and each payment with its receipt, and what they owe at its end;
a member who never bought on credit gets no such section, and another cooperative's member of
the same id never sees it."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from saas.gerai import credit, sales
from saas.gerai.models import Sale, SaleMethod
from saas.gerai.rules import CartLine
from tests.factories import books_of, login, text
from tests.integration.test_gerai import add_rice, checkout, receive
from tests.integration.test_gerai_member_credit import sri_bought_on_credit
from tests.integration.test_pages_in_indonesian import english_on

__all__ = ["sri_bought_on_credit"]  # the fixture, used here by name

NOVEMBER = {"dari": "2026-11-01", "per": "2026-11-30"}
DECEMBER = {"dari": "2026-12-01", "per": "2026-12-31"}
OCTOBER = {"dari": "2026-10-01", "per": "2026-10-31"}


def pdf_words(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def receipts(db, tenants, sri_bought_on_credit) -> list[str]:
    """Sri's two receipts on credit, the first kept and the second taken back."""
    with books_of(db, tenants.a) as session:
        query = select(Sale.number).where(Sale.member_id == tenants.a.members[0].id)
        return list(session.scalars(query.order_by(Sale.id)))


@pytest.fixture
def officer(client_for):
    bambang = client_for("alpha")
    login(bambang, "bambang@kopalpha.id")
    return bambang


def test_the_statement_lists_the_credit_movements_of_the_period_with_their_receipts(
    db, tenants, receipts
):
    with books_of(db, tenants.a) as session:
        sri = tenants.a.members[0].id
        november = credit.credit_statement(session, sri, date(2026, 11, 1), date(2026, 11, 30))
        december = credit.credit_statement(session, sri, date(2026, 12, 1), date(2026, 12, 31))
        october = credit.credit_statement(session, sri, date(2026, 10, 1), date(2026, 10, 31))
    assert november is not None
    assert (november.opening, november.closing) == (0, 20_000)
    assert [(m.kind, m.reference, m.bought, m.paid, m.owed) for m in november.movements] == [
        (credit.CreditMovementKind.PURCHASE, receipts[0], 30_000, 0, 30_000),
        (credit.CreditMovementKind.PURCHASE, receipts[1], 15_000, 0, 45_000),
        (credit.CreditMovementKind.TAKEN_BACK, receipts[1], 0, 15_000, 30_000),
        (credit.CreditMovementKind.PAYMENT, november.movements[3].reference, 0, 10_000, 20_000),
    ]
    assert november.movements[3].reference.startswith("#")
    assert december is not None
    assert (december.opening, december.movements, december.closing) == (20_000, [], 20_000)
    assert october is None  # nothing owed yet, nothing moved


def test_the_statement_pdf_shows_the_shop_credit_in_english(officer, tenants, receipts):
    sri = tenants.a.members[0].id
    words = pdf_words(officer.get(f"/kelola/anggota/{sri}/rekening.pdf", query_string=NOVEMBER))
    assert "Credit at the shop" in words
    assert f"Bought on credit, receipt {receipts[0]}" in words
    assert f"Purchase taken back, receipt {receipts[1]}" in words
    assert "Paid back, journal entry #" in words
    assert "+Rp30,000" in words
    assert "\u2212Rp10,000" in words  # a minus sign
    assert "Owed at the end Rp20,000" in words


def test_the_members_own_statement_pdf_shows_the_shop_credit_in_indonesian(
    client_for, tenants, receipts
):
    citra = client_for("alpha", lang="id")
    login(citra, "citra@kopalpha.id")  # Sri's account
    words = pdf_words(citra.get("/anggota/rekening.pdf", query_string=NOVEMBER))
    assert "Kredit di gerai" in words
    assert f"Beli secara kredit, nota {receipts[0]}" in words
    assert "Rp20.000" in words
    page = text(citra.get("/anggota/rekening", query_string=NOVEMBER))
    assert "Kredit di gerai" in page
    assert english_on(page) == []


def test_a_later_period_carries_what_is_still_owed(officer, tenants, sri_bought_on_credit):
    sri = tenants.a.members[0].id
    words = pdf_words(officer.get(f"/kelola/anggota/{sri}/rekening.pdf", query_string=DECEMBER))
    assert "Owed at the start Rp20,000" in words
    assert "No purchases on credit or payments in this period." in words


def test_the_statement_sheet_has_the_shop_credit_under_the_savings(officer, tenants, receipts):
    sri = tenants.a.members[0].id
    response = officer.get(f"/kelola/anggota/{sri}/rekening.xlsx", query_string=NOVEMBER)
    rows = [list(row) for row in load_workbook(io.BytesIO(response.data)).active.values]
    assert [f"Bought on credit, receipt {receipts[0]}", 30_000, None, 30_000] in [
        [row[1], *row[3:]] for row in rows
    ]
    assert next(r for r in rows if r[1] == "Owed at the end")[-1] == 20_000


def test_a_member_who_never_bought_on_credit_gets_no_shop_credit_section(officer, db, tenants):
    sri = tenants.a.members[0].id
    with books_of(db, tenants.a) as session:
        assert credit.credit_statement(session, sri, date(2026, 1, 1), date(2026, 12, 31)) is None
    words = pdf_words(officer.get(f"/kelola/anggota/{sri}/rekening.pdf", query_string=NOVEMBER))
    assert "Sri Wahyuni Alpha" in words
    assert "Credit at the shop" not in words


def test_a_period_before_any_credit_has_no_shop_credit_section(
    officer, tenants, sri_bought_on_credit
):
    sri = tenants.a.members[0].id
    words = pdf_words(officer.get(f"/kelola/anggota/{sri}/rekening.pdf", query_string=OCTOBER))
    assert "Credit at the shop" not in words


def test_another_cooperatives_member_of_the_same_id_sees_only_their_own_credit(
    client_for, db, tenants, sri_bought_on_credit
):
    sri = tenants.a.members[0].id
    unit_id = tenants.b.units[0].id
    with books_of(db, tenants.b) as session:
        twin = session.merge(tenants.b.members[0])
        assert twin.id == sri  # the ids collide on purpose
        rice = add_rice(session, unit_id, price=7_000)
        receive(session, unit_id, rice.id, 10, 5_000)
        sales.sell(
            session,
            checkout(unit_id, [CartLine(rice.id, 3)], member=twin, method=SaleMethod.CREDIT),
        )
    bayu = client_for("beta")
    login(bayu, "bayu@kopbeta.id")
    words = pdf_words(bayu.get(f"/kelola/anggota/{sri}/rekening.pdf", query_string=NOVEMBER))
    assert "Owed at the end Rp21,000" in words
    assert "Rp30,000" not in words
    assert "Rp20,000" not in words
    with books_of(db, tenants.a) as session:
        alpha = credit.credit_statement(session, sri, date(2026, 11, 1), date(2026, 11, 30))
    assert alpha is not None
    assert alpha.closing == 20_000
