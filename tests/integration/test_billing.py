"""Plans and subscriptions: the plans' prices, what the database refuses, and the billing page
against localstripe (test mode), with Stripe unreachable or billing off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError

from saas import clock
from saas.billing import operations as billing
from saas.billing import queries
from saas.billing.local_stripe import API_KEY, WEBHOOK_SECRET, free_port
from saas.billing.stripe_gateway import StripeGateway, gateway_from_settings, to_stripe_amount
from tests.factories import csrf_from, login, put_on_free_plan, text


@pytest.fixture(autouse=True)
def on_the_free_plan(db, tenants):
    """Both cooperatives start on the Gratis plan without a Stripe customer, as a new one does."""
    for data in (tenants.a, tenants.b):
        put_on_free_plan(db, data.tenant)


def subscription_of(db, tenants):
    with db.platform_session() as session:
        return queries.get_subscription(session, tenants.a.tenant.id)


def upgrade(client, period: str = "month"):
    token = csrf_from(client.get("/kelola/langganan"))
    return client.post("/kelola/langganan/mulai", data={"csrf_token": token, "period": period})


def test_the_next_invoice_is_stripes_own_preview_with_whatever_it_adds(
    alpha, db, tenants, stripe_gateway
):
    """Not the plan's price worked out here: a charge Stripe adds (a proration, a one-off
    item) shows in the amount the treasurer is told to expect."""
    login(alpha, "bambang@kopalpha.id")
    upgrade(alpha)
    subscription = subscription_of(db, tenants)
    stripe_gateway.client.v1.invoice_items.create(
        params={
            "customer": subscription.stripe_customer_id,
            "amount": to_stripe_amount(25_000),
            "currency": "idr",
            "description": "Pelatihan pengurus",
        }
    )

    page = text(alpha.get("/kelola/langganan"))

    assert "Next invoice: Rp175,000 on" in page


def test_the_free_plan_limits_members_and_the_paid_plan_is_priced_monthly_and_yearly(db):
    with db.platform_session() as session:
        free, paid = queries.list_plans(session)
        assert (free.code, free.member_limit, free.prices) == ("gratis", 100, [])
        assert (free.loans, free.gerai, free.custom_domain) == (False, False, False)
        assert paid.member_limit is None
        assert (paid.loans, paid.gerai, paid.custom_domain) == (True, True, True)
        assert {price.period: price.amount for price in paid.prices} == {
            "month": 150_000,
            "year": 1_500_000,
        }


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ("(SELECT id FROM plans WHERE code = 'gratis'), 'month', 0", "amount_positive"),
        ("(SELECT id FROM plans WHERE code = 'gratis'), 'week', 5000", "known_period"),
    ],
)
def test_the_database_refuses_a_price_of_nothing_or_a_period_stripe_does_not_bill(
    db, values, constraint
):
    with pytest.raises(IntegrityError, match=constraint), db.platform_transaction() as connection:
        connection.exec_driver_sql(
            f"INSERT INTO plan_prices (plan_id, period, amount) VALUES ({values})"
        )


@pytest.mark.parametrize(
    ("status", "subscription_id", "constraint"),
    [
        ("'lapsed'", "'sub_1'", "known_status"),
        ("'active'", "NULL", "status_comes_from_stripe"),
        ("NULL", "'sub_1'", "status_comes_from_stripe"),
    ],
)
def test_the_database_refuses_a_status_stripe_did_not_give(
    db, tenants, status, subscription_id, constraint
):
    with pytest.raises(IntegrityError, match=constraint), db.platform_transaction() as connection:
        connection.exec_driver_sql(
            "INSERT INTO subscriptions (tenant_id, plan_id, status, stripe_subscription_id,"
            " cancel_at_period_end, stripe_customer_id, updated_at)"
            f" VALUES ({tenants.a.tenant.id}, (SELECT id FROM plans WHERE code = 'koperasi'),"
            f" {status}, {subscription_id}, false, 'cus_1', now())"
        )


def test_the_database_keeps_each_stripe_event_once(db):
    insert = (
        "INSERT INTO stripe_events (id, type, received_at) VALUES ('evt_1', 'invoice.paid', now())"
    )
    with db.platform_transaction() as connection:
        connection.exec_driver_sql(insert)
    with (
        pytest.raises(IntegrityError, match="pk_stripe_events"),
        db.platform_transaction() as again,
    ):
        again.exec_driver_sql(insert)


def test_each_price_becomes_a_stripe_price_once_counted_in_hundredths(db, stripe_gateway):
    with db.platform_session() as session:
        billing.sync_prices(session, stripe_gateway)
        price = queries.get_price(session, "koperasi", "year")
        assert price is not None
        assert price.stripe_price_id == "guyub-koperasi-year"
        assert billing.sync_prices(session, stripe_gateway) == 0
        session.commit()
    at_stripe = stripe_gateway.client.v1.plans.retrieve("guyub-koperasi-year")
    assert (at_stripe.amount, at_stripe.currency, at_stripe.interval) == (
        150_000_000,
        "idr",
        "year",
    )


def test_the_treasurer_upgrades_in_test_mode_and_sees_the_plan_and_its_invoice(
    alpha, db, tenants, stripe_gateway
):
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get("/kelola/langganan"))
    assert "Test mode" in page
    assert "Current plan: Gratis" in page
    response = upgrade(alpha)
    assert response.status_code == 303
    page = text(alpha.get("/kelola/langganan"))
    assert "Current plan: Koperasi" in page
    assert "Subscription: Koperasi, Active" in page
    assert "Next invoice: Rp150,000 on" in page
    assert "Rp150,000</strong>" in page  # the first invoice, paid
    subscription = subscription_of(db, tenants)
    assert subscription is not None
    assert (subscription.status, subscription.period) == ("active", "month")
    assert subscription.stripe_customer_id.startswith("cus_")


def test_the_chair_cancels_at_the_period_end_and_takes_it_back(alpha, db, tenants, stripe_gateway):
    login(alpha, "ana@kopalpha.id")
    upgrade(alpha, "year")
    token = csrf_from(alpha.get("/kelola/langganan"))
    assert alpha.post("/kelola/langganan/berhenti", data={"csrf_token": token}).status_code == 303
    page = text(alpha.get("/kelola/langganan"))
    assert "The paid plan ends on" in page
    assert "Current plan: Koperasi" in page  # paid until the period ends
    assert subscription_of(db, tenants).cancel_at_period_end
    at_stripe = stripe_gateway.retrieve_subscription(
        subscription_of(db, tenants).stripe_subscription_id
    )
    assert at_stripe.cancel_at_period_end
    alpha.post("/kelola/langganan/lanjutkan", data={"csrf_token": token})
    assert not subscription_of(db, tenants).cancel_at_period_end
    assert "Next invoice: Rp1,500,000 on" in text(alpha.get("/kelola/langganan"))


def test_a_second_upgrade_is_refused_and_changes_nothing(alpha, db, tenants, stripe_gateway):
    login(alpha, "ana@kopalpha.id")
    upgrade(alpha)
    first = subscription_of(db, tenants).stripe_subscription_id
    response = upgrade(alpha)
    assert response.status_code == 409
    assert "already has a paid plan" in text(response)
    assert subscription_of(db, tenants).stripe_subscription_id == first


@pytest.mark.parametrize("who", ["dedi@kopalpha.id", "citra@kopalpha.id"])
def test_only_the_chair_and_the_treasurer_open_the_billing_page(alpha, who, stripe_gateway):
    login(alpha, who)
    assert alpha.get("/kelola/langganan").status_code == 403
    assert alpha.post("/kelola/langganan/mulai", data={"period": "month"}).status_code in {400, 403}


def test_an_upgrade_without_the_form_token_is_refused(alpha, db, tenants, stripe_gateway):
    login(alpha, "bambang@kopalpha.id")
    response = alpha.post("/kelola/langganan/mulai", data={"period": "month"})
    assert response.status_code == 400
    assert subscription_of(db, tenants) is None


def test_a_period_not_offered_is_refused_on_the_form(alpha, db, tenants, stripe_gateway):
    login(alpha, "bambang@kopalpha.id")
    response = upgrade(alpha, "week")
    assert response.status_code == 422
    assert "Not a valid choice" in text(response)
    assert subscription_of(db, tenants) is None


def test_stripe_unreachable_shows_a_message_and_changes_nothing(app, alpha, db, tenants):
    closed = StripeGateway(
        API_KEY, WEBHOOK_SECRET, api_base=f"http://127.0.0.1:{free_port()}", local=True
    )
    app.extensions["guyub.billing"] = closed
    try:
        login(alpha, "bambang@kopalpha.id")
        response = upgrade(alpha)
    finally:
        app.extensions["guyub.billing"] = None
    assert response.status_code == 503
    assert "could not reach the payment service" in text(response)
    assert subscription_of(db, tenants) is None
    with db.platform_session() as session:
        assert queries.get_price(session, "koperasi", "month").stripe_price_id is None


def test_with_billing_off_the_page_shows_the_free_plan_and_an_upgrade_is_refused(
    app, alpha, db, tenants
):
    assert app.extensions["guyub.billing"] is None  # the tests set no Stripe keys
    login(alpha, "bambang@kopalpha.id")
    assert "Current plan: Gratis" in text(alpha.get("/kelola/langganan"))
    response = upgrade(alpha)
    assert response.status_code == 503
    assert "not available on this server" in text(response)
    assert subscription_of(db, tenants) is None


def test_the_billing_page_reads_in_indonesian(client_for, stripe_gateway):
    client = client_for("alpha", lang=None)
    login(client, "bambang@kopalpha.id")
    page = text(client.get("/kelola/langganan"))
    assert "Paket dan tagihan" in page
    assert "Plan and billing" not in page


def test_without_stripe_keys_billing_stays_off_and_says_so_in_one_line(caplog):
    assert gateway_from_settings("", "whsec_only_the_secret", "") is None
    assert [record.getMessage() for record in caplog.records] == [
        "billing is off: set STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET to turn it on"
    ]


def test_with_keys_the_same_code_talks_to_stripe_or_in_test_mode_to_localstripe():
    live = gateway_from_settings("sk_live_x", "whsec_x", "")
    local = gateway_from_settings("sk_test_x", "whsec_x", "http://127.0.0.1:9")
    assert live is not None
    assert local is not None
    assert (live.local, local.local) == (False, True)


def test_in_test_mode_the_card_becomes_the_test_card_chosen(alpha, db, tenants, stripe_gateway):
    login(alpha, "bambang@kopalpha.id")
    upgrade(alpha)
    token = csrf_from(alpha.get("/kelola/langganan"))
    response = alpha.post(
        "/kelola/langganan/kartu",
        data={"csrf_token": token, "card": "pm_card_chargeCustomerFail"},
    )
    assert response.status_code == 303
    customer = stripe_gateway.client.v1.customers.retrieve(
        subscription_of(db, tenants).stripe_customer_id
    )
    assert customer.invoice_settings.default_payment_method == "pm_card_chargeCustomerFail"


def test_a_card_not_offered_is_refused_on_the_form(alpha, stripe_gateway):
    login(alpha, "bambang@kopalpha.id")
    upgrade(alpha)
    token = csrf_from(alpha.get("/kelola/langganan"))
    response = alpha.post("/kelola/langganan/kartu", data={"csrf_token": token, "card": "pm_x"})
    assert response.status_code == 422
    assert "Not a valid choice" in text(response)


def test_there_is_no_card_to_change_before_a_paid_plan(alpha, stripe_gateway):
    login(alpha, "bambang@kopalpha.id")
    token = csrf_from(alpha.get("/kelola/langganan"))
    response = alpha.post(
        "/kelola/langganan/kartu", data={"csrf_token": token, "card": "pm_card_visa"}
    )
    assert response.status_code == 409
    assert "no paid plan to change" in text(response)


def test_the_page_warns_during_the_grace_period_and_says_when_the_extras_pause(
    alpha, db, tenants, stripe_gateway
):
    login(alpha, "bambang@kopalpha.id")
    upgrade(alpha)
    with db.platform_session() as session:
        subscription = queries.get_subscription(session, tenants.a.tenant.id)
        subscription.status = "past_due"
        subscription.grace_until = clock.now() + timedelta(days=3)
        session.commit()
    page = text(alpha.get("/kelola/langganan"))
    assert "The last payment failed. Update the card before" in page
    assert "Days of grace left: 3." in page
    assert "Current plan: Koperasi" in page
    with clock.frozen(clock.now() + timedelta(days=4)):
        page = text(alpha.get("/kelola/langganan"))
    assert "the grace period is over, so the paid plan's extras are paused" in page
    assert "Current plan: Gratis" in page


def test_the_sync_command_makes_the_missing_prices_at_stripe(app, db, stripe_gateway):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["billing", "sync-prices"])
    assert result.exit_code == 0
    assert result.output == "2 prices created at Stripe\n"
    with db.platform_session() as session:
        assert queries.get_price(session, "koperasi", "month").stripe_price_id is not None
    assert runner.invoke(args=["billing", "sync-prices"]).output == "0 prices created at Stripe\n"


def test_the_sync_command_refuses_with_billing_off(app, db):
    result = app.test_cli_runner().invoke(args=["billing", "sync-prices"])
    assert result.exit_code == 1
    assert "billing is off" in result.output


def change_period(client, period: str):
    token = csrf_from(client.get("/kelola/langganan"))
    return client.post("/kelola/langganan/periode", data={"csrf_token": token, "period": period})


def test_a_monthly_plan_becomes_yearly_at_stripe_and_the_next_invoice_follows(
    alpha, db, tenants, stripe_gateway
):
    login(alpha, "bambang@kopalpha.id")
    upgrade(alpha, "month")
    before = subscription_of(db, tenants)
    assert change_period(alpha, "year").status_code == 303
    after = subscription_of(db, tenants)
    assert (after.period, after.stripe_subscription_id) == ("year", before.stripe_subscription_id)
    at_stripe = stripe_gateway.retrieve_subscription(after.stripe_subscription_id)
    assert at_stripe.price_id == "guyub-koperasi-year"
    page = text(alpha.get("/kelola/langganan"))
    assert "The plan is billed yearly from now on." in page
    assert "Next invoice: Rp1,500,000 on" in page
    # Stripe invoiced the change at once, crediting the month's unused time.
    invoices = stripe_gateway.list_invoices(after.stripe_customer_id)
    assert len(invoices) == 2
    assert change_period(alpha, "month").status_code == 303
    assert subscription_of(db, tenants).period == "month"
    assert "Next invoice: Rp150,000 on" in text(alpha.get("/kelola/langganan"))


def test_a_change_whose_charge_fails_starts_the_grace_and_tells_the_officers(
    alpha, db, tenants, stripe_gateway
):
    login(alpha, "bambang@kopalpha.id")
    upgrade(alpha, "month")
    subscription = subscription_of(db, tenants)
    stripe_gateway.set_test_card(subscription.stripe_customer_id, "pm_card_chargeCustomerFail")

    assert change_period(alpha, "year").status_code == 303

    after = subscription_of(db, tenants)
    assert (after.status, after.grace_until is not None) == ("past_due", True)
    assert "The last payment failed." in text(alpha.get("/kelola/langganan"))
    with db.platform_session() as session:
        queued = session.scalars(
            sql("SELECT args FROM procrastinate_jobs WHERE task_name = :task"),
            {"task": "saas.jobs.send_grace_notice"},
        ).all()
    assert queued == [{"tenant_id": tenants.a.tenant.id}]


def test_a_change_to_the_period_already_billed_is_refused_and_changes_nothing(
    alpha, db, tenants, stripe_gateway
):
    login(alpha, "ana@kopalpha.id")
    upgrade(alpha, "year")
    response = change_period(alpha, "year")
    assert response.status_code == 409
    assert "The plan is already billed this way." in text(response)
    assert subscription_of(db, tenants).period == "year"


def test_without_a_paid_plan_or_with_a_period_not_offered_the_change_is_refused(
    alpha, db, tenants, stripe_gateway
):
    login(alpha, "ana@kopalpha.id")
    refused = change_period(alpha, "year")
    assert refused.status_code == 409
    assert "no paid plan to change" in text(refused)
    upgrade(alpha, "month")
    unknown = change_period(alpha, "week")
    assert unknown.status_code == 422
    assert "Not a valid choice" in text(unknown)
    assert subscription_of(db, tenants).period == "month"


def test_stripe_unreachable_leaves_the_period_as_it_was(app, alpha, db, tenants, stripe_gateway):
    login(alpha, "ana@kopalpha.id")
    upgrade(alpha, "month")
    token = csrf_from(alpha.get("/kelola/langganan"))
    app.extensions["guyub.billing"] = StripeGateway(
        API_KEY, WEBHOOK_SECRET, api_base=f"http://127.0.0.1:{free_port()}", local=True
    )
    response = alpha.post("/kelola/langganan/periode", data={"csrf_token": token, "period": "year"})
    assert response.status_code == 503
    assert "could not reach the payment service" in text(response)
    assert subscription_of(db, tenants).period == "month"
