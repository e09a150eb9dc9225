"""The year's end on a phone: the demo's last year is closed, its SHU shared out and its
statements published. A visitor reads them on the microsite, the member sees her own SHU, and
the treasurer pays the shares into the members' voluntary savings."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_books_walk import SLUG, button, phone_page, sign_in
from tests.clock import TODAY

pytestmark = pytest.mark.browser

LAST_YEAR = TODAY.year - 1


def fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_published_year_and_the_shu_reach_visitors_and_members(
    browser, live_server: LiveServer
):
    visitor, visitor_errors = phone_page(browser)
    visitor.goto(live_server.url(SLUG, "/bahasa/en?next=/"))
    reports = visitor.locator(
        "section", has=visitor.get_by_role("heading", name="Financial reports")
    )
    expect(reports.get_by_text(f"Book year {LAST_YEAR}")).to_be_visible()
    reports.get_by_role("link", name="Read the statements").click()
    expect(visitor.get_by_role("heading", name=f"Financial report {LAST_YEAR}")).to_be_visible()
    expect(visitor.get_by_text("Total assets", exact=True)).to_be_visible()
    expect(visitor.get_by_role("heading", name="How the SHU was shared")).to_be_visible()
    fits_the_phone(visitor)
    assert visitor_errors == []

    member, member_errors = phone_page(browser)
    sign_in(member, live_server, "anggota@sukamaju.id")
    member.goto(live_server.url(SLUG, "/anggota"))
    own_shu = member.locator("section", has=member.get_by_role("heading", name="Your SHU"))
    expect(own_shu.get_by_text(f"Book year {LAST_YEAR}")).to_be_visible()
    expect(own_shu.get_by_text("to be paid")).to_be_visible()

    treasurer, treasurer_errors = phone_page(browser)
    sign_in(treasurer, live_server, "bendahara@sukamaju.id")
    for path in ("/kelola/terbitkan", "/kelola/simpanan/bunga", "/kelola/shu"):
        treasurer.goto(live_server.url(SLUG, path))
        fits_the_phone(treasurer)
    treasurer.get_by_role("link", name=f"Book year {LAST_YEAR}").click()
    fits_the_phone(treasurer)
    button(treasurer, "Pay into savings")
    expect(treasurer.get_by_text("members' shares are in their voluntary savings")).to_be_visible()
    assert treasurer_errors == []

    member.reload()
    expect(own_shu.get_by_text("in your voluntary savings")).to_be_visible()
    assert member_errors == []
