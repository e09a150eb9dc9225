"""The officer's commonest task on a phone, in Indonesian: a member's mandatory savings from the
home page to the receipt in at most three taps, with nothing wider than the screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, LiveServer

pytestmark = pytest.mark.browser

SLUG = "demo"


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_wajib_payment_takes_at_most_three_taps_from_the_officers_home(
    live_server: LiveServer, phone: Page
):
    phone.goto(live_server.url(SLUG, "/bahasa/id?next=/masuk"))
    phone.locator("#identifier").fill("bendahara@sukamaju.id")
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Masuk", exact=True).click()
    expect(phone).to_have_url(re.compile(r"/kelola$"))
    assert fits_the_screen(phone)
    search = phone.locator("form[role=search]").first
    expect(search).to_be_in_viewport()  # at the top of the home, no scrolling
    taps = 0
    phone.locator("#payer").fill("Dadang")
    search.locator("button[type=submit]").click()
    taps += 1
    if "/bayar" in phone.url:  # more than one match: pick the member
        phone.get_by_role("link", name=re.compile("Dadang")).first.click()
        taps += 1
    expect(phone).to_have_url(re.compile(r"/simpanan$"))
    assert fits_the_screen(phone)
    pay_in = phone.locator("form[action$='/setor']")
    expect(pay_in.locator("input[name='setor-months']:checked")).to_have_count(1)
    pay_in.get_by_role("button", name="Catat setoran", exact=True).click()
    taps += 1
    expect(phone).to_have_url(re.compile(r"/kuitansi/"))
    expect(phone.locator("main")).to_contain_text("Simpanan wajib")
    assert taps <= 3
    assert phone.console_errors == []  # type: ignore[attr-defined]
