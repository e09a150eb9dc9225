"""The treasurer's journal: other income and expenses with receipt photos, reversals, closing."""

from __future__ import annotations

import dataclasses
import io
import re
import uuid
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from saas import clock
from saas.ledger.models import Account, EntryAttachment, JournalEntry
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from tests.clock import month_value
from tests.factories import books_of, csrf_from, hidden, jpeg, login, text


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


def account_id(db, tenants, code):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        return session.scalar(select(Account.id).where(Account.code == code))


def count(db, tenants, model):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        return session.scalar(select(func.count()).select_from(model))


def record(client, db, tenants, **fields):
    page = text(client.get("/kelola/jurnal"))
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "key": hidden(page, "key"),
        "direction": "expense",
        "account": str(account_id(db, tenants, "6-102")),
        "amount": "45.000",
        "method": "cash",
        "entry_date": "2026-11-03",
        "description": "Bayar listrik November",
        **fields,
    }
    return client.post("/kelola/jurnal", data=data, content_type="multipart/form-data"), data


def test_an_expense_is_recorded_once_with_its_receipt_photo(bendahara, db, tenants):
    before = count(db, tenants, JournalEntry)
    response, data = record(
        bendahara, db, tenants, photo=(io.BytesIO(jpeg((800, 1200))), "struk.jpg")
    )
    assert response.status_code == 302
    data.pop("photo")
    again = bendahara.post("/kelola/jurnal", data=data)
    assert again.status_code == 302
    assert count(db, tenants, JournalEntry) == before + 1
    page = text(bendahara.get("/kelola/jurnal"))
    assert "Bayar listrik November" in page
    assert "Electricity and water" in page
    photo = re.search(r'href="(/kelola/jurnal/\d+/lampiran/\d+)"', page).group(1)
    assert bendahara.get(photo).headers["Content-Type"] == "image/jpeg"
    assert count(db, tenants, EntryAttachment) == 2  # alpha's own from the fixtures, and this


def test_an_income_account_cannot_be_booked_as_an_expense(bendahara, db, tenants):
    response, _data = record(bendahara, db, tenants, account=str(account_id(db, tenants, "4-199")))
    assert response.status_code == 422
    assert "Choose an account from the list." in text(response)


def test_only_the_treasurer_keeps_the_books_the_chair_reads_them(alpha, db, tenants):
    login(alpha, "ana@kopalpha.id")
    assert alpha.get("/kelola/jurnal").status_code == 200
    token = csrf_from(alpha.get("/kelola/tim"))
    assert alpha.post("/kelola/jurnal", data={"csrf_token": token}).status_code == 403


def test_a_reversal_from_the_journal_happens_once(bendahara, db, tenants):
    entry = tenants.a.entries[0]
    page = text(bendahara.get("/kelola/jurnal"))
    form = page[page.index(f"/kelola/jurnal/{entry.id}/balik") :]
    data = {"csrf_token": hidden(page, "csrf_token"), "key": hidden(form, "key"), "reason": "salah"}
    assert bendahara.post(f"/kelola/jurnal/{entry.id}/balik", data=data).status_code == 302
    assert f"reverses #{entry.id}" in text(bendahara.get("/kelola/jurnal"))
    data["key"] = "9a1c2b1e-0000-4000-8000-000000000001"
    again = bendahara.post(f"/kelola/jurnal/{entry.id}/balik", data=data)
    assert again.status_code == 422
    assert "This entry has already been reversed." in text(again)


def test_a_closed_month_takes_no_more_entries(bendahara, db, tenants, today):
    page = text(bendahara.get("/kelola/jurnal"))
    assert '<option value="2026-01">01/2026</option>' in page
    closing = {"csrf_token": hidden(page, "csrf_token"), "month": month_value(today)}
    refused = bendahara.post("/kelola/jurnal/tutup-bulan", data=closing)
    assert refused.status_code == 422
    assert "Choose a month that has ended." in text(refused)  # this month is not over
    closing["month"] = "2026-02"
    assert bendahara.post("/kelola/jurnal/tutup-bulan", data=closing).status_code == 302
    for day in ("2026-01-20", "2026-02-27"):  # closing February closed January too
        response, _data = record(bendahara, db, tenants, entry_date=day)
        assert response.status_code == 422
        assert "The books of that month are closed." in text(response)
    page = text(bendahara.get("/kelola/jurnal"))
    assert '<option value="2026-02">' not in page
    assert '<option value="2026-03">03/2026</option>' in page


def test_in_january_december_of_last_year_can_be_closed(bendahara):
    with clock.frozen(datetime(2027, 1, 10, 9, 0, tzinfo=clock.WIB)):
        page = text(bendahara.get("/kelola/jurnal"))
    assert '<option value="2026-12">12/2026</option>' in page
    assert '<option value="2027-01">' not in page


def test_an_expense_is_never_paid_with_money_the_cash_box_does_not_hold(bendahara, db, tenants):
    before = count(db, tenants, JournalEntry)
    # The fixtures' grant of Rp1,000,000 less their two expenses; nothing ever went to the bank.
    for method, held in (("cash", "Rp965,000"), ("transfer", "Rp0")):
        response, _data = record(bendahara, db, tenants, amount="965.001", method=method)
        assert response.status_code == 422
        assert f"There is {held} in that cash or bank account: pay out that much at most." in text(
            response
        )
    assert count(db, tenants, JournalEntry) == before
    response, _data = record(bendahara, db, tenants, amount="965.000")
    assert response.status_code == 302  # to the last rupiah


def test_a_deposit_already_withdrawn_is_not_reversed(bendahara, db, tenants):
    sri = tenants.a.members[0]
    with books_of(db, tenants.a) as session:
        movement = savings.Movement(
            member=session.merge(sri),
            kind=SavingsKind.SUKARELA,
            amount=300_000,
            method=PaymentMethod.CASH,
            paid_on=date(2026, 11, 10),
            idempotency_key=uuid.uuid4(),
            officer_id=tenants.a.users["bendahara"].id,
            officer_name="Bambang Alpha",
        )
        receipt, _created = savings.deposit(session, movement)
        entry_id = receipt.entry_id
        savings.withdraw(
            session, dataclasses.replace(movement, amount=295_974, idempotency_key=uuid.uuid4())
        )
    before = count(db, tenants, JournalEntry)
    page = text(bendahara.get("/kelola/jurnal"))
    form = page[page.index(f"/kelola/jurnal/{entry_id}/balik") :]
    data = {"csrf_token": hidden(page, "csrf_token"), "key": hidden(form, "key"), "reason": "salah"}
    refused = bendahara.post(f"/kelola/jurnal/{entry_id}/balik", data=data)
    assert refused.status_code == 422
    assert "This would take a member&#39;s balance below zero" in text(refused)
    assert count(db, tenants, JournalEntry) == before
    with books_of(db, tenants.a) as session:
        assert savings.balances(session, sri.id)[SavingsKind.SUKARELA] == 4_026
