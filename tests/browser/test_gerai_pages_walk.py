"""The demo shop's consignment, unit report and catalogue on a 360 px phone in Indonesian:
nothing wider than the screen and nothing the page's policy refuses."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, LiveServer

pytestmark = pytest.mark.browser

SLUG = "demo"


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_consignment_the_unit_report_and_the_catalogue_fit_a_phone(
    live_server: LiveServer, phone: Page
):
    phone.goto(live_server.url(SLUG, "/bahasa/id?next=/masuk"))
    phone.locator("#identifier").fill("bendahara@sukamaju.id")
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Masuk", exact=True).click()
    expect(phone).to_have_url(re.compile(r"/kelola$"))
    phone.goto(live_server.url(SLUG, "/kelola/gerai"))
    phone.locator("a[href$='/produk']").first.click()
    expect(phone).to_have_url(re.compile(r"/kelola/gerai/\d+/produk$"))
    products = phone.url
    phone.get_by_role("link", name="Titip jual", exact=True).click()
    expect(phone.locator("main")).to_contain_text("Euis Komariah")
    assert fits_the_screen(phone)
    phone.get_by_role("link", name="Euis Komariah").click()
    expect(phone.locator("main")).to_contain_text("Keripik Singkong Euis")
    assert fits_the_screen(phone)
    phone.goto(products)
    phone.get_by_role("link", name="Penjualan dan PHU", exact=True).click()
    expect(phone.locator("main")).to_contain_text("Laba kotor")
    assert fits_the_screen(phone)
    phone.goto(live_server.url(SLUG, "/produk"))
    expect(phone.locator("main")).to_contain_text("Keripik Singkong Euis")
    assert fits_the_screen(phone)
    assert phone.console_errors == []  # type: ignore[attr-defined]
