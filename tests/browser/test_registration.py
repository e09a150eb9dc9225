"""A new cooperative registers itself on a phone, with htmx doing the lists and checks."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_register_a_cooperative_on_a_phone_and_land_signed_in(phone: Page, live_server: LiveServer):
    phone.goto(live_server.url(None, "/bahasa/en?next=/daftar"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Where is your cooperative?")
    phone.select_option("#provinsi", label="Jawa Barat")
    phone.select_option("#kabupaten", label="Kabupaten Sukabumi")  # appears without a reload
    phone.select_option("#kecamatan", index=1)
    first_village = phone.locator("input[name=village]").first
    first_village.check()
    phone.get_by_role("button", name="Continue").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Your cooperative")
    name = phone.locator("#name").input_value()
    assert name.startswith("Koperasi Desa Merah Putih ")
    phone.locator("#slug").fill("taken")
    phone.locator("#slug").fill("demo")
    expect(phone.locator("#slug-status")).to_contain_text("already used")
    phone.locator("#slug").fill("kdmp-browser")
    expect(phone.locator("#slug-status")).to_contain_text("is free")
    phone.locator("#sk_ahu_number").fill("AHU-0001234.AH.01.29.TAHUN 2025")
    phone.locator("#sk_ahu_date").fill("2025-08-17")
    phone.locator("#npwp").fill("01.300.066.6-091.000")
    phone.locator("#nib").fill("1234567890123")
    phone.get_by_role("button", name="Continue").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("About you")
    phone.locator("#name").fill("Rini Pendiri")
    phone.locator("#email").fill("rini@kdmpbrowser.id")
    phone.locator("#phone").fill("0812 3456 7002")
    phone.locator("#password").fill("jagung-manis-2026")
    phone.locator("#confirm").fill("jagung-manis-2026")
    phone.get_by_role("button", name="Create my cooperative").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Rini Pendiri")
    assert phone.url == live_server.url("kdmp-browser", "/kelola")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.console_errors == []  # type: ignore[attr-defined]
