"""The paid plan's extras (loans, the shop) held by the operations: on the free plan, or once a
failed payment is past its grace, starting something new is refused with the upgrade message,
while everything already there goes on and money received is always recorded."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import has_app_context
from sqlalchemy import func, select, update

from saas import clock
from saas.billing import limits, queries
from saas.billing.models import Subscription
from saas.gerai import operations as gerai
from saas.gerai import sales as gerai_sales
from saas.gerai.models import GeraiProduct, SaleMethod, SupplierPayment
from saas.gerai.rules import CartLine
from saas.loans import operations as loans
from saas.loans.models import Loan, LoanRepayment, LoanStatus
from tests.clock import TODAY
from tests.factories import books_of, csrf_from, hidden, login, put_on_free_plan, text
from tests.integration.lending import FLAT, active_loan, approved_loan, fund, pay

RICE = gerai.ProductDetails("899100", "Beras Pandan", "kg", 15_000, 12_000, 3, False, True)


def lapse(db, tenant) -> None:
    """The paid plan's payment failed and its grace period ended yesterday."""
    with db.platform_session() as session:
        session.execute(
            update(Subscription)
            .where(Subscription.tenant_id == tenant.id)
            .values(status="past_due", grace_until=clock.now() - timedelta(days=1))
        )
        session.commit()
        assert queries.terms_for(session, tenant.id).paused


def loans_in(session) -> int:
    return session.scalar(select(func.count()).select_from(Loan)) or 0


def products_in(session) -> int:
    return session.scalar(select(func.count()).select_from(GeraiProduct)) or 0


def test_on_the_paid_plan_the_loans_and_the_shop_are_on(db, tenants):
    with books_of(db, tenants.a) as session:
        assert limits.plan_has(session, "loans")
        assert limits.plan_has(session, "gerai")


def test_on_the_free_plan_a_new_application_is_refused_and_nothing_is_written(db, tenants):
    with books_of(db, tenants.a) as session:
        approved_loan(session, tenants)  # applied for while on the paid plan
        session.commit()
    put_on_free_plan(db, tenants.a.tenant)
    with books_of(db, tenants.a) as session:
        before = loans_in(session)
        with pytest.raises(limits.PlanFeatureError) as refused:
            approved_loan(session, tenants)
        session.rollback()
        assert refused.value.feature == "loans"
        assert loans_in(session) == before


def test_a_script_outside_any_request_meets_the_same_plan(db, tenants):
    """A job, a command or a one-off script holds no request: the session itself knows where
    to ask for the plan, so nothing slips past it."""
    put_on_free_plan(db, tenants.a.tenant)
    assert not has_app_context()
    with books_of(db, tenants.a) as session:
        with pytest.raises(limits.PlanFeatureError):
            gerai.save_product(session, tenants.a.units[0].id, None, RICE)
        session.rollback()
        assert products_in(session) == 0


def test_on_the_free_plan_the_application_page_answers_with_the_upgrade_message(
    client_for, db, tenants
):
    with books_of(db, tenants.a) as session:
        product = loans.save_product(session, None, FLAT)
        session.commit()
        product_id, before = product.id, loans_in(session)
    put_on_free_plan(db, tenants.a.tenant)
    bendahara = client_for("alpha", lang="en")
    login(bendahara, "bambang@kopalpha.id")
    url = f"/kelola/pinjaman/ajukan?anggota={tenants.a.members[0].id}"
    fields = {
        "product": str(product_id),
        "amount": "600.000",
        "instalments": "6",
        "purpose": "Modal warung",
        "ajukan": "1",
    }
    response = bendahara.post(url, data={"csrf_token": csrf_from(bendahara.get(url)), **fields})
    assert response.status_code == 402
    assert "New loans need the Koperasi plan" in text(response)
    assert "/kelola/langganan" in text(response)  # the treasurer may change the plan
    with books_of(db, tenants.a) as session:
        assert loans_in(session) == before


def test_past_the_grace_a_payout_is_refused_on_its_page_and_the_loan_stays_approved(
    client_for, db, tenants
):
    with books_of(db, tenants.a) as session:
        loan_id = approved_loan(session, tenants, on=TODAY).id
        fund(session, 1_200_000, TODAY)
        session.commit()
    lapse(db, tenants.a.tenant)
    bendahara = client_for("alpha", lang="id")
    login(bendahara, "bambang@kopalpha.id")
    page = text(bendahara.get(f"/kelola/pinjaman/{loan_id}"))
    form = {"csrf_token": csrf_from(bendahara.get("/kelola")), "key": hidden(page, "key")}
    response = bendahara.post(f"/kelola/pinjaman/{loan_id}/cairkan", data=form | {"method": "cash"})
    assert response.status_code == 402
    assert "Pinjaman baru memerlukan paket Koperasi" in text(response)
    with books_of(db, tenants.a) as session:
        loan = session.get_one(Loan, loan_id)
        assert (loan.status, loan.disbursement_entry_id) == (LoanStatus.APPROVED, None)


def test_past_the_grace_a_repayment_of_a_loan_already_made_still_posts(db, tenants):
    with books_of(db, tenants.a) as session:
        loan_id = active_loan(session, tenants).id
        session.commit()
    lapse(db, tenants.a.tenant)
    with books_of(db, tenants.a) as session:
        loan = session.get_one(Loan, loan_id)
        result = pay(session, loan, 224_000, TODAY)
        session.commit()
        assert result.repayment.entry_id is not None
        paid = select(func.sum(LoanRepayment.amount)).where(LoanRepayment.loan_id == loan_id)
        assert session.scalar(paid) == 224_000


def test_on_the_free_plan_a_new_product_is_refused_but_the_shop_goes_on(db, tenants):
    unit_id = tenants.a.units[0].id
    with books_of(db, tenants.a) as session:
        rice = gerai.save_product(session, unit_id, None, RICE)
        session.commit()
        rice_id = rice.id
    put_on_free_plan(db, tenants.a.tenant)
    with books_of(db, tenants.a) as session:
        with pytest.raises(limits.PlanFeatureError):
            gerai.save_product(
                session,
                unit_id,
                None,
                gerai.ProductDetails("899200", "Gula", "kg", 17_000, 14_000, 2, False, True),
            )
        session.rollback()
        assert products_in(session) == 1
        rice = session.get_one(GeraiProduct, rice_id)
        changed = gerai.ProductDetails(
            "899100", "Beras Pandan", "kg", 16_000, 12_000, 3, True, True
        )
        gerai.save_product(session, unit_id, rice, changed)  # changing one is not new
        delivery = gerai.Delivery(
            unit_id,
            "Grosir Makmur",
            TODAY,
            SupplierPayment.CASH,
            [gerai.ReceivedLine(rice_id, 10, 12_000)],
            uuid.uuid4(),
            None,
        )
        gerai.receive_goods(session, delivery)
        session.commit()
        assert (rice.price, rice.on_hand) == (16_000, 10)


def test_on_the_free_plan_the_product_page_answers_with_the_upgrade_message(
    client_for, db, tenants
):
    unit_id = tenants.a.units[0].id
    put_on_free_plan(db, tenants.a.tenant)
    ketua = client_for("alpha", lang="en")
    login(ketua, "ana@kopalpha.id")
    url = f"/kelola/gerai/{unit_id}/produk/baru"
    fields = {"code": "899200", "name": "Gula", "measure": "kg", "price": "17.000"}
    response = ketua.post(url, data={"csrf_token": csrf_from(ketua.get(url)), **fields})
    assert response.status_code == 402, text(response)
    assert "New shop products need the Koperasi plan" in text(response)
    with books_of(db, tenants.a) as session:
        assert products_in(session) == 0


def test_past_the_grace_a_sale_of_a_product_there_is_recorded(db, tenants):
    unit_id = tenants.a.units[0].id
    with books_of(db, tenants.a) as session:
        rice = gerai.save_product(session, unit_id, None, RICE)
        gerai.receive_goods(
            session,
            gerai.Delivery(
                unit_id,
                "Grosir Makmur",
                TODAY,
                SupplierPayment.CASH,
                [gerai.ReceivedLine(rice.id, 10, 12_000)],
                uuid.uuid4(),
                None,
            ),
        )
        session.commit()
        rice_id = rice.id
    lapse(db, tenants.a.tenant)
    with books_of(db, tenants.a) as session:
        sale, _created = gerai_sales.sell(
            session,
            gerai_sales.Checkout(
                unit_id=unit_id,
                lines=[CartLine(rice_id, 2)],
                member=None,
                method=SaleMethod.CASH,
                sold_on=TODAY,
                idempotency_key=uuid.uuid4(),
                officer_id=tenants.a.users["bendahara"].id,
                officer_name="Bambang Alpha",
            ),
        )
        session.commit()
        assert sale.total == 30_000
        assert session.get_one(GeraiProduct, rice_id).on_hand == 8
