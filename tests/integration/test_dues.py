"""Member X's mandatory savings for month M is one share, whichever screen records it: the
counter and the bill settle the same row, arrears and the member's page read it, a month is
paid once, and the database keeps it so whoever writes."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from saas.ledger import operations as ledger
from saas.ledger.models import JournalEntry
from saas.savings import bills
from saas.savings.models import Bill, BillItem, Receipt, SavingsKind
from tests.clock import TODAY, month_value
from tests.factories import books_of, hidden, login, refused_by_database, text

THIS_MONTH = month_value(TODAY)


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


@pytest.fixture
def ketua(client_for):
    """The chair, who takes payments but keeps no books."""
    client = client_for("alpha")
    login(client, "ana@kopalpha.id")
    return client


@pytest.fixture
def sri(tenants):
    return tenants.a.members[0]


def pay_in(client, member, **fields):
    """Post the counter's pay-in form as a phone would (its own key unless given)."""
    page = text(client.get(f"/kelola/anggota/{member.id}/simpanan"))
    form = page[page.index("/simpanan/setor") :]
    plain = {
        "csrf_token": re.search(r'name="setor-csrf_token" type="hidden" value="([^"]+)"', form)[1],
        "key": re.search(r'name="setor-key" type="hidden" value="([^"]+)"', form)[1],
        "kind": "wajib",
        "amount": "",
        "method": "cash",
        "paid_on": TODAY.isoformat(),
        **fields,
    }
    data = {f"setor-{name}": value for name, value in plain.items()}
    return client.post(f"/kelola/anggota/{member.id}/simpanan/setor", data=data)


def bill_this_month(client):
    page = text(client.get("/kelola/tagihan"))
    created = client.post(
        "/kelola/tagihan",
        data={
            "csrf_token": hidden(page, "csrf_token"),
            "kind": "wajib",
            "year": str(TODAY.year),
            "month": str(TODAY.month),
            "amount": "25.000",
        },
    )
    assert created.status_code == 302
    return created.headers["Location"]


def shares(db, tenants, member):
    with books_of(db, tenants.a) as session:
        return {
            f"{bill.year}-{bill.month:02d}": item.receipt_id
            for bill, item in bills.shares_of_member(session, member.id)
        }


def test_a_wajib_paid_at_the_counter_settles_the_months_bill(bendahara, db, tenants, sri):
    bill_url = bill_this_month(bendahara)
    paid = pay_in(bendahara, sri, months=THIS_MONTH)
    assert paid.status_code == 302
    assert shares(db, tenants, sri)[THIS_MONTH] is not None
    # The bill shows her paid, with nothing left to tick for her; ticking her again pays nothing.
    page = text(bendahara.get(bill_url))
    item = re.search(rf'name="item" value="(\d+)"[^>]*>\s*[^<]*{sri.number}', page)
    assert item is None
    with books_of(db, tenants.a) as session:
        receipts = session.scalar(select(func.count()).select_from(Receipt))
        (sri_item,) = session.scalars(select(BillItem.id).where(BillItem.member_id == sri.id)).all()
    again = bendahara.post(
        f"{bill_url}/bayar",
        data={
            "csrf_token": hidden(page, "csrf_token"),
            "key": hidden(page, "key"),
            "method": "cash",
            "paid_on": TODAY.isoformat(),
            "item": str(sri_item),
        },
    )
    assert again.status_code == 302
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(Receipt)) == receipts
        arrears = bills.arrears(session, as_of_year=TODAY.year, as_of_month=TODAY.month)
    assert sri.id not in {a.member.id for a in arrears}


def test_a_month_paid_already_is_refused_with_the_receipt_that_paid_it(bendahara, sri):
    first = pay_in(bendahara, sri, months=THIS_MONTH)
    number = first.headers["Location"].rsplit("/", 1)[1]
    again = pay_in(bendahara, sri, months=THIS_MONTH)
    assert again.status_code == 422
    assert f"is already paid, with receipt {number}" in text(again)


def test_one_receipt_pays_several_months_and_the_amount_follows_them(bendahara, db, tenants, sri):
    with books_of(db, tenants.a) as session:
        settings_amount = bills.savings.get_settings(session).wajib_amount
    later = month_value(TODAY.replace(day=28) + timedelta(days=7))
    paid = pay_in(bendahara, sri, months=[THIS_MONTH, later])
    assert paid.status_code == 302
    own = shares(db, tenants, sri)
    assert own[THIS_MONTH] == own[later] is not None
    with books_of(db, tenants.a) as session:
        receipt = session.get_one(Receipt, own[THIS_MONTH])
    assert receipt.amount == 2 * settings_amount


def test_an_amount_that_is_not_the_months_total_is_refused_with_the_total(
    bendahara, db, tenants, sri
):
    refused = pay_in(bendahara, sri, months=THIS_MONTH, amount="1.000")
    assert refused.status_code == 422
    assert "1 month(s) of mandatory savings come to" in text(refused)
    assert THIS_MONTH not in shares(db, tenants, sri)
    nothing = pay_in(bendahara, sri, months=[])
    assert nothing.status_code == 422
    assert "Tick the months this payment is for." in text(nothing)


def test_principal_follows_the_bylaws_unless_the_treasurer_gives_a_reason(
    bendahara, ketua, db, tenants, sri
):
    with books_of(db, tenants.a) as session:
        pokok = bills.savings.get_settings(session).pokok_amount
    refused = pay_in(ketua, sri, kind="pokok", amount=str(pokok + 5_000))
    assert refused.status_code == 422
    assert "by the bylaws" in text(refused)
    not_theirs = pay_in(ketua, sri, kind="pokok", amount=str(pokok + 5_000), override="RAT 2026")
    assert not_theirs.status_code == 422
    assert "Only the treasurer can change the principal amount." in text(not_theirs)
    kept = pay_in(bendahara, sri, kind="pokok", amount=str(pokok + 5_000), override="RAT 2026")
    assert kept.status_code == 302
    with books_of(db, tenants.a) as session:
        receipt = session.scalar(select(Receipt).where(Receipt.kind == SavingsKind.POKOK))
        entry = session.get_one(JournalEntry, receipt.entry_id)
    assert receipt.amount == pokok + 5_000
    assert "RAT 2026" in entry.description


def test_an_empty_amount_with_principal_pays_the_bylaws_amount(bendahara, db, tenants, sri):
    paid = pay_in(bendahara, sri, kind="pokok", amount="")
    assert paid.status_code == 302
    with books_of(db, tenants.a) as session:
        receipt = session.scalar(select(Receipt).where(Receipt.kind == SavingsKind.POKOK))
        assert receipt.amount == bills.savings.get_settings(session).pokok_amount


def test_a_reversed_payment_makes_its_months_owed_again(bendahara, db, tenants, sri):
    paid = pay_in(bendahara, sri, months=THIS_MONTH)
    assert paid.status_code == 302
    receipt_id = shares(db, tenants, sri)[THIS_MONTH]
    with books_of(db, tenants.a) as session:
        receipt = session.get_one(Receipt, receipt_id)
        entry = ledger.get_entry_for_tenant(session, receipt.entry_id)
        ledger.reverse_entry(
            session, entry, entry_date=TODAY, reason="salah", idempotency_key=uuid.uuid4()
        )
        session.commit()
    assert shares(db, tenants, sri)[THIS_MONTH] is None
    assert pay_in(bendahara, sri, months=THIS_MONTH).status_code == 302


def test_the_database_keeps_a_paid_share_paid_whoever_writes(bendahara, db, tenants, sri):
    pay_in(bendahara, sri, months=THIS_MONTH)
    pay_in(bendahara, sri, kind="sukarela", amount="5.000")
    schema = tenants.a.tenant.schema_name
    with books_of(db, tenants.a) as session:
        item = session.scalar(select(BillItem).where(BillItem.receipt_id.is_not(None)))
        voluntary = session.scalar(select(Receipt.id).where(Receipt.kind == SavingsKind.SUKARELA))
        bill_id = session.scalar(select(Bill.id).where(Bill.id == item.bill_id))
        assert "stays paid" in refused_by_database(
            session, schema, "UPDATE bill_items SET receipt_id = NULL WHERE id = :id", id=item.id
        )
        assert "is paid by receipt" in refused_by_database(
            session,
            schema,
            "UPDATE bill_items SET receipt_id = :other WHERE id = :id",
            other=voluntary,
            id=item.id,
        )
        assert "is paid by receipt" in refused_by_database(
            session, schema, "UPDATE bill_items SET amount = 1 WHERE id = :id", id=item.id
        )
        assert "never deleted" in refused_by_database(
            session, schema, "DELETE FROM bill_items WHERE id = :id", id=item.id
        )
        other_member = tenants.a.members[1]
        assert "is not a deposit of this member" in refused_by_database(
            session,
            schema,
            "INSERT INTO bill_items (bill_id, member_id, amount, receipt_id)"
            " VALUES (:bill, :member, 25000, :receipt)",
            bill=bill_id,
            member=other_member.id,
            receipt=item.receipt_id,
        )
