"""The demo's treasurer upgrades to the paid plan and downgrades again, and lives through a failed
payment's grace period to the pause of the extras, on a phone, in test mode against
localstripe."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, func, select

from saas import clock
from saas.billing.local_stripe import API_KEY, WEBHOOK_SECRET
from saas.billing.models import Sponsorship, Subscription
from saas.billing.rules import GRACE_PERIOD
from saas.billing.stripe_gateway import StripeGateway
from saas.tenants.models import Tenant
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


@pytest.fixture
def unsponsored(live_server: LiveServer) -> Iterator[datetime]:
    """The day after the demo's sponsorship ends, with no subscription of its own: the plan is
    the cooperative's to pay for (a subscription other walks left is taken away, before and
    after)."""
    databases = live_server.app.extensions["guyub.databases"]

    def forget_subscription() -> None:
        with databases.platform_session() as session:
            demo = session.scalar(select(Tenant.id).where(Tenant.slug == "demo"))
            session.execute(delete(Subscription).where(Subscription.tenant_id == demo))
            session.commit()

    forget_subscription()
    with databases.platform_session() as session:
        ends_on = session.scalar(select(func.max(Sponsorship.ends_on)))
    assert ends_on is not None, "the demo is sponsored"
    yield datetime.combine(ends_on + timedelta(days=2), time(3), UTC)  # 10:00 in WIB
    forget_subscription()


def test_a_failed_payment_brings_the_grace_and_then_pauses_only_the_extras_on_a_phone(
    phone: Page, live_server: LiveServer, billing_on: None, unsponsored: datetime
):
    with clock.frozen(unsponsored):
        phone.goto(live_server.url("demo", "/masuk"))
        phone.get_by_role("link", name="EN", exact=True).click()
        phone.locator("#identifier").fill("bendahara@sukamaju.id")
        phone.locator("#password").fill(DEMO_PASSWORD)
        phone.get_by_role("button", name="Sign in").click()
        phone.goto(live_server.url("demo", "/kelola/langganan"))
        expect(phone.get_by_role("heading", level=2, name="Current plan: Gratis")).to_be_visible()
        phone.get_by_label("Monthly").check()
        phone.get_by_role("button", name="Upgrade").click()
        expect(phone.get_by_text("Next invoice: Rp150,000 on")).to_be_visible()

        # The card starts failing; the switch to yearly is charged at once, and fails.
        phone.get_by_label("Card").select_option("pm_card_chargeCustomerFail")
        phone.get_by_role("button", name="Update the card").click()
        expect(phone.get_by_text("The card is changed (test mode).")).to_be_visible()
        phone.get_by_label("Yearly").check()
        phone.get_by_role("button", name="Change how the plan is billed").click()
        expect(phone.get_by_text("The last payment failed. Update the card before")).to_be_visible()
        expect(phone.get_by_text("Days of grace left: 7.")).to_be_visible()
        expect(phone.get_by_role("heading", level=2, name="Current plan: Koperasi")).to_be_visible()
        assert_fits_the_phone(phone)

        with clock.frozen(unsponsored + GRACE_PERIOD + timedelta(hours=1)):
            phone.reload()
            expect(phone.get_by_text("the paid plan's extras are paused")).to_be_visible()
            expect(
                phone.get_by_role("heading", level=2, name="Current plan: Gratis")
            ).to_be_visible()
            assert_fits_the_phone(phone)
            # A new product is an extra: refused with the way back, nothing written.
            phone.goto(live_server.url("demo", "/kelola/gerai/2/produk/baru"))
            phone.get_by_label("Barcode or code").fill("8990001112223")
            phone.get_by_label("Name").fill("Kopi Bubuk Sukamaju")
            phone.get_by_label("Unit of measure (pcs, kg, sack…)").fill("pcs")
            phone.get_by_label("Selling price in rupiah").fill("12000")
            phone.get_by_role("button", name="Save").click()
            expect(
                phone.get_by_role("heading", name="This needs the Koperasi plan")
            ).to_be_visible()
            expect(phone.get_by_text("New shop products need the Koperasi plan.")).to_be_visible()
            assert_fits_the_phone(phone)
            # What the cooperative has stays: its products list and its statements open.
            phone.goto(live_server.url("demo", "/kelola/gerai/2/produk"))
            expect(phone.get_by_text("Kopi Bubuk Sukamaju")).to_have_count(0)
            response = phone.goto(live_server.url("demo", "/kelola/laporan/arus-kas"))
            assert response is not None
            assert response.status == 200

            # The card is updated; Stripe's next attempt pays and the extras come back.
            phone.goto(live_server.url("demo", "/kelola/langganan"))
            phone.get_by_label("Card").select_option("pm_card_visa")
            phone.get_by_role("button", name="Update the card").click()
            expect(phone.get_by_text("The card is changed (test mode).")).to_be_visible()
    errors: list[str] = phone.console_errors  # type: ignore[attr-defined]
    # The refused product answered 402, as it should; nothing else may fail.
    assert [error for error in errors if "status of 402" not in error] == []
