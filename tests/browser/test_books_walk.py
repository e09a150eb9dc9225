"""The treasurer's month on a phone, and a member checking their own savings.

Members by hand and from Excel, a month's mandatory savings billed and ticked off, a deposit with
its receipt (PDF and QR check page), a withdrawal, the cooperative's own expense account and an
expense booked to it, closing a month, balanced statements in both languages, then the member's
own view. And a member list large enough to be imported by a job worker, followed on its page.
"""

from __future__ import annotations

import re
import threading
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect
from procrastinate import PsycopgConnector

import saas.jobs
from tests.browser.conftest import DEMO_PASSWORD, LiveServer
from tests.clock import TODAY, month_value

pytestmark = pytest.mark.browser

SLUG = "demo"


def phone_page(browser) -> tuple[Page, list[str]]:
    """A 360 x 740 page and the console errors it logs (a CSP violation would be one)."""
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and "status of 422" not in m.text else None
        ),
    )
    return page, errors


def button(page: Page, name: str, scope: str = "main") -> None:
    page.locator(scope).get_by_role("button", name=name, exact=True).click()


def sign_in(page: Page, live: LiveServer, who: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(live.url(SLUG, "/bahasa/en?next=/masuk"))
    page.locator("#identifier").fill(who)
    page.locator("#password").fill(password)
    button(page, "Sign in")


def members_file(tmp: Path) -> Path:
    book = Workbook()
    for row in (
        ("NIK", "Nama", "No HP", "Tanggal masuk"),
        ("3205014507900002", "Ani Impor", "0812 7000 0002", "01/10/2026"),
        ("3205011208850003", "Budi Impor", "", "2026-10-01"),
    ):
        book.active.append(row)
    path = tmp / "anggota.xlsx"
    book.save(path)
    return path


def fetch_as(page: Page, url: str) -> tuple[str, bytes]:
    """GET ``url`` with the page's cookies (Node cannot resolve *.localhost; Python can use the
    loopback address with the Host header)."""
    parts = urlsplit(url)
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies(url))
    request = urllib.request.Request(
        f"http://127.0.0.1:{parts.port}{parts.path}",
        headers={"Host": parts.netloc, "Cookie": cookies},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return response.headers["Content-Type"], response.read()


def amount_of(page: Page, label: str) -> str:
    row = page.locator("tr", has=page.get_by_text(label, exact=True)).first
    return row.locator("td.num").inner_text()


def test_a_month_of_books_and_a_member_who_checks_them(
    browser, live_server: LiveServer, tmp_path: Path
):
    today = TODAY
    treasurer, treasurer_errors = phone_page(browser)
    sign_in(treasurer, live_server, "bendahara@sukamaju.id")

    # A member by hand ...
    treasurer.goto(live_server.url(SLUG, "/kelola/anggota/baru"))
    treasurer.locator("#nik").fill("3205016508950001")
    treasurer.locator("#name").fill("Sari Wulandari")
    treasurer.locator("#phone").fill("0812 7000 0001")
    button(treasurer, "Save")
    expect(treasurer.get_by_text(re.compile(r"Member \d{4} saved\."))).to_be_visible()
    sari_url = treasurer.url

    # ... and two from Excel, checked before they are saved.
    treasurer.goto(live_server.url(SLUG, "/kelola/anggota/impor"))
    treasurer.set_input_files("#file", str(members_file(tmp_path)))
    button(treasurer, "Upload and check")
    expect(treasurer.get_by_text("2 of 2 rows can be imported")).to_be_visible()
    button(treasurer, "Import 2 members")
    expect(treasurer.get_by_text("2 members imported.")).to_be_visible()

    # This month's mandatory savings, billed and ticked off.
    treasurer.goto(live_server.url(SLUG, "/kelola/tagihan"))
    treasurer.locator("#month").select_option(f"{today.month}")
    treasurer.locator("#year").fill(str(today.year))
    treasurer.locator("#amount").fill("25.000")
    button(treasurer, "Create the bill for every active member")
    boxes = treasurer.locator("input[name=item]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    button(treasurer, "Mark the ticked members paid")
    expect(treasurer.get_by_text(re.compile(r"^\d+ paid\.$"))).to_be_visible()

    # Voluntary savings in, with a receipt to print and a QR code to check.
    treasurer.goto(sari_url)
    treasurer.get_by_role("link", name="Savings and receipts").click()
    deposit = treasurer.locator("form[action$='/setor']")
    deposit.locator("#setor-kind").select_option("sukarela")
    deposit.locator("#setor-amount").fill("100000")
    button(treasurer, "Record the payment")
    expect(treasurer.get_by_text("Seratus ribu rupiah")).to_be_visible()
    content_type, body = fetch_as(treasurer, treasurer.url + ".pdf")
    assert content_type == "application/pdf"
    assert body.startswith(b"%PDF")
    check_url = treasurer.locator(".qr svg title").text_content()
    visitor = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    visitor.goto(check_url)
    expect(visitor.get_by_text("Kuitansi ini asli.")).to_be_visible()  # the cooperative's language
    expect(visitor.get_by_text("Sari Wulandari")).to_have_count(0)

    # Part of it out again; more than the balance is refused.
    treasurer.go_back()
    treasurer.goto(sari_url + "/simpanan")
    treasurer.locator("#tarik-amount").fill("150000")
    button(treasurer, "Record the withdrawal")
    expect(treasurer.get_by_text(re.compile("balance is Rp100,000"))).to_be_visible()
    treasurer.locator("#tarik-amount").fill("40000")
    button(treasurer, "Record the withdrawal")
    expect(treasurer.get_by_text("Empat puluh ribu rupiah")).to_be_visible()

    # The cooperative's own account for fuel, an expense booked to it, its balance in the chart.
    treasurer.goto(live_server.url(SLUG, "/kelola/jurnal"))
    treasurer.get_by_role("link", name="Chart of accounts").click()
    treasurer.get_by_role("link", name=re.compile(r"^6 Expenses")).click()
    expect(treasurer.locator("#sub-code")).to_have_value("6-108")
    treasurer.locator("#sub-name").fill("Bensin motor")
    button(treasurer, "Add the sub-account")
    expect(treasurer.get_by_text("Account 6-108 Bensin motor added.")).to_be_visible()
    treasurer.goto(live_server.url(SLUG, "/kelola/jurnal"))
    treasurer.locator("#account").select_option(label="6-108 Bensin motor")
    treasurer.locator("#amount").fill("20.000")
    treasurer.locator("#description").fill("Bensin ke kecamatan")
    button(treasurer, "Record")
    expect(treasurer.get_by_text(re.compile(r"Entry #\d+ recorded\."))).to_be_visible()
    treasurer.get_by_role("link", name="Chart of accounts").click()
    fuel = treasurer.get_by_role("link", name=re.compile(r"^6-108 Bensin motor"))
    expect(fuel.locator(".num")).to_have_text("Rp20,000")

    # Close last month, then read the statements: they balance, in English and Indonesian.
    treasurer.goto(live_server.url(SLUG, "/kelola/jurnal"))
    if TODAY.month == 1:  # the demo's December is closed already: nothing else has ended
        expect(treasurer.get_by_text("Every month that has ended is closed.")).to_be_visible()
    else:
        last_month = treasurer.locator("#month option").last.get_attribute("value")
        assert last_month == month_value(TODAY.replace(day=1) - timedelta(days=1))
        treasurer.locator("#month").select_option(last_month)
        button(treasurer, "Close the month")
        expect(
            treasurer.get_by_text(re.compile(r"The books of \d\d/\d{4} are closed\."))
        ).to_be_visible()
    treasurer.goto(live_server.url(SLUG, "/kelola/laporan"))
    assert amount_of(treasurer, "Total assets") == amount_of(
        treasurer, "Total liabilities and equity"
    )
    assert amount_of(treasurer, "Voluntary savings (sukarela)") == "Rp60,000"
    treasurer.goto(live_server.url(SLUG, "/bahasa/id?next=/kelola/laporan"))
    assert amount_of(treasurer, "Jumlah aset") == amount_of(
        treasurer, "Jumlah kewajiban dan ekuitas"
    )
    assert amount_of(treasurer, "Simpanan sukarela") == "Rp60.000"
    expect(treasurer.get_by_text("tidak seimbang")).to_have_count(0)

    # Sari gets her own access by WhatsApp and sees her accounts, nobody else's.
    treasurer.goto(live_server.url(SLUG, f"/bahasa/en?next={urlsplit(sari_url).path}"))
    button(treasurer, "Send online access")
    link = treasurer.locator("#access-link").input_value()
    member, member_errors = phone_page(browser)
    member.goto(link)
    member.locator("#password").fill("kebun-salak-2026")
    member.locator("#confirm").fill("kebun-salak-2026")
    member.locator("main").get_by_role("button").first.click()
    # The cooperative's language (Indonesian) for a member who never chose one.
    expect(member.get_by_text("Rp60.000").first).to_be_visible()
    expect(member.get_by_text("Rp25.000").first).to_be_visible()
    expect(member.get_by_text("Ani Impor")).to_have_count(0)
    assert treasurer_errors == []
    assert member_errors == []


def test_a_large_member_list_imports_in_the_background_while_the_page_follows_it(
    browser, live_server: LiveServer, tmp_path: Path, monkeypatch
):
    treasurer, errors = phone_page(browser)
    sign_in(treasurer, live_server, "bendahara@sukamaju.id")
    rows = [f"327301010190{n:04d};Anggota Besar {n}" for n in range(1, 601)]
    big = tmp_path / "anggota-besar.csv"
    big.write_text("NIK;Nama\n" + "\n".join(rows), encoding="utf-8")
    treasurer.goto(live_server.url(SLUG, "/kelola/anggota/impor"))
    treasurer.set_input_files("#file", str(big))
    button(treasurer, "Upload and check")
    button(treasurer, "Import 600 members")
    expect(treasurer.get_by_text("Waiting to start")).to_be_visible()
    treasurer.evaluate("window.sameDocument = true")  # gone if the page were loaded again

    # A real worker on the queue: htmx polls the panel until the import is done.
    monkeypatch.setattr(saas.jobs, "flask_app", lambda: live_server.app)
    settings = live_server.app.extensions["guyub.settings"]
    connector = PsycopgConnector(conninfo=settings.database_url)
    with saas.jobs.jobs.replace_connector(connector) as queue:
        worker = threading.Thread(
            target=queue.run_worker,
            kwargs={"wait": False, "queues": ["imports"], "install_signal_handlers": False},
        )
        worker.start()
        worker.join(timeout=60)
    expect(treasurer.get_by_text("600 members imported.")).to_be_visible()
    assert treasurer.evaluate("window.sameDocument") is True
    treasurer.get_by_role("link", name="See the members").click()
    treasurer.locator("input[name=q]").fill("Anggota Besar 600")
    treasurer.locator("input[name=q]").press("Enter")
    expect(treasurer.get_by_text("Anggota Besar 600")).to_be_visible()
    assert errors == []
