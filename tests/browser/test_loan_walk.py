"""A loan from product to agreement on a phone, in Indonesian: the chair makes a product and
names the supervisor as the second approver, the treasurer applies for a member, the chair and
the supervisor approve, the treasurer pays out and opens the agreement, then takes the first
instalment at the counter and opens its receipt."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, LiveServer
from tests.browser.test_books_walk import SLUG, button, fetch_as, phone_page

pytestmark = pytest.mark.browser


def sign_in(page: Page, live: LiveServer, who: str) -> None:
    page.goto(live.url(SLUG, "/bahasa/id?next=/masuk"))
    page.locator("#identifier").fill(who)
    page.locator("#password").fill(DEMO_PASSWORD)
    button(page, "Masuk")
    expect(page).to_have_url(re.compile(r"/kelola$"))


def fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_loan_from_product_to_the_signed_agreement(browser, live_server: LiveServer):
    chair, chair_errors = phone_page(browser)
    sign_in(chair, live_server, "ketua@sukamaju.id")
    chair.get_by_role("link", name=re.compile("^Pinjaman")).first.click()
    chair.get_by_role("link", name="Produk pinjaman").click()
    chair.get_by_role("link", name="Produk pinjaman baru").click()
    chair.locator("#name").fill("Pinjaman Usaha Mikro")
    chair.locator("#method").select_option("flat")
    chair.locator("#rate").fill("1,5")
    chair.locator("#min_instalments").fill("3")
    chair.locator("#max_instalments").fill("12")
    chair.locator("#min_amount").fill("100000")
    chair.locator("#max_amount").fill("1000000")
    chair.locator("#admin_fee").fill("1")
    chair.locator("#insurance_fee").fill("0")
    chair.locator("#grace_days").fill("3")
    fits_the_phone(chair)
    button(chair, "Simpan")
    expect(chair.get_by_role("link", name=re.compile("^Pinjaman Usaha Mikro"))).to_be_visible()
    chair.goto(live_server.url(SLUG, "/kelola/pinjaman/pengaturan"))
    chair.locator("input[value=ketua]").check()
    chair.locator("input[value=bendahara]").uncheck()
    chair.locator("input[value=pengawas]").check()
    chair.locator("#approvals_required").fill("2")
    button(chair, "Simpan")
    expect(chair.locator("input[value=pengawas]")).to_be_checked()

    treasurer, treasurer_errors = phone_page(browser)
    sign_in(treasurer, live_server, "bendahara@sukamaju.id")
    treasurer.goto(live_server.url(SLUG, "/kelola/pinjaman"))
    treasurer.get_by_role("link", name="Ajukan pinjaman").click()
    treasurer.locator("#borrower").fill("Ani")
    button(treasurer, "Cari anggota")
    treasurer.get_by_role("link", name=re.compile("Ani Lestari")).click()
    treasurer.locator("#product").select_option(label="Pinjaman Usaha Mikro")
    treasurer.locator("#amount").fill("600000")
    treasurer.locator("#instalments").fill("6")
    treasurer.locator("#purpose").fill("Modal warung sembako")
    treasurer.locator("#purpose").blur()  # htmx recalculates on change
    preview = treasurer.locator("#preview")
    expect(preview).to_contain_text("Rp100.750")  # 100,000 principal + 750 (1,5% a year)
    fits_the_phone(treasurer)
    button(treasurer, "Ajukan")
    expect(treasurer.get_by_text("Menunggu persetujuan").first).to_be_visible()
    loan_url = treasurer.url

    chair.goto(loan_url)
    button(chair, "Setujui")
    expect(chair.get_by_text("Persetujuan Anda dicatat.")).to_be_visible()
    supervisor, supervisor_errors = phone_page(browser)
    sign_in(supervisor, live_server, "pengawas@sukamaju.id")
    supervisor.goto(loan_url)
    button(supervisor, "Setujui")
    expect(supervisor.get_by_text("Disetujui, belum dicairkan").first).to_be_visible()

    treasurer.goto(loan_url)
    expect(treasurer.get_by_text("Anggota menerima Rp594.000")).to_be_visible()
    fits_the_phone(treasurer)
    button(treasurer, "Cairkan Rp594.000")
    expect(treasurer.get_by_text("Sudah dicairkan.")).to_be_visible()
    link = treasurer.get_by_role("link", name="Cetak akad dan jadwal angsuran (PDF)")
    kind, body = fetch_as(treasurer, live_server.url(SLUG, link.get_attribute("href") or ""))
    assert kind == "application/pdf"
    assert body.startswith(b"%PDF")
    fits_the_phone(treasurer)

    # Nothing is due yet on the day of payout: the form offers the first instalment.
    expect(treasurer.locator("#angsuran-amount")).to_have_value("100750")
    treasurer.locator("#angsuran-method").select_option("cash")
    button(treasurer, "Terima angsuran")
    expect(treasurer.get_by_text(re.compile(r"Tercatat\. Kuitansi KP-"))).to_be_visible()
    expect(treasurer.locator("main")).to_contain_text("Rp100.750")
    fits_the_phone(treasurer)
    receipt = treasurer.get_by_role("link", name="Cetak di kertas A6 (PDF)")
    kind, body = fetch_as(treasurer, live_server.url(SLUG, receipt.get_attribute("href") or ""))
    assert kind == "application/pdf"
    assert body.startswith(b"%PDF")
    treasurer.get_by_role("link", name=re.compile("^← Pinjaman")).click()
    expect(treasurer.locator("[data-state=paid]")).to_have_count(1)
    fits_the_phone(treasurer)
    assert chair_errors == treasurer_errors == supervisor_errors == []
