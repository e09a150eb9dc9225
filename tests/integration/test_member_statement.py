"""A member's savings statement for a period: on screen, PDF and Excel; the member sees only
their own."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from openpyxl import load_workbook

from saas.blueprints.reports.views import workbook
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from tests.factories import login, text


@pytest.fixture
def movements(db, tenants):
    """Sri: principal in March, voluntary in April, part of it out in May; Joko: voluntary."""
    sri, joko = tenants.a.members
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        for member, kind, amount, day, out in (
            (sri, SavingsKind.POKOK, 100_000, date(2026, 3, 2), False),
            (sri, SavingsKind.SUKARELA, 80_000, date(2026, 4, 6), False),
            (sri, SavingsKind.SUKARELA, 30_000, date(2026, 5, 7), True),
            (joko, SavingsKind.SUKARELA, 777_000, date(2026, 4, 8), False),
        ):
            movement = savings.Movement(
                member=session.merge(member),
                kind=kind,
                amount=amount,
                method=PaymentMethod.CASH,
                paid_on=day,
                idempotency_key=uuid.uuid4(),
                officer_id=tenants.a.users["bendahara"].id,
                officer_name="Bambang Alpha",
            )
            (savings.withdraw if out else savings.deposit)(session, movement)
    return sri.id, joko.id


def test_the_statement_of_a_period_opens_and_closes_with_the_balances(alpha, movements):
    sri, _joko = movements
    login(alpha, "bambang@kopalpha.id")
    period = {"dari": "2026-04-01", "per": "2026-05-31"}
    page = text(alpha.get(f"/kelola/anggota/{sri}/rekening", query_string=period))
    assert "+Rp80,000" in page
    assert "\u2212Rp30,000" in page  # a minus sign
    assert "Rp50,000" in page  # voluntary savings at the end of May
    assert "Rp100,000" in page  # principal, from before the period
    pdf = alpha.get(f"/kelola/anggota/{sri}/rekening.pdf", query_string=period)
    assert pdf.data.startswith(b"%PDF")
    sheet = load_workbook(
        io.BytesIO(alpha.get(f"/kelola/anggota/{sri}/rekening.xlsx", query_string=period).data)
    ).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [r for r in rows if r[1] == "Closing balance"][-1][-1] == 50_000
    bad = alpha.get(f"/kelola/anggota/{sri}/rekening", query_string={"per": "tomorrow"})
    assert bad.status_code == 422
    assert alpha.get(f"/kelola/anggota/{sri}/rekening.pdf?per=x").status_code == 400


def test_a_member_opens_only_their_own_statement(client_for, db, tenants, movements):
    sri, joko = movements
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        member = session.get(type(tenants.a.members[0]), sri)
        member.user_id = tenants.a.users["anggota"].id
        session.commit()
    citra = client_for("alpha")
    login(citra, "citra@kopalpha.id")
    page = text(citra.get("/anggota/rekening", query_string={"dari": "2026-01-01"}))
    assert "Rp80,000" in page
    assert "Rp777,000" not in page  # Joko's
    assert citra.get(f"/kelola/anggota/{joko}/rekening").status_code == 403


def test_text_that_a_spreadsheet_would_run_stays_text():
    sheet = load_workbook(io.BytesIO(workbook("x", [["=HYPERLINK(1)", -5, "Kas"]]))).active
    assert [cell.value for cell in next(sheet.iter_rows())] == ["'=HYPERLINK(1)", -5, "Kas"]
