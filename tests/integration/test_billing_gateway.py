"""The production calls localstripe does not serve (Checkout, the billing portal), checked at the
adapter's boundary: the real SDK talks to a small HTTP server that answers with Stripe's
recorded responses and keeps what it was sent."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from saas.billing.stripe_gateway import GatewayError, StripeGateway, to_stripe_amount

RECORDED = Path(__file__).resolve().parents[1] / "stripe_responses"
ANSWERS = {
    "/v1/checkout/sessions": (200, "checkout_session.json"),
    "/v1/billing_portal/sessions": (200, "billing_portal_session.json"),
}


class Replay(BaseHTTPRequestHandler):
    """Answers each known path with its recorded JSON; Stripe's own 404 error otherwise."""

    received: list[tuple[str, dict[str, list[str]]]]
    answers: dict[str, tuple[int, str]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.received.append((self.path, parse_qs(body)))
        status, name = self.answers.get(self.path, (404, "error_no_such_price.json"))
        payload = (RECORDED / name).read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args: object) -> None:
        pass  # quiet


@pytest.fixture
def replayed() -> Iterator[tuple[StripeGateway, list[tuple[str, dict[str, list[str]]]]]]:
    """A production-mode gateway whose API is the replaying server, and what it received."""
    received: list[tuple[str, dict[str, list[str]]]] = []
    handler = type("Handler", (Replay,), {"received": received, "answers": dict(ANSWERS)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield StripeGateway("sk_test_recorded", "whsec_recorded", api_base=base), received
    server.shutdown()
    server.server_close()


def test_checkout_starts_a_subscription_session_that_returns_to_the_cooperative(replayed):
    gateway, received = replayed
    url = gateway.create_checkout_session(
        customer_id="cus_T1x2y3z4",
        price_id="guyub-koperasi-month",
        tenant_id=1,
        success_url="http://alpha.localhost/kelola/langganan?selesai=1",
        cancel_url="http://alpha.localhost/kelola/langganan",
    )
    assert url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    path, sent = received[0]
    assert path == "/v1/checkout/sessions"
    assert sent["mode"] == ["subscription"]
    assert sent["customer"] == ["cus_T1x2y3z4"]
    assert sent["client_reference_id"] == ["1"]
    assert sent["line_items[0][price]"] == ["guyub-koperasi-month"]
    assert sent["success_url"] == ["http://alpha.localhost/kelola/langganan?selesai=1"]
    assert sent["cancel_url"] == ["http://alpha.localhost/kelola/langganan"]


def test_the_card_is_changed_in_stripe_billing_portal(replayed):
    gateway, received = replayed
    url = gateway.create_portal_session(
        customer_id="cus_T1x2y3z4", return_url="http://alpha.localhost/kelola/langganan"
    )
    assert url.startswith("https://billing.stripe.com/p/session/")
    assert received == [
        (
            "/v1/billing_portal/sessions",
            {
                "customer": ["cus_T1x2y3z4"],
                "return_url": ["http://alpha.localhost/kelola/langganan"],
            },
        )
    ]


def test_a_refusal_from_stripe_becomes_a_gateway_error(replayed):
    gateway, received = replayed
    with pytest.raises(GatewayError, match="subscription"):
        gateway.set_cancel_at_period_end("sub_missing", True)
    assert received[0][0] == "/v1/subscriptions/sub_missing"


def test_rupiah_become_hundredths_only_at_stripe():
    assert to_stripe_amount(150_000) == 15_000_000
