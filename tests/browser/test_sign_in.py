"""An officer of the demo cooperative signs in, switches language and signs out, on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, LiveServer

pytestmark = pytest.mark.browser

WORDS = {
    "id": {
        "sign_in": "Masuk",
        "hello": "Halo, Siti Rahmawati",
        "sign_out": "Keluar",
        "signed_out": "Anda sudah keluar.",
    },
    "en": {
        "sign_in": "Sign in",
        "hello": "Hello, Siti Rahmawati",
        "sign_out": "Sign out",
        "signed_out": "You have signed out.",
    },
}
OTHER = {"id": "en", "en": "id"}


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_officer_signs_in_switches_language_and_signs_out(
    phone: Page, live_server: LiveServer, lang: str
):
    words = WORDS[lang]
    phone.goto(live_server.url("demo", "/masuk"))
    expect(phone.locator("html")).to_have_attribute("lang", "id")  # the cooperative's default
    if lang == "en":
        phone.get_by_role("link", name="EN", exact=True).click()
        expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("heading", level=1)).to_have_text(words["sign_in"])
    assert_fits_the_phone(phone)

    phone.locator("#identifier").fill("ketua@sukamaju.id")
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name=words["sign_in"]).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(words["hello"])
    assert phone.url.endswith("/kelola")
    assert_fits_the_phone(phone)

    other = WORDS[OTHER[lang]]
    phone.get_by_role("button", name=OTHER[lang].upper(), exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(other["hello"])
    expect(phone.locator("html")).to_have_attribute("lang", OTHER[lang])

    phone.get_by_role("button", name=other["sign_out"]).click()
    expect(phone.get_by_text(other["signed_out"])).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_have_text(other["sign_in"])
    phone.goto(live_server.url("demo", "/kelola"))
    assert "/masuk" in phone.url
    assert phone.console_errors == []  # type: ignore[attr-defined]


def test_wrong_password_shows_the_message_next_to_the_field(phone: Page, live_server: LiveServer):
    phone.goto(live_server.url("demo", "/masuk"))
    phone.locator("#identifier").fill("ketua@sukamaju.id")
    phone.locator("#password").fill("salah-sekali")
    phone.get_by_role("button", name="Masuk").click()
    expect(phone.locator("#password-error")).to_be_visible()
    expect(phone.locator("#password")).to_have_attribute("aria-invalid", "true")
    assert phone.console_errors == []  # type: ignore[attr-defined]


def test_tap_targets_are_at_least_48px(phone: Page, live_server: LiveServer):
    phone.goto(live_server.url("demo", "/masuk"))
    for selector in ("#identifier", "#password", "button[type=submit]", ".lang a"):
        for box in [el.bounding_box() for el in phone.locator(selector).all()]:
            assert box is not None
            assert box["height"] >= 48, selector
