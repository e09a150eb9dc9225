"""A supervisor of the demo cooperative writes a note in the registers and reads the members'
book, on a phone, in Indonesian."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, LiveServer

pytestmark = pytest.mark.browser


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"


def test_a_supervisor_writes_a_note_and_reads_the_members_book(
    phone: Page, live_server: LiveServer
):
    phone.goto(live_server.url("demo", "/masuk"))
    phone.locator("#identifier").fill("pengawas@sukamaju.id")
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Masuk").click()
    phone.get_by_role("link", name="Buku wajib").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Buku wajib")
    assert_fits_the_phone(phone)

    phone.get_by_role("link", name="Catatan pengawas").click()
    phone.get_by_role("link", name="Tambah catatan").click()
    phone.locator("#name").fill("Pemeriksaan kas Desember")
    phone.locator("#body").fill("Saldo kas cocok dengan buku kas.")
    assert_fits_the_phone(phone)
    phone.get_by_role("button", name="Simpan").click()
    expect(phone.get_by_text("Tersimpan di buku.")).to_be_visible()
    expect(phone.get_by_text("Pemeriksaan kas Desember")).to_be_visible()
    assert_fits_the_phone(phone)

    phone.goto(live_server.url("demo", "/kelola/buku-wajib/anggota"))
    # Other walks add members to the shared demo: whoever is listed first, NIKs show masked.
    book = phone.locator("main")
    expect(book.locator("li").first).to_contain_text("NIK: ")
    expect(book.locator("li").first).to_contain_text("••••••••")
    assert re.search(r"\d{16}", book.inner_text()) is None  # no NIK in full
    assert_fits_the_phone(phone)
