"""The only code that writes plans' Stripe prices, subscriptions and handled Stripe events.

Nothing changes here unless Stripe has done its part first: a failed call raises before any
row is written, so the caller's rollback leaves everything as it was.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from saas import clock
from saas.billing import queries
from saas.billing.models import PlanPrice, StripeEvent, Subscription
from saas.billing.rules import FAILING_STATUSES, FREE_PLAN, PAID_STATUSES, grace_ends
from saas.billing.stripe_gateway import GatewayError, StripeGateway, SubscriptionState

log = logging.getLogger(__name__)

# Every one of these is answered the same way: the subscription is read back from Stripe.
SUBSCRIPTION_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_failed",
    }
)


# A subscription whose period may change: not one whose payment is failing (the card first).
LIVE_STATUSES = frozenset({"active", "trialing"})


class BillingError(Exception):
    """A billing change refused; ``code`` picks the message shown."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def stripe_price_id(price: PlanPrice) -> str:
    """The id our price has at Stripe: stable, so creating it twice finds the first."""
    return f"guyub-{price.plan.code}-{price.period}"


def ensure_stripe_price(session: Session, gateway: StripeGateway, price: PlanPrice) -> str:
    """The price's Stripe id, creating the recurring price at Stripe on first use."""
    if price.stripe_price_id is None:
        price.stripe_price_id = gateway.ensure_price(
            stripe_price_id(price),
            product=f"Guyub {price.plan.name}",
            rupiah=price.amount,
            period=price.period,
        )
        session.flush()
    return price.stripe_price_id


def sync_prices(session: Session, gateway: StripeGateway) -> int:
    """Give every price its Stripe price; how many were missing."""
    missing = list(session.scalars(select(PlanPrice).where(PlanPrice.stripe_price_id.is_(None))))
    for price in missing:
        ensure_stripe_price(session, gateway, price)
    return len(missing)


def _ensure_customer(
    session: Session, gateway: StripeGateway, *, tenant_id: int, name: str, email: str | None
) -> Subscription:
    """The cooperative's row, made with its Stripe customer the first time."""
    subscription = queries.get_subscription(session, tenant_id)
    if subscription is not None:
        return subscription
    customer_id = gateway.create_customer(tenant_id=tenant_id, name=name, email=email)
    subscription = Subscription(
        tenant_id=tenant_id,
        plan=queries.get_plan(session, FREE_PLAN),
        stripe_customer_id=customer_id,
        cancel_at_period_end=False,
    )
    session.add(subscription)
    session.flush()
    return subscription


def start_paid_plan(
    session: Session,
    gateway: StripeGateway,
    *,
    tenant_id: int,
    name: str,
    email: str | None,
    price: PlanPrice,
    success_url: str,
    cancel_url: str,
) -> str | None:
    """Start ``price``'s plan: the Checkout address to send the officer to, or None in test
    mode, where the subscription starts at once with Stripe's test card."""
    current = queries.get_subscription(session, tenant_id)
    if current is not None and current.status in PAID_STATUSES:
        raise BillingError("already_subscribed")
    try:
        price_id = ensure_stripe_price(session, gateway, price)
        subscription = _ensure_customer(
            session, gateway, tenant_id=tenant_id, name=name, email=email
        )
        if not gateway.local:
            return gateway.create_checkout_session(
                customer_id=subscription.stripe_customer_id,
                price_id=price_id,
                tenant_id=tenant_id,
                success_url=success_url,
                cancel_url=cancel_url,
            )
        state = gateway.create_subscription(subscription.stripe_customer_id, price_id)
    except GatewayError as exc:
        raise BillingError("unavailable") from exc
    apply_state(session, subscription, state)
    return None


def set_cancel_at_period_end(
    session: Session, gateway: StripeGateway, tenant_id: int, *, cancel: bool
) -> Subscription:
    """Cancel the paid plan at the end of the period already paid for, or take that back."""
    subscription = queries.get_subscription(session, tenant_id)
    if subscription is None or subscription.status not in PAID_STATUSES:
        raise BillingError("not_subscribed")
    assert subscription.stripe_subscription_id is not None  # a status comes with its id
    try:
        state = gateway.set_cancel_at_period_end(subscription.stripe_subscription_id, cancel)
    except GatewayError as exc:
        raise BillingError("unavailable") from exc
    apply_state(session, subscription, state)
    return subscription


def change_period(session: Session, gateway: StripeGateway, tenant_id: int, period: str) -> bool:
    """Bill the paid plan monthly or yearly from now on; Stripe prorates what was paid and
    charges the difference at once. True when that charge failed and began the grace period
    (the officers are then told, as when Stripe reports it)."""
    subscription = queries.get_subscription(session, tenant_id)
    if subscription is None or subscription.status not in LIVE_STATUSES:
        raise BillingError("not_subscribed")
    if subscription.period == period:
        raise BillingError("same_period")
    assert subscription.stripe_subscription_id is not None  # a status comes with its id
    price = queries.get_price(session, subscription.plan.code, period)
    if price is None:
        raise BillingError("unavailable")
    try:
        price_id = ensure_stripe_price(session, gateway, price)
        state = gateway.change_price(subscription.stripe_subscription_id, price_id)
    except GatewayError as exc:
        raise BillingError("unavailable") from exc
    return apply_state(session, subscription, state)


def change_card(
    session: Session,
    gateway: StripeGateway,
    tenant_id: int,
    *,
    return_url: str,
    test_card: str | None = None,
) -> str | None:
    """Where the cooperative changes its card (Stripe's billing portal), or None in test mode,
    where ``test_card`` (one of Stripe's test cards) becomes the card at once."""
    subscription = queries.get_subscription(session, tenant_id)
    if subscription is None:
        raise BillingError("not_subscribed")
    try:
        if not gateway.local:
            return gateway.create_portal_session(
                customer_id=subscription.stripe_customer_id, return_url=return_url
            )
        gateway.set_test_card(subscription.stripe_customer_id, test_card or "pm_card_visa")
    except GatewayError as exc:
        raise BillingError("unavailable") from exc
    return None


def apply_state(session: Session, subscription: Subscription, state: SubscriptionState) -> bool:
    """Copy the subscription as Stripe holds it now; a failing payment starts the grace.

    True when this started a grace period (the officers are then told)."""
    grace_before = subscription.grace_until
    price = queries.get_price_by_stripe_id(session, state.price_id)
    if price is not None:
        subscription.plan_id, subscription.period = price.plan_id, price.period
    subscription.stripe_subscription_id = state.id
    subscription.status = state.status
    subscription.current_period_end = state.current_period_end
    subscription.cancel_at_period_end = state.cancel_at_period_end
    if state.status in FAILING_STATUSES:
        subscription.grace_until = grace_ends(clock.now(), subscription.grace_until)
    else:
        subscription.grace_until = None
    session.flush()
    session.expire(subscription, ["plan"])
    return grace_before is None and subscription.grace_until is not None


def record_event(session: Session, event_id: str, event_type: str) -> bool:
    """Note the event as handled; False when it was already (a replay, or a twin delivery
    that waited on this row's lock until the first committed)."""
    inserted = session.execute(
        insert(StripeEvent)
        .values(id=event_id, type=event_type, received_at=clock.now())
        .on_conflict_do_nothing(index_elements=[StripeEvent.id])
        .returning(StripeEvent.id)
    ).scalar_one_or_none()
    return inserted is not None


def handle_event(session: Session, gateway: StripeGateway, event: dict[str, Any]) -> str:
    """Apply one verified webhook event once; what became of it ("grace_started" when a failed
    payment began the grace period).

    The event says only that something changed: the state is read back from Stripe, so events
    arriving late or out of order leave the latest state. Raises GatewayError when Stripe cannot
    be reached (nothing is recorded, and Stripe delivers the event again)."""
    if not record_event(session, event["id"], event["type"]):
        return "duplicate"
    if event["type"] not in SUBSCRIPTION_EVENTS:
        return "ignored"
    obj = event["data"]["object"]
    subscription = queries.get_subscription_by_customer(session, _customer_of(obj))
    if subscription is None:
        log.warning("stripe event %s for an unknown customer %s", event["id"], _customer_of(obj))
        return "unknown_customer"
    subscription_id = _subscription_of(obj) or subscription.stripe_subscription_id
    if subscription_id is None:
        return "ignored"
    if apply_state(session, subscription, gateway.retrieve_subscription(subscription_id)):
        return "grace_started"
    return "applied"


def customer_of(event: dict[str, Any]) -> str:
    """The Stripe customer an event is about."""
    return _customer_of(event["data"]["object"])


def _customer_of(obj: dict[str, Any]) -> str:
    customer = obj.get("customer") or ""
    return customer if isinstance(customer, str) else str(customer.get("id", ""))


def _subscription_of(obj: dict[str, Any]) -> str | None:
    """The subscription an event's object names: itself, or the one it belongs to."""
    if obj.get("object") == "subscription":
        return str(obj["id"])
    named = obj.get("subscription")
    if named is None:  # invoices of newer API versions name it under ``parent``
        details = (obj.get("parent") or {}).get("subscription_details") or {}
        named = details.get("subscription")
    if isinstance(named, dict):
        named = named.get("id")
    return str(named) if named else None
