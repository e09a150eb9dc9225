"""A member's own page shows their credit at the shop: what they bought on credit (a reversed
sale struck through and left out), what they paid back and what they still owe; nobody else's."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from saas.gerai import credit, sales
from saas.gerai.models import Sale, SaleMethod
from saas.gerai.reversal import TakeBack, reverse_sale
from saas.gerai.rules import CartLine
from saas.savings.models import PaymentMethod
from tests.factories import books_of, login, text
from tests.integration.test_gerai import SOLD_ON, add_rice, checkout, receive
from tests.integration.test_pages_in_indonesian import english_on


@pytest.fixture
def sri_bought_on_credit(db, tenants):
    """Citra's account is Sri's; Sri bought rice on credit twice (Rp30,000 and Rp15,000), the
    second reversed, and paid Rp10,000 back; Joko owes Rp15,000."""
    unit_id = tenants.a.units[0].id
    with books_of(db, tenants.a) as session:
        sri, joko = (session.merge(member) for member in tenants.a.members)
        sri.user_id = tenants.a.users["anggota"].id
        rice = add_rice(session, unit_id)
        receive(session, unit_id, rice.id, 10, 12_000)
        on_credit = {"method": SaleMethod.CREDIT}
        for member, quantity in ((sri, 2), (sri, 1), (joko, 1)):
            lines = [CartLine(rice.id, quantity)]
            sales.sell(session, checkout(unit_id, lines, member=member, **on_credit))
        second = session.scalars(
            select(Sale).where(Sale.member_id == sri.id).order_by(Sale.id)
        ).all()[1]
        reverse_sale(session, second, TakeBack("Salah catat", SOLD_ON, uuid.uuid4(), None, "B"))
        credit.collect_credit(
            session,
            sri,
            amount=10_000,
            method=PaymentMethod.CASH,
            paid_on=SOLD_ON,
            idempotency_key=uuid.uuid4(),
            officer_id=None,
        )
        session.commit()
        return second.number


def test_a_members_credit_account_sums_what_they_bought_paid_back_and_owe(
    db, tenants, sri_bought_on_credit
):
    with books_of(db, tenants.a) as session:
        account = credit.credit_account(session, tenants.a.members[0].id)
    assert (account.bought, account.paid_back, account.owed) == (30_000, 10_000, 20_000)
    assert len(account.purchases) == 2


def test_a_member_sees_their_own_shop_credit_on_their_page(
    client_for, tenants, sri_bought_on_credit
):
    citra = client_for("alpha", lang="id")
    login(citra, "citra@kopalpha.id")
    home = text(citra.get("/anggota"))
    assert "Kredit Anda di gerai" in home
    assert "Rp30.000" in home
    assert "sisa utang Rp20.000" in home
    assert "<s>Rp15.000</s>" in home  # the reversed purchase, struck through
    assert sri_bought_on_credit in home
    assert english_on(home) == []


def test_a_member_without_credit_sees_no_shop_credit(client_for, db, tenants):
    with books_of(db, tenants.a) as session:
        session.merge(tenants.a.members[1]).user_id = tenants.a.users["anggota"].id
    citra = client_for("alpha")
    login(citra, "citra@kopalpha.id")
    assert "Your credit at the shop" not in text(citra.get("/anggota"))
