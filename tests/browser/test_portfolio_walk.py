"""The demo's loan portfolio on a phone, in Indonesian: the treasurer reads the classes and the
reserve, opens a loan in arrears, the loan ledger and the thresholds, all within 360 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.browser.test_books_walk import SLUG, phone_page
from tests.browser.test_loan_walk import fits_the_phone, sign_in

pytestmark = pytest.mark.browser


def test_the_treasurer_reads_the_portfolio_on_a_phone(browser, live_server: LiveServer):
    treasurer, errors = phone_page(browser)
    sign_in(treasurer, live_server, "bendahara@sukamaju.id")
    treasurer.goto(live_server.url(SLUG, "/kelola/laporan"))
    treasurer.get_by_role("link", name="Portofolio pinjaman").click()
    expect(treasurer.locator("#npl")).to_contain_text("Tidak sehat")
    expect(treasurer.locator("#reserve-runs li")).to_have_count(1)
    fits_the_phone(treasurer)
    treasurer.locator("#loans-macet a").first.click()
    expect(treasurer).to_have_url(re.compile(r"/kelola/pinjaman/\d+$"))
    treasurer.goto(live_server.url(SLUG, "/kelola/laporan/buku-pinjaman"))
    expect(treasurer.locator("#loan-ledger")).to_contain_text("Macet")
    fits_the_phone(treasurer)
    treasurer.goto(live_server.url(SLUG, "/kelola/pinjaman/pengaturan"))
    expect(treasurer.locator("#monthly-macet")).to_have_value("360")
    fits_the_phone(treasurer)
    assert errors == []
