"""Tagihan: a month billed to every active member, shares ticked off once, arrears listed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from saas.ledger.models import JournalEntry
from saas.savings import operations as savings
from saas.savings.models import Receipt, SavingsKind
from tests.factories import hidden, login, text


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


def create(client, **fields):
    page = text(client.get("/kelola/tagihan"))
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "kind": "wajib",
        "year": "2026",
        "month": "11",
        "amount": "25.000",
        **fields,
    }
    return client.post("/kelola/tagihan", data=data)


def pay_form(client, bill_url):
    page = text(client.get(bill_url))
    items = re.findall(r'name="item" value="(\d+)"', page)
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "key": hidden(page, "key"),
        "method": "cash",
        "paid_on": "2026-11-20",
    }
    return data, items


def count(db, tenants, model):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_month_is_billed_once_to_every_active_member(bendahara):
    response = create(bendahara)
    assert response.status_code == 302
    page = text(bendahara.get(response.headers["Location"]))
    assert page.count('name="item"') == 2  # alpha's two members
    again = create(bendahara)
    assert again.status_code == 422
    assert "This month is already billed for these savings." in text(again)
    assert "0 of 2 paid" in text(bendahara.get("/kelola/tagihan"))


def test_ticked_shares_are_paid_once_even_when_the_form_is_sent_again(bendahara, db, tenants):
    bill_url = create(bendahara).headers["Location"]
    data, items = pay_form(bendahara, bill_url)
    before = count(db, tenants, JournalEntry)
    form = {**data, "item": items}
    assert bendahara.post(f"{bill_url}/bayar", data=form).status_code == 302
    again = bendahara.post(f"{bill_url}/bayar", data=form)
    assert again.status_code == 302
    assert "2 had been paid already." in text(bendahara.get(again.headers["Location"]))
    assert count(db, tenants, JournalEntry) == before + 2
    assert count(db, tenants, Receipt) == 2
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        for member in tenants.a.members:
            assert savings.balances(session, member.id)[SavingsKind.WAJIB] == 25_000
    assert "2 of 2 paid" in text(bendahara.get("/kelola/tagihan"))


def test_two_officers_paying_the_same_share_make_one_payment(bendahara, db, tenants):
    bill_url = create(bendahara).headers["Location"]
    first, items = pay_form(bendahara, bill_url)
    second, _items = pay_form(bendahara, bill_url)  # another form, another key
    assert first["key"] != second["key"]
    bendahara.post(f"{bill_url}/bayar", data={**first, "item": items[:1]})
    response = bendahara.post(f"{bill_url}/bayar", data={**second, "item": items[:1]})
    assert "1 had been paid already." in text(bendahara.get(response.headers["Location"]))
    assert count(db, tenants, Receipt) == 1


def test_arrears_list_who_has_not_paid(bendahara, tenants):
    bill_url = create(bendahara).headers["Location"]
    data, items = pay_form(bendahara, bill_url)
    bendahara.post(f"{bill_url}/bayar", data={**data, "item": items[:1]})
    page = text(bendahara.get("/kelola/tagihan/tunggakan"))
    unpaid = tenants.a.members[1]
    assert f"{unpaid.number} · {unpaid.name}" in page
    assert "1 month unpaid" in page
    assert tenants.a.members[0].name not in page


def test_bad_bills_and_empty_payments_are_refused(bendahara):
    assert create(bendahara, amount="0").status_code == 422
    assert create(bendahara, year="20266").status_code == 422
    assert create(bendahara, kind="sukarela").status_code == 422
    bill_url = create(bendahara).headers["Location"]
    data, _items = pay_form(bendahara, bill_url)
    response = bendahara.post(f"{bill_url}/bayar", data=data)
    assert response.status_code == 422
    assert "Tick the members who paid." in text(response)


def test_the_treasurer_sets_the_amounts_new_bills_start_from(bendahara, alpha):
    page = text(bendahara.get("/kelola/tagihan/pengaturan"))
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "pokok_amount": "150.000",
        "wajib_amount": "20.000",
        "interest_rate": "0",
    }
    assert bendahara.post("/kelola/tagihan/pengaturan", data=data).status_code == 302
    assert 'value="20000"' in text(bendahara.get("/kelola/tagihan"))
    bad = bendahara.post(
        "/kelola/tagihan/pengaturan", data={**data, "wajib_amount": "dua puluh ribu"}
    )
    assert bad.status_code == 422
    assert "Enter the amount in whole rupiah, like 25000." in text(bad)


def test_only_the_treasurer_changes_the_amounts(alpha):
    login(alpha, "ana@kopalpha.id")
    assert alpha.get("/kelola/tagihan/pengaturan").status_code == 403
