"""QRIS: the cooperative's printed code, bills shown as codes with their exact amount, and the
treasurer confirming in bulk the payments that reached the bank."""

from __future__ import annotations

import html
import re
import uuid
from datetime import date, timedelta

import pytest
from lokal.qris import parse_qris
from sqlalchemy import func, select

from saas.accounts import operations as accounts
from saas.accounts.roles import Role
from saas.loans import repayments
from saas.loans.models import Loan, RepaymentMethod
from saas.members.models import Member, MemberStatus
from saas.members.operations import MemberDetails, register_member
from saas.payments.models import QrisSetting
from saas.savings import bills
from saas.savings.models import BillItem, PaymentMethod, Receipt, SavingsKind
from saas.savings.operations import Movement
from tests.clock import LAST_MONTH, THIS_MONTH, TODAY
from tests.factories import PASSWORD, books_of, hidden, login, refused_by_database, text
from tests.integration.lending import active_loan
from tests.qris_codes import NMID, OTHER_NMID, static_payload, tampered, tlv

SETTING = "/kelola/simpanan/qris"
CONFIRM = "/kelola/tagihan/qris"
WAJIB = 25_000


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


def save(client, payload, **fields):
    page = text(client.get(SETTING))
    data = {"csrf_token": hidden(page, "csrf_token"), "payload": payload, **fields}
    return client.post(SETTING, data=data)


def saved(db, tenants):
    with books_of(db, tenants.a) as session:
        return session.scalars(select(QrisSetting)).all()


TWO_MONTHS_AGO = (LAST_MONTH - timedelta(days=1)).replace(day=1)


def ym(day: date) -> tuple[int, int]:
    return day.year, day.month


def label(day: date) -> str:
    return f"{day.month:02d}/{day.year}"


def bill_months(db, tenants, *months):
    """Bill mandatory savings of each (year, month) to every active member of alpha."""
    with books_of(db, tenants.a) as session:
        for year, month in months:
            bills.create_bill(session, kind=SavingsKind.WAJIB, year=year, month=month, amount=WAJIB)


def test_the_treasurer_keeps_the_cooperatives_printed_code(bendahara, db, tenants):
    response = save(bendahara, f"{static_payload()}\n")
    assert response.status_code == 302
    page = text(bendahara.get(SETTING))
    assert "KSP MAJU BERSAMA" in page
    assert "SLEMAN" in page
    assert NMID in page
    [setting] = saved(db, tenants)
    assert setting.payload == static_payload()
    assert setting.set_by_id == tenants.a.users["bendahara"].id


def test_checking_a_code_shows_what_it_reads_without_saving_it(bendahara, db, tenants):
    response = save(bendahara, static_payload(), check="1")
    assert response.status_code == 200
    page = text(response)
    assert "The code reads" in page
    assert all(part in page for part in ("KSP MAJU BERSAMA", "SLEMAN", NMID))
    assert saved(db, tenants) == []
    refused = save(bendahara, tampered(static_payload()), check="1")
    assert refused.status_code == 422
    assert "The code&#39;s check digits (CRC) do not match" in text(refused)


def test_a_code_with_a_bad_crc_is_refused_on_the_form_and_nothing_is_saved(bendahara, db, tenants):
    response = save(bendahara, tampered(static_payload()))
    assert response.status_code == 422
    assert "The code&#39;s check digits (CRC) do not match" in text(response)
    assert saved(db, tenants) == []


def test_a_code_that_already_carries_an_amount_is_refused_as_the_cooperatives(
    bendahara, db, tenants
):
    dynamic = static_payload(initiation="12", extra=tlv("54", "50000"))
    response = save(bendahara, dynamic)
    assert response.status_code == 422
    assert "This code already carries an amount." in text(response)
    assert saved(db, tenants) == []


def test_another_merchants_code_is_refused_unless_the_treasurer_replaces_the_merchant(
    bendahara, db, tenants
):
    save(bendahara, static_payload())
    other = static_payload(nmid=OTHER_NMID, name="TOKO SEBELAH")
    refused = save(bendahara, other)
    assert refused.status_code == 422
    assert "This code pays another merchant than the cooperative" in text(refused)
    assert saved(db, tenants)[0].nmid == NMID
    assert save(bendahara, static_payload(name="KSP MAJU")).status_code == 302  # same NMID
    assert save(bendahara, other, replace="y").status_code == 302
    [setting] = saved(db, tenants)
    assert (setting.nmid, setting.merchant_name) == (OTHER_NMID, "TOKO SEBELAH")


def test_the_database_refuses_a_dynamic_code_or_a_second_setting(bendahara, db, tenants):
    save(bendahara, static_payload())
    schema = tenants.a.tenant.schema_name
    with books_of(db, tenants.a) as session:
        error = refused_by_database(
            session,
            schema,
            "UPDATE qris_settings SET payload = :p",
            p=static_payload(initiation="12"),
        )
        assert "ck_qris_settings_static_payload" in error
        error = refused_by_database(
            session,
            schema,
            "INSERT INTO qris_settings (id, payload, merchant_name, merchant_city, nmid, set_by_id,"
            " set_at) SELECT 2, payload, merchant_name, merchant_city, nmid, set_by_id, set_at"
            " FROM qris_settings",
        )
        assert "ck_qris_settings_single_row" in error


def member_client(client_for, db, tenants):
    """Sri, alpha's first member, signed in to her own account."""
    with books_of(db, tenants.a) as session:
        user = accounts.create_tenant_user(
            session, name="Sri", email="sri@kopalpha.id", role=Role.ANGGOTA, password=PASSWORD
        )
        session.get_one(Member, tenants.a.members[0].id).user_id = user.id
    client = client_for("alpha")
    login(client, "sri@kopalpha.id")
    return client


def shown_payload(page: str) -> str:
    found = re.search(r"<code data-qris-payload>([^<]+)</code>", page)
    assert found, "the page shows no QRIS code"
    return html.unescape(found.group(1))


def test_a_member_sees_a_code_for_exactly_what_they_owe(bendahara, client_for, db, tenants, today):
    save(bendahara, static_payload())
    bill_months(db, tenants, ym(TWO_MONTHS_AGO), ym(LAST_MONTH), ym(THIS_MONTH))
    member = member_client(client_for, db, tenants)
    page = text(member.get("/anggota"))
    info = parse_qris(shown_payload(page))
    assert info.valid, info.errors
    owed = 3 * WAJIB
    assert (info.type, info.amount, info.nmid) == ("dynamic", str(owed), NMID)
    assert info.additional is not None
    first = f"{TWO_MONTHS_AGO.month:02d}/{TWO_MONTHS_AGO.year}"
    assert info.additional.bill_number.startswith(f"{tenants.a.members[0].number} W {first}")
    assert "KSP MAJU BERSAMA" in page
    assert "<svg" in page
    assert "show the payment proof to the treasurer" in page


def test_a_member_without_debts_or_a_cooperative_without_qris_shows_no_code(
    bendahara, client_for, db, tenants
):
    bill_months(db, tenants, ym(LAST_MONTH))
    member = member_client(client_for, db, tenants)
    assert "data-qris-payload" not in text(member.get("/anggota"))  # no QRIS code yet
    save(bendahara, static_payload())
    assert "data-qris-payload" in text(member.get("/anggota"))
    ticked = confirm_form(bendahara)
    bendahara.post(CONFIRM, data=ticked)
    assert "data-qris-payload" not in text(member.get("/anggota"))  # all paid


def test_the_counter_shows_the_members_code_or_where_to_enter_the_cooperatives(
    bendahara, db, tenants
):
    bill_months(db, tenants, ym(LAST_MONTH))
    counter = f"/kelola/anggota/{tenants.a.members[1].id}/simpanan"
    assert f'href="{SETTING}"' in text(bendahara.get(counter))
    save(bendahara, static_payload())
    page = text(bendahara.get(counter))
    assert parse_qris(shown_payload(page)).amount == str(WAJIB)
    assert f'href="{SETTING}"' not in page


def test_a_member_who_has_left_is_shown_no_code(bendahara, db, tenants):
    save(bendahara, static_payload())
    bill_months(db, tenants, ym(LAST_MONTH))
    joko = tenants.a.members[1]
    counter = f"/kelola/anggota/{joko.id}/simpanan"
    assert "data-qris-payload" in text(bendahara.get(counter))
    with books_of(db, tenants.a) as session:
        session.get_one(Member, joko.id).status = MemberStatus.LEFT
    assert "data-qris-payload" not in text(bendahara.get(counter))


def confirm_form(client, **fields):
    """The confirmation form with every open share ticked."""
    page = text(client.get(CONFIRM))
    return {
        "csrf_token": hidden(page, "csrf_token"),
        "key": hidden(page, "key"),
        "paid_on": THIS_MONTH.isoformat(),
        "item": re.findall(r'name="item" value="(\d+)"', page),
        **fields,
    }


@pytest.fixture
def three_owing(db, tenants):
    """Alpha's two members and a third, each owing mandatory savings for last month and this."""
    with books_of(db, tenants.a) as session:
        register_member(
            session,
            MemberDetails(
                nik="3404014107900003",
                name="Tini Alpha",
                gender=None,
                birth_date=None,
                address=None,
                village=None,
                phone=None,
                join_date=date(2026, 1, 5),
            ),
        )
    bill_months(db, tenants, ym(LAST_MONTH), ym(THIS_MONTH))


def receipts(db, tenants):
    with books_of(db, tenants.a) as session:
        return session.scalars(select(Receipt).order_by(Receipt.id)).all()


def test_the_treasurer_confirms_three_members_at_once_with_one_receipt_each(
    bendahara, db, tenants, three_owing
):
    form = confirm_form(bendahara)
    assert len(form["item"]) == 6
    response = bendahara.post(CONFIRM, data=form)
    assert response.status_code == 302
    made = receipts(db, tenants)
    assert len(made) == 3
    assert {(r.method, r.kind, r.amount) for r in made} == {
        (PaymentMethod.QRIS, SavingsKind.WAJIB, 2 * WAJIB)
    }
    with books_of(db, tenants.a) as session:
        unpaid = session.scalar(select(func.count()).where(BillItem.receipt_id.is_(None)))
    assert unpaid == 0
    page = text(bendahara.get(response.headers["Location"]))
    assert all(r.number in page for r in made)
    again = bendahara.post(CONFIRM, data=form)
    assert again.status_code == 302
    assert "3 had been recorded already." in text(bendahara.get(again.headers["Location"]))
    assert len(receipts(db, tenants)) == 3


def test_a_share_paid_meanwhile_at_the_counter_is_refused_naming_its_receipt(
    bendahara, db, tenants, three_owing
):
    form = confirm_form(bendahara)
    joko = tenants.a.members[1]
    with books_of(db, tenants.a) as session:
        at_counter, _created = bills.record_deposit(
            session,
            Movement(
                member=session.get_one(Member, joko.id),
                kind=SavingsKind.WAJIB,
                amount=WAJIB,
                method=PaymentMethod.CASH,
                paid_on=THIS_MONTH,
                idempotency_key=uuid.uuid4(),
                officer_id=tenants.a.users["bendahara"].id,
                officer_name="Bambang Alpha",
            ),
            [ym(LAST_MONTH)],
        )
        counter_number = at_counter.number
    response = bendahara.post(CONFIRM, data=form)
    assert response.status_code == 422
    page = text(response)
    assert (
        f"{joko.number} · {joko.name}: {label(LAST_MONTH)} is already paid, with receipt "
        f"{counter_number}." in page
    )
    by_qris = [r for r in receipts(db, tenants) if r.method == PaymentMethod.QRIS]
    assert len(by_qris) == 2
    assert joko.id not in {r.member_id for r in by_qris}
    assert label(THIS_MONTH) in page  # Joko's this month is still open to tick


def test_confirming_needs_a_ticked_share_and_a_date_not_in_the_future(
    bendahara, db, tenants, three_owing
):
    nothing = bendahara.post(CONFIRM, data=confirm_form(bendahara, item=[]))
    assert nothing.status_code == 422
    assert "Tick the payments that reached the bank." in text(nothing)
    future = bendahara.post(CONFIRM, data=confirm_form(bendahara, paid_on="2099-01-01"))
    assert future.status_code == 422
    assert "The date cannot be in the future." in text(future)
    assert receipts(db, tenants) == []


def test_the_list_is_searched_by_member(bendahara, tenants, three_owing):
    sri, joko = tenants.a.members
    page = text(bendahara.get(CONFIRM, query_string={"q": joko.name}))
    assert joko.name in page
    assert sri.name not in page


def test_loan_instalments_paid_by_qris_are_confirmed_once_each(bendahara, db, tenants):
    with books_of(db, tenants.a) as session:
        loan = active_loan(session, tenants)
        owed = repayments.standing(session, loan, TODAY).due_now
    page = text(bendahara.get(CONFIRM))
    assert f'name="loan" value="{loan.id}:{owed}"' in page
    form = confirm_form(bendahara, loan=[f"{loan.id}:{owed}"], item=[])
    assert bendahara.post(CONFIRM, data=form).status_code == 302
    assert bendahara.post(CONFIRM, data=form).status_code == 302  # the same form again
    with books_of(db, tenants.a) as session:
        (payment,) = repayments.repayments_of(session, session.get_one(Loan, loan.id))
        assert (payment.method, payment.amount) == (RepaymentMethod.QRIS, owed)
        assert repayments.standing(session, session.get_one(Loan, loan.id), TODAY).due_now == 0
    too_much = confirm_form(bendahara, loan=[f"{loan.id}:999999999"], item=[])
    refused = bendahara.post(CONFIRM, data=too_much)
    assert refused.status_code == 422
    assert f"{loan.number}: the amount is more than the loan still owes." in text(refused)
