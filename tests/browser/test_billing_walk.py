"""The demo's treasurer upgrades to the paid plan and downgrades again, on a phone, in test mode
against localstripe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from saas.billing.local_stripe import API_KEY, WEBHOOK_SECRET
from saas.billing.stripe_gateway import StripeGateway
from tests.browser.conftest import DEMO_PASSWORD, LiveServer
from tests.browser.test_sign_in import assert_fits_the_phone

pytestmark = pytest.mark.browser


@pytest.fixture
def billing_on(live_server: LiveServer, localstripe_url: str) -> Iterator[None]:
    app = live_server.app
    before = app.extensions.get("guyub.billing")
    app.extensions["guyub.billing"] = StripeGateway(
        API_KEY, WEBHOOK_SECRET, api_base=localstripe_url, local=True
    )
    yield
    app.extensions["guyub.billing"] = before


def test_the_treasurer_upgrades_and_downgrades_on_a_phone(
    phone: Page, live_server: LiveServer, billing_on: None
):
    phone.goto(live_server.url("demo", "/masuk"))
    phone.get_by_role("link", name="EN", exact=True).click()
    phone.locator("#identifier").fill("bendahara@sukamaju.id")
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.get_by_role("link", name="Plan and billing").click()
    # A programme sponsors the demo's plan; the cooperative may still pay for its own.
    expect(phone.get_by_role("heading", level=2, name="Current plan: Koperasi")).to_be_visible()
    expect(
        phone.get_by_text("Program Koperasi Desa Merah Putih pays for this plan.")
    ).to_be_visible()
    expect(phone.get_by_text("Test mode: no real money moves.")).to_be_visible()
    assert_fits_the_phone(phone)

    phone.get_by_label("Yearly").check()
    phone.get_by_role("button", name="Upgrade").click()
    expect(phone.get_by_role("heading", level=2, name="Current plan: Koperasi")).to_be_visible()
    expect(phone.get_by_text("Next invoice: Rp1,500,000 on")).to_be_visible()
    assert_fits_the_phone(phone)

    phone.get_by_role("button", name="Downgrade to Gratis at the period's end").click()
    expect(phone.get_by_text("The paid plan ends on")).to_be_visible()
    phone.get_by_role("button", name="Keep the paid plan").click()
    expect(phone.get_by_text("Next invoice: Rp1,500,000 on")).to_be_visible()
    assert phone.console_errors == []  # type: ignore[attr-defined]


def test_the_billing_page_reads_in_indonesian_on_a_phone(
    phone: Page, live_server: LiveServer, billing_on: None
):
    phone.goto(live_server.url("demo", "/masuk"))
    phone.locator("#identifier").fill("ketua@sukamaju.id")
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Masuk").click()
    phone.goto(live_server.url("demo", "/kelola/langganan"))
    expect(phone.get_by_role("heading", level=1, name="Paket dan tagihan")).to_be_visible()
    expect(phone.get_by_role("heading", level=2, name="Paket saat ini: Koperasi")).to_be_visible()
    expect(phone.get_by_text("Mode uji: tidak ada uang sungguhan yang berpindah.")).to_be_visible()
    assert_fits_the_phone(phone)
    assert phone.console_errors == []  # type: ignore[attr-defined]
