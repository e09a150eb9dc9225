"""Interest on voluntary savings: the rate in the settings, a month's average daily balances,
the final tax, one posting per month."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from saas.ledger import operations as ledger
from saas.ledger.queries import account_balances
from saas.ledger.rules import LedgerError
from saas.savings import interest
from saas.savings import operations as savings
from saas.savings.models import InterestRun, PaymentMethod, SavingsKind
from tests.clock import LAST_MONTH, LAST_MONTH_END, TODAY
from tests.factories import books_of, hidden, login, text

MONTH = f"{LAST_MONTH.year}-{LAST_MONTH.month:02d}"
DAYS = LAST_MONTH_END.day


@pytest.fixture
def deposits(db, tenants):
    """Sri keeps Rp10.000.000 all last month; Joko Rp150.000.000 from its 16th."""
    sri, joko = tenants.a.members
    with books_of(db, tenants.a) as session:
        for member, amount, day in ((sri, 10_000_000, 1), (joko, 150_000_000, 16)):
            savings.deposit(
                session,
                savings.Movement(
                    member=session.merge(member),
                    kind=SavingsKind.SUKARELA,
                    amount=amount,
                    method=PaymentMethod.TRANSFER,
                    paid_on=LAST_MONTH.replace(day=day),
                    idempotency_key=uuid.uuid4(),
                    officer_id=tenants.a.users["bendahara"].id,
                    officer_name="Bambang Alpha",
                ),
            )
    return sri.id, joko.id


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


def set_rate(client, rate):
    page = text(client.get("/kelola/tagihan/pengaturan"))
    return client.post(
        "/kelola/tagihan/pengaturan",
        data={
            "csrf_token": hidden(page, "csrf_token"),
            "pokok_amount": "100.000",
            "wajib_amount": "10.000",
            "interest_rate": rate,
        },
    )


def test_the_rate_is_a_plain_percentage_within_reason(bendahara, db, tenants):
    assert set_rate(bendahara, "25").status_code == 422
    assert set_rate(bendahara, "tiga").status_code == 422
    assert set_rate(bendahara, "3.5").status_code == 302
    with books_of(db, tenants.a) as session:
        assert savings.get_settings(session).sukarela_interest_bp == 350


def test_a_month_is_paid_on_average_balances_with_the_tax_once(bendahara, db, tenants, deposits):
    sri, joko = deposits
    set_rate(bendahara, "3")
    sri_gross = 10_000_000 * DAYS * 300 // 3_650_000
    joko_gross = 150_000_000 * (DAYS - 15) * 300 // 3_650_000
    joko_tax = joko_gross // 10 if joko_gross > 240_000 else 0
    page = text(bendahara.get("/kelola/simpanan/bunga", query_string={"month": MONTH}))
    assert f"Rp{sri_gross:,}" in page
    assert f"Rp{joko_gross:,}" in page
    data = {"csrf_token": hidden(page, "csrf_token"), "key": hidden(page, "key"), "month": MONTH}
    assert bendahara.post("/kelola/simpanan/bunga", data=data).status_code == 302
    assert bendahara.post("/kelola/simpanan/bunga", data=data).status_code == 302  # a retry
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(InterestRun)) == 1
        balances = savings.balances_by_member(session)
        assert balances[sri]["sukarela"] == 10_000_000 + sri_gross
        assert balances[joko]["sukarela"] == 150_000_000 + joko_gross - joko_tax
        totals = account_balances(session)
        expense = ledger.account_by_role(session, "savings_interest").id
        tax = ledger.account_by_role(session, "taxes_payable").id
        assert totals[expense] == sri_gross + joko_gross
        assert totals[tax] == joko_tax
    again = {**data, "key": str(uuid.uuid4())}
    refused = bendahara.post("/kelola/simpanan/bunga", data=again)
    assert refused.status_code == 422
    assert "already been paid" in text(refused)


def test_months_that_cannot_be_paid_are_refused(bendahara, db, tenants, deposits):
    page = text(bendahara.get("/kelola/simpanan/bunga", query_string={"month": MONTH}))
    assert "Set the interest rate" in page  # no rate yet
    set_rate(bendahara, "3")
    this_month = f"{TODAY.year}-{TODAY.month:02d}"
    assert (
        bendahara.get("/kelola/simpanan/bunga", query_string={"month": this_month}).status_code
        == 422
    )
    assert bendahara.get("/kelola/simpanan/bunga", query_string={"month": "x"}).status_code == 422
    with books_of(db, tenants.a) as session:
        ledger.close_period(
            session,
            LAST_MONTH.year,
            LAST_MONTH.month,
            user_id=tenants.a.users["bendahara"].id,
            today=TODAY,
        )
    page = text(bendahara.get("/kelola/simpanan/bunga"))
    posted = bendahara.post(
        "/kelola/simpanan/bunga",
        data={"csrf_token": hidden(page, "csrf_token"), "key": str(uuid.uuid4()), "month": MONTH},
    )
    assert posted.status_code == 422  # a closed month is no longer offered


def test_only_the_treasurer_pays_interest(alpha):
    login(alpha, "ana@kopalpha.id")
    assert alpha.get("/kelola/simpanan/bunga").status_code == 403


def test_a_month_before_one_already_paid_is_not_paid(db, tenants, deposits):
    officer = tenants.a.users["bendahara"].id
    with books_of(db, tenants.a) as session:
        savings.save_settings(
            session, pokok_amount=100_000, wajib_amount=10_000, sukarela_interest_bp=300
        )
        plan = interest.plan_interest(session, LAST_MONTH.year, LAST_MONTH.month, today=TODAY)
        interest.post_interest(session, plan, idempotency_key=uuid.uuid4(), user_id=officer)
        earlier = (LAST_MONTH - timedelta(days=1)).replace(day=1)
        before = interest.plan_interest(session, earlier.year, earlier.month, today=TODAY)
        before = interest.InterestPlan(before.year, before.month, 300, plan.rows)
        with pytest.raises(LedgerError) as refused:
            interest.post_interest(session, before, idempotency_key=uuid.uuid4(), user_id=officer)
        assert refused.value.code == "later_month_paid"
