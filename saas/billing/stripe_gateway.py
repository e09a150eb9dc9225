"""Stripe behind one small interface: the only module that imports ``stripe``.

Amounts cross this boundary in whole rupiah; Stripe counts IDR in hundredths (rupiah times 100).
Prices are created as Stripe Plan objects, which Stripe accepts wherever a price id goes (and
which localstripe, the development server, serves).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

log = logging.getLogger(__name__)

CURRENCY = "idr"
TEST_CARD = "pm_card_visa"  # Stripe's test card; localstripe turns it into a card that pays


class GatewayError(Exception):
    """Stripe could not be reached or refused the request; nothing changed on our side."""


@dataclass(frozen=True)
class SubscriptionState:
    """A subscription as Stripe holds it now."""

    id: str
    customer_id: str
    status: str
    price_id: str | None
    current_period_end: datetime | None
    cancel_at_period_end: bool


@dataclass(frozen=True)
class InvoiceLine:
    """An invoice as the billing page lists it, in whole rupiah."""

    id: str
    number: str | None
    status: str
    amount: int
    created: datetime | None
    hosted_url: str | None
    pdf_url: str | None


@dataclass(frozen=True)
class NextInvoice:
    """What Stripe will charge next for a subscription, and when, in whole rupiah."""

    amount: int
    due: datetime | None


def to_stripe_amount(rupiah: int) -> int:
    """IDR is a two-decimal currency at Stripe."""
    return rupiah * 100


def from_stripe_amount(amount: int) -> int:
    return amount // 100


def _moment(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


class StripeGateway:
    """Customers, prices, subscriptions, invoices, Checkout and the card, through one client.

    ``local`` is localstripe's test mode: Checkout and the billing portal are not served there,
    so a subscription starts at once with Stripe's test card."""

    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        *,
        api_base: str | None = None,
        local: bool = False,
    ) -> None:
        # The SDK (with its async HTTP stack) loads only where billing is on: a web worker of a
        # server without Stripe keys never carries it (budget P5).
        import stripe  # noqa: PLC0415

        self.stripe = stripe
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else {},
            max_network_retries=0,
        )
        self.webhook_secret = webhook_secret
        self.local = local
        # The SDK logs every request at INFO; the access log already tells what happened.
        logging.getLogger("stripe").setLevel(logging.WARNING)

    def _call(self, action: str, request: Any) -> Any:
        """Run one request; any Stripe failure becomes a GatewayError that names the action."""
        try:
            return request()
        except self.stripe.StripeError as exc:
            log.warning("stripe %s failed: %s", action, exc)
            raise GatewayError(action) from exc

    # -- prices ---------------------------------------------------------------------------

    def ensure_price(self, price_id: str, *, product: str, rupiah: int, period: str) -> str:
        """The recurring price ``price_id`` (a Plan object), created if Stripe lacks it."""
        try:
            return str(self.client.v1.plans.retrieve(price_id).id)
        except self.stripe.InvalidRequestError:
            pass  # not there yet
        except self.stripe.StripeError as exc:
            raise GatewayError("price") from exc
        params = {
            "id": price_id,
            "amount": to_stripe_amount(rupiah),
            "currency": CURRENCY,
            "interval": period,
            "product": {"name": product},
        }
        plan = self._call("price", lambda: self.client.v1.plans.create(params=cast(Any, params)))
        return str(plan.id)

    # -- customers and subscriptions -------------------------------------------------------

    def create_customer(self, *, tenant_id: int, name: str, email: str | None) -> str:
        params: dict[str, Any] = {"name": name, "metadata": {"tenant_id": str(tenant_id)}}
        if email:
            params["email"] = email
        if self.local:
            params["payment_method"] = TEST_CARD
            params["invoice_settings"] = {"default_payment_method": TEST_CARD}
        customer = self._call(
            "customer", lambda: self.client.v1.customers.create(params=cast(Any, params))
        )
        return str(customer.id)

    def create_subscription(self, customer_id: str, price_id: str) -> SubscriptionState:
        """Subscribe now (test mode only: in production Checkout does this)."""
        # ``plan`` rather than ``price``: the same id, and localstripe knows only this one.
        params = {"customer": customer_id, "items": [{"plan": price_id}]}
        subscription = self._call(
            "subscription", lambda: self.client.v1.subscriptions.create(params=cast(Any, params))
        )
        return self._state(subscription)

    def retrieve_subscription(self, subscription_id: str) -> SubscriptionState:
        subscription = self._call(
            "subscription", lambda: self.client.v1.subscriptions.retrieve(subscription_id)
        )
        return self._state(subscription)

    def set_cancel_at_period_end(self, subscription_id: str, cancel: bool) -> SubscriptionState:
        params = {"cancel_at_period_end": cancel}
        subscription = self._call(
            "subscription",
            lambda: self.client.v1.subscriptions.update(subscription_id, params=cast(Any, params)),
        )
        return self._state(subscription)

    def change_price(self, subscription_id: str, price_id: str) -> SubscriptionState:
        """Swap the subscription's one item to ``price_id``, prorated as Stripe does by default
        (a change of interval is invoiced at once, crediting the unused time)."""
        current = self._call(
            "subscription", lambda: self.client.v1.subscriptions.retrieve(subscription_id)
        )
        item_id = current.to_dict()["items"]["data"][0]["id"]
        params = {"items": [{"id": item_id, "plan": price_id}]}
        subscription = self._call(
            "subscription",
            lambda: self.client.v1.subscriptions.update(subscription_id, params=cast(Any, params)),
        )
        return self._state(subscription)

    def set_test_card(self, customer_id: str, payment_method: str) -> None:
        """Test mode's card update: one of Stripe's test cards becomes the default."""
        self._call(
            "card",
            lambda: self.client.v1.payment_methods.attach(
                payment_method, params={"customer": customer_id}
            ),
        )
        params = {"invoice_settings": {"default_payment_method": payment_method}}
        self._call(
            "card",
            lambda: self.client.v1.customers.update(customer_id, params=cast(Any, params)),
        )

    def list_invoices(self, customer_id: str, limit: int = 24) -> list[InvoiceLine]:
        params = {"customer": customer_id, "limit": limit}
        page = self._call(
            "invoices", lambda: self.client.v1.invoices.list(params=cast(Any, params))
        )
        return [self._invoice(invoice.to_dict()) for invoice in page.data]

    def next_invoice(self, customer_id: str, subscription_id: str) -> NextInvoice:
        """Stripe's preview of the subscription's next invoice: prorations and credits
        included, as the customer will be charged."""
        params = {"customer": customer_id, "subscription": subscription_id}
        preview = self._call(
            "next_invoice",
            lambda: self.client.v1.invoices.create_preview(params=cast(Any, params)),
        ).to_dict()
        due = preview.get("next_payment_attempt") or preview.get("period_end")
        return NextInvoice(from_stripe_amount(int(preview.get("amount_due") or 0)), _moment(due))

    # -- hosted pages (production) ---------------------------------------------------------

    def create_checkout_session(
        self,
        *,
        customer_id: str,
        price_id: str,
        tenant_id: int,
        success_url: str,
        cancel_url: str,
    ) -> str:
        """The address of Stripe Checkout for a subscription to ``price_id``."""
        params = {
            "mode": "subscription",
            "customer": customer_id,
            "client_reference_id": str(tenant_id),
            "line_items": [{"price": price_id, "quantity": 1}],
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        session = self._call(
            "checkout", lambda: self.client.v1.checkout.sessions.create(params=cast(Any, params))
        )
        return str(session.url)

    def create_portal_session(self, *, customer_id: str, return_url: str) -> str:
        """The address of Stripe's billing portal, where the cooperative changes its card."""
        params = {"customer": customer_id, "return_url": return_url}
        session = self._call(
            "portal",
            lambda: self.client.v1.billing_portal.sessions.create(params=cast(Any, params)),
        )
        return str(session.url)

    # -- webhooks --------------------------------------------------------------------------

    def read_event(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The event a webhook carries, once its signature and timestamp are checked.

        Raises ValueError on a bad, missing or stale signature or a body that is not JSON."""
        try:
            event = self.stripe.Webhook.construct_event(payload, signature, self.webhook_secret)
        except self.stripe.SignatureVerificationError as exc:
            raise ValueError("signature") from exc
        return cast(dict[str, Any], event.to_dict())

    # -- shapes ----------------------------------------------------------------------------

    @staticmethod
    def _state(subscription: Any) -> SubscriptionState:
        data = subscription.to_dict()
        items = (data.get("items") or {}).get("data") or [{}]
        item = items[0]
        price = item.get("price") or item.get("plan") or {}
        # Newer API versions keep the period on the item, older ones on the subscription.
        period_end = data.get("current_period_end") or item.get("current_period_end")
        customer = data["customer"]
        return SubscriptionState(
            id=data["id"],
            customer_id=customer if isinstance(customer, str) else customer["id"],
            status=data["status"],
            price_id=price.get("id"),
            current_period_end=_moment(period_end),
            cancel_at_period_end=bool(data.get("cancel_at_period_end")),
        )

    @staticmethod
    def _invoice(data: dict[str, Any]) -> InvoiceLine:
        return InvoiceLine(
            id=data["id"],
            number=data.get("number"),
            status=data.get("status") or "open",
            amount=from_stripe_amount(int(data.get("amount_due") or 0)),
            created=_moment(data.get("created") or data.get("date")),
            hosted_url=data.get("hosted_invoice_url"),
            pdf_url=data.get("invoice_pdf"),
        )


def gateway_from_settings(api_key: str, webhook_secret: str, api_base: str) -> StripeGateway | None:
    """The gateway the settings describe, or None (billing off) with one line saying why."""
    if not api_key or not webhook_secret:
        log.warning("billing is off: set STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET to turn it on")
        return None
    return StripeGateway(api_key, webhook_secret, api_base=api_base or None, local=bool(api_base))
