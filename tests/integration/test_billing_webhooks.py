"""Stripe's webhook on the platform host: events signed with Stripe's real scheme, each applied
once, the state always read back from Stripe (localstripe), whatever order events arrive in."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql

import saas.jobs
from saas import clock
from saas.billing import operations as billing
from saas.billing import queries
from saas.billing.local_stripe import API_KEY, WEBHOOK_SECRET, free_port
from saas.billing.models import StripeEvent, Subscription
from saas.billing.rules import GRACE_PERIOD
from saas.billing.stripe_gateway import StripeGateway
from tests.factories import put_on_free_plan


@pytest.fixture(autouse=True)
def on_the_free_plan(db, tenants):
    """Both cooperatives start on the Gratis plan without a Stripe customer, as a new one does."""
    for data in (tenants.a, tenants.b):
        put_on_free_plan(db, data.tenant)


def signature(payload: bytes, *, at: int | None = None, secret: str = WEBHOOK_SECRET) -> str:
    """The Stripe-Signature header as Stripe builds it: t=<time>,v1=HMAC-SHA256(t.body)."""
    at = int(time.time()) if at is None else at  # Stripe's tolerance is checked against it
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def event(kind: str, obj: dict[str, object], event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex}",
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": obj},
        }
    ).encode()


def deliver(client, payload: bytes, header: str | None = None):
    headers = {"Stripe-Signature": header if header is not None else signature(payload)}
    return client.post(
        "/stripe/webhook", data=payload, headers=headers, content_type="application/json"
    )


@pytest.fixture
def subscribed(db, tenants, stripe_gateway) -> Subscription:
    """Tenant A on the monthly Koperasi plan, at localstripe and in the platform database."""
    with db.platform_session() as session:
        billing.sync_prices(session, stripe_gateway)
        billing.start_paid_plan(
            session,
            stripe_gateway,
            tenant_id=tenants.a.tenant.id,
            name="Alpha",
            email="ana@kopalpha.id",
            price=queries.get_price(session, "koperasi", "month"),
            success_url="http://alpha.localhost/kelola/langganan",
            cancel_url="http://alpha.localhost/kelola/langganan",
        )
        session.commit()
        return queries.get_subscription(session, tenants.a.tenant.id)


def row(db, tenants) -> Subscription:
    with db.platform_session() as session:
        subscription = queries.get_subscription(session, tenants.a.tenant.id)
        assert subscription.plan is not None  # loaded before the session ends
        return subscription


def events_recorded(db) -> int:
    with db.platform_session() as session:
        return session.scalar(select(func.count()).select_from(StripeEvent))


def subscription_object(subscription: Subscription, **fields: object) -> dict[str, object]:
    return {
        "id": subscription.stripe_subscription_id,
        "object": "subscription",
        "customer": subscription.stripe_customer_id,
        **fields,
    }


def test_an_update_takes_the_state_from_stripe_not_from_the_event(
    platform, db, tenants, subscribed, stripe_gateway
):
    stripe_gateway.set_cancel_at_period_end(subscribed.stripe_subscription_id, True)
    stale = subscription_object(subscribed, status="incomplete", cancel_at_period_end=False)
    response = deliver(platform, event("customer.subscription.updated", stale))
    assert response.status_code == 200
    assert response.json == {"outcome": "applied"}
    assert (row(db, tenants).status, row(db, tenants).cancel_at_period_end) == ("active", True)


def test_a_tampered_body_is_refused_and_changes_nothing(platform, db, tenants, subscribed):
    payload = event("customer.subscription.deleted", subscription_object(subscribed))
    header = signature(payload)
    tampered = payload.replace(b"customer.subscription.deleted", b"customer.subscription.updated")
    assert deliver(platform, tampered, header).status_code == 400
    assert events_recorded(db) == 0


@pytest.mark.parametrize(
    "header",
    [
        lambda payload: signature(payload, at=int(time.time()) - 3600),  # replayed an hour later
        lambda payload: signature(payload, secret="whsec_someone_else"),
        lambda payload: "",
        lambda payload: "t=1,v1=00",
    ],
    ids=["stale", "other-secret", "missing", "garbage"],
)
def test_a_bad_or_stale_signature_is_refused(platform, db, subscribed, header):
    payload = event("invoice.paid", {"object": "invoice", "customer": "cus_x"})
    assert deliver(platform, payload, header(payload)).status_code == 400
    assert events_recorded(db) == 0


def test_an_event_delivered_three_times_is_applied_once(platform, db, tenants, subscribed):
    payload = event("customer.subscription.updated", subscription_object(subscribed))
    outcomes = [deliver(platform, payload).json["outcome"] for _ in range(3)]
    assert outcomes == ["applied", "duplicate", "duplicate"]
    assert events_recorded(db) == 1


def test_events_out_of_order_leave_the_latest_state(
    platform, db, tenants, subscribed, stripe_gateway
):
    stripe_gateway.set_cancel_at_period_end(subscribed.stripe_subscription_id, True)
    updated = subscription_object(subscribed, status="active", cancel_at_period_end=True)
    created = subscription_object(subscribed, status="incomplete", cancel_at_period_end=False)
    deliver(platform, event("customer.subscription.updated", updated))
    deliver(platform, event("customer.subscription.created", created))  # older, arrives last
    assert (row(db, tenants).status, row(db, tenants).cancel_at_period_end) == ("active", True)


def test_an_event_for_an_unknown_customer_is_acknowledged_and_logged(
    platform, db, caplog, stripe_gateway
):
    obj = {"object": "invoice", "customer": "cus_nobody", "subscription": "sub_nobody"}
    response = deliver(platform, event("invoice.payment_failed", obj))
    assert response.status_code == 200
    assert response.json == {"outcome": "unknown_customer"}
    assert "unknown customer cus_nobody" in caplog.text
    assert events_recorded(db) == 1


def test_a_failed_payment_starts_seven_days_of_grace_then_the_extras_pause(
    platform, db, tenants, subscribed, stripe_gateway
):
    # At Stripe: the card starts failing, and the switch to yearly bills it at once.
    stripe_gateway.set_test_card(subscribed.stripe_customer_id, "pm_card_chargeCustomerFail")
    stripe_gateway.client.v1.subscriptions.update(
        subscribed.stripe_subscription_id, params={"items": [{"plan": "guyub-koperasi-year"}]}
    )
    failed = {
        "object": "invoice",
        "customer": subscribed.stripe_customer_id,
        "subscription": subscribed.stripe_subscription_id,
    }
    deliver(platform, event("invoice.payment_failed", failed))
    subscription = row(db, tenants)
    assert subscription.status == "past_due"
    assert subscription.grace_until == clock.now() + GRACE_PERIOD
    deliver(platform, event("invoice.payment_failed", failed))  # Stripe's retry fails too
    assert row(db, tenants).grace_until == clock.now() + GRACE_PERIOD  # the grace is not renewed
    with db.platform_session() as session:
        assert queries.terms_for(session, tenants.a.tenant.id).plan.code == "koperasi"
        with clock.frozen(clock.now() + GRACE_PERIOD + timedelta(minutes=1)):
            terms = queries.terms_for(session, tenants.a.tenant.id)
    assert (terms.plan.code, terms.paused, terms.member_limit) == ("gratis", True, 100)


def test_a_paid_invoice_ends_the_grace(platform, db, tenants, subscribed):
    with db.platform_session() as session:
        kept = queries.get_subscription(session, tenants.a.tenant.id)
        kept.grace_until = clock.now() + timedelta(days=2)
        session.commit()
    paid = {
        "object": "invoice",
        "customer": subscribed.stripe_customer_id,
        "parent": {"subscription_details": {"subscription": subscribed.stripe_subscription_id}},
    }
    assert deliver(platform, event("invoice.paid", paid)).json == {"outcome": "applied"}
    assert row(db, tenants).grace_until is None


def test_a_completed_checkout_puts_the_cooperative_on_the_plan(
    platform, db, tenants, stripe_gateway
):
    with db.platform_session() as session:
        billing.sync_prices(session, stripe_gateway)
        customer = stripe_gateway.create_customer(
            tenant_id=tenants.a.tenant.id, name="A", email=None
        )
        session.add(
            Subscription(
                tenant_id=tenants.a.tenant.id,
                plan=queries.get_plan(session, "gratis"),
                stripe_customer_id=customer,
                cancel_at_period_end=False,
            )
        )
        session.commit()
    # Stripe's Checkout made the subscription; the webhook is how we hear of it.
    made = stripe_gateway.create_subscription(customer, "guyub-koperasi-year")
    completed = {
        "object": "checkout.session",
        "customer": customer,
        "subscription": made.id,
        "client_reference_id": str(tenants.a.tenant.id),
    }
    assert deliver(platform, event("checkout.session.completed", completed)).status_code == 200
    subscription = row(db, tenants)
    assert (subscription.plan.code, subscription.period, subscription.status) == (
        "koperasi",
        "year",
        "active",
    )


def test_a_deleted_subscription_leaves_the_free_plan_and_keeps_the_row(
    platform, db, tenants, subscribed, stripe_gateway
):
    stripe_gateway.client.v1.subscriptions.cancel(subscribed.stripe_subscription_id)
    deliver(platform, event("customer.subscription.deleted", subscription_object(subscribed)))
    assert row(db, tenants).status == "canceled"
    with db.platform_session() as session:
        terms = queries.terms_for(session, tenants.a.tenant.id)
    assert (terms.plan.code, terms.paused) == ("gratis", False)


def test_stripe_unreachable_while_handling_records_nothing_so_the_retry_applies(
    app, platform, db, tenants, subscribed, stripe_gateway
):
    payload = event("customer.subscription.updated", subscription_object(subscribed))
    app.extensions["guyub.billing"] = StripeGateway(
        API_KEY, WEBHOOK_SECRET, api_base=f"http://127.0.0.1:{free_port()}", local=True
    )
    assert deliver(platform, payload).status_code == 503
    assert events_recorded(db) == 0
    app.extensions["guyub.billing"] = stripe_gateway
    assert deliver(platform, payload).json == {"outcome": "applied"}


def test_the_webhook_is_not_served_on_a_cooperative_host(alpha, subscribed):
    payload = event("invoice.paid", {"object": "invoice", "customer": "cus_x"})
    assert deliver(alpha, payload).status_code == 404


def test_the_start_of_the_grace_queues_one_notice_to_the_chair_and_the_treasurer(
    app, platform, db, tenants, subscribed, stripe_gateway, outbox, monkeypatch
):
    stripe_gateway.set_test_card(subscribed.stripe_customer_id, "pm_card_chargeCustomerFail")
    stripe_gateway.client.v1.subscriptions.update(
        subscribed.stripe_subscription_id, params={"items": [{"plan": "guyub-koperasi-year"}]}
    )
    failed = {
        "object": "invoice",
        "customer": subscribed.stripe_customer_id,
        "subscription": subscribed.stripe_subscription_id,
    }
    first = deliver(platform, event("invoice.payment_failed", failed))
    again = deliver(platform, event("invoice.payment_failed", failed))  # Stripe's retry
    assert (first.json, again.json) == ({"outcome": "grace_started"}, {"outcome": "applied"})
    with db.platform_session() as session:
        queued = session.scalars(
            sql("SELECT args FROM procrastinate_jobs WHERE task_name = :task"),
            {"task": "saas.jobs.send_grace_notice"},
        ).all()
    assert queued == [{"tenant_id": tenants.a.tenant.id}]
    monkeypatch.setattr(saas.jobs, "flask_app", lambda: app)
    assert saas.jobs.send_grace_notice(**queued[0]) == 2
    assert sorted(address for message in outbox for address in message["to"]) == [
        "ana@kopalpha.id",
        "bambang@kopalpha.id",
    ]
    assert "Perbarui kartu sebelum" in outbox[0]["data"]  # the cooperative's language
    assert "http://alpha.localhost/kelola/langganan" in outbox[0]["data"]


def test_with_billing_off_the_webhook_is_not_there(app, platform, db):
    assert app.extensions["guyub.billing"] is None
    payload = event("invoice.paid", {"object": "invoice", "customer": "cus_x"})
    assert deliver(platform, payload).status_code == 404
    assert events_recorded(db) == 0
