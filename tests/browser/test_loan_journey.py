"""A loan's whole journey on a phone, once in Indonesian and once in English, each on members of
its own: the chair makes a weekly product and the approval rule, the treasurer applies for a
member, the chair and the supervisor approve, the treasurer pays out and prints the agreement,
takes one instalment at the counter and confirms the next paid by QRIS from the member's own
page; the clock runs on while the member pays nothing, the loan falls behind and slips a class;
it is restructured, another member with a loan leaves and their savings pay it off, and the
statements, the loan ledger and the member's own view show all of it. Every page fits 360 px,
logs no console error and, in Indonesian, shows no English the catalog translates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import Browser, Page, expect

from saas import clock
from tests import clock as test_clock
from tests.browser.conftest import DEMO_PASSWORD, LiveServer
from tests.browser.test_books_walk import SLUG, fetch_as, phone_page
from tests.integration.test_pages_in_indonesian import english_on
from tests.qris_codes import static_payload

pytestmark = pytest.mark.browser

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"

# The buttons shown smaller than a thumb's tap target (44 px, as `.button.small`).
SMALL_BUTTONS = """() => [...document.querySelectorAll(".button")]
  .filter((button) => button.offsetParent !== null && button.offsetHeight < 44)
  .map((button) => button.textContent.trim())"""

# The full-width buttons that touch the one above them.
TOUCHING_BUTTONS = """() => [...document.querySelectorAll(".button.wide + .button.wide")]
  .filter((button) => button.offsetParent !== null)
  .filter((button) => {
    const above = button.previousElementSibling.getBoundingClientRect();
    return button.getBoundingClientRect().top - above.bottom < 4;
  })
  .map((button) => button.textContent.trim())"""

# The words of table headers, buttons, facts' labels and values and number cards that the page
# splits over two lines (a hyphen may end a line).
SPLIT_WORDS = """() => {
  const split = [];
  const boxes = "th, .button, .facts dt, .facts dd, .numbers strong";
  for (const box of document.querySelectorAll(boxes)) {
    const texts = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = texts.nextNode(); node; node = texts.nextNode()) {
      for (const word of node.data.matchAll(/[^\\s-]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) split.push(word[0]);
      }
    }
  }
  return split;
}"""


@dataclass(frozen=True)
class Cast:
    """What differs between the two walks: the language and the people and product in it."""

    language: str
    product: str
    borrower: tuple[str, str]  # (NIK, name)
    leaver: tuple[str, str]


CASTS = {
    "id": Cast(
        "id",
        "Pinjaman Mingguan Warung",
        ("3205014402880011", "Wulan Permatasari"),
        ("3205011203850021", "Joko Prasetyo"),
    ),
    "en": Cast(
        "en",
        "Weekly Stall Loan",
        ("3205015506870031", "Wati Kusumawati"),
        ("3205011707820041", "Yusuf Hakim"),
    ),
}


@dataclass
class Walk:
    """One language's walk: its live server, its words and every page it opened."""

    live: LiveServer
    browser: Browser
    cast: Cast
    errors: list[list[str]] = field(default_factory=list)
    catalog: Translations | None = None

    def __post_init__(self) -> None:
        if self.cast.language == "id":
            self.catalog = Translations.load(str(TRANSLATIONS), ["id"])

    def t(self, english: str, **values: object) -> str:
        """``english`` as the walk's language says it (the catalog's own Indonesian)."""
        said = self.catalog.gettext(english) if self.catalog else english
        return said % values if values else said

    def rp(self, amount: int) -> str:
        """An amount of rupiah as the pages print it in the walk's language."""
        grouped = f"{amount:,}"
        return "Rp" + (grouped.replace(",", ".") if self.cast.language == "id" else grouped)

    def url(self, path: str) -> str:
        return self.live.url(SLUG, path)

    def phone(self, who: str | None = None) -> Page:
        """A new phone in the walk's language, signed in as ``who`` (an officer) if named."""
        page, errors = phone_page(self.browser)
        self.errors.append(errors)
        target = "/masuk" if who else "/"
        page.goto(self.url(f"/bahasa/{self.cast.language}?next={target}"))
        if who:
            page.locator("#identifier").fill(who)
            page.locator("#password").fill(DEMO_PASSWORD)
            self.press(page, "Sign in")
            expect(page).to_have_url(re.compile(r"/kelola$"))
            self.check(page)
        return page

    def press(self, page: Page, english: str, **values: object) -> None:
        """Click the button of the main part of the page labelled ``english``."""
        name = self.t(english, **values)
        page.locator("main").get_by_role("button", name=name, exact=True).click()

    def follow(self, page: Page, english: str, **values: object) -> None:
        """Click the first link labelled ``english`` (its start when it says more)."""
        name = self.t(english, **values)
        page.get_by_role("link", name=re.compile("^" + re.escape(name))).first.click()

    def see(self, page: Page, english: str, **values: object) -> None:
        expect(page.get_by_text(self.t(english, **values)).first).to_be_visible()

    def check(self, page: Page) -> None:
        """The page fits the phone, its headers, buttons and facts split no word, its buttons
        are thumb-sized and, in Indonesian, it shows no English the catalog translates."""
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url
        assert page.evaluate(SPLIT_WORDS) == [], page.url
        assert page.evaluate(SMALL_BUTTONS) == [], page.url
        assert page.evaluate(TOUCHING_BUTTONS) == [], page.url
        if self.cast.language == "id":
            assert english_on(page.content()) == [], page.url


@pytest.fixture(params=sorted(CASTS))
def walk(request, browser: Browser, live_server: LiveServer) -> Walk:
    return Walk(live_server, browser, CASTS[request.param])


def make_product(walk: Walk) -> None:
    """The chair's weekly product, and two approvals from the chair, treasurer or supervisor."""
    chair = walk.phone("ketua@sukamaju.id")
    walk.follow(chair, "Loans")
    walk.follow(chair, "Loan products")
    walk.follow(chair, "New loan product")
    chair.locator("#name").fill(walk.cast.product)
    chair.locator("#method").select_option("flat")
    chair.locator("#frequency").select_option("weekly")
    chair.locator("#rate").fill("12")
    chair.locator("#min_instalments").fill("4")
    chair.locator("#max_instalments").fill("12")
    chair.locator("#min_amount").fill("100000")
    chair.locator("#max_amount").fill("2000000")
    chair.locator("#admin_fee").fill("1")
    chair.locator("#insurance_fee").fill("0")
    chair.locator("#grace_days").fill("3")
    walk.check(chair)
    walk.press(chair, "Save")
    expect(chair.get_by_role("link", name=re.compile("^" + walk.cast.product))).to_be_visible()
    walk.check(chair)
    chair.get_by_role("link", name="← " + walk.t("Loans")).click()
    walk.follow(chair, "Who approves loans")
    for role in ("ketua", "bendahara", "pengawas"):
        chair.locator(f"input[value={role}]").check()
    chair.locator("#approvals_required").fill("2")
    walk.check(chair)
    walk.press(chair, "Save")
    expect(chair.locator("input[value=bendahara]")).to_be_checked()
    expect(chair.locator("#approvals_required")).to_have_value("2")
    chair.context.close()


def register(walk: Walk, treasurer: Page, nik: str, name: str, savings: int) -> str:
    """A new member with ``savings`` rupiah of voluntary savings; the URL of their page."""
    treasurer.goto(walk.url("/kelola"))
    walk.follow(treasurer, "Members")
    walk.follow(treasurer, "Register a member")
    treasurer.locator("#nik").fill(nik)
    treasurer.locator("#name").fill(name)
    walk.check(treasurer)
    walk.press(treasurer, "Save")
    saved = walk.t("Member %(number)s saved.", number="0000")
    expect(
        treasurer.get_by_text(re.compile(re.escape(saved).replace("0000", r"\d{4}")))
    ).to_be_visible()
    member_url = treasurer.url
    walk.follow(treasurer, "Savings and receipts")
    deposit = treasurer.locator("form[action$='/setor']")
    deposit.locator("#setor-kind").select_option("sukarela")
    deposit.locator("#setor-amount").fill(str(savings))
    walk.press(treasurer, "Record the payment")
    expect(treasurer).to_have_url(re.compile(r"/kuitansi/"))
    walk.check(treasurer)
    return member_url


def apply_and_pay_out(
    walk: Walk, treasurer: Page, member_url: str, amount: int, instalments: int
) -> str:
    """The treasurer applies, the chair and the supervisor approve, the treasurer pays out:
    the loan's URL."""
    treasurer.goto(member_url)
    name = treasurer.locator("#name").input_value()
    walk.follow(treasurer, "Apply for a loan for this member")
    treasurer.locator("#product").select_option(label=walk.cast.product)
    treasurer.locator("#amount").fill(str(amount))
    treasurer.locator("#instalments").fill(str(instalments))
    treasurer.locator("#purpose").fill("Modal warung")
    treasurer.locator("#purpose").blur()  # htmx recalculates on change
    preview = treasurer.locator("#preview")
    expect(preview).to_contain_text(walk.t("The member receives"))
    expect(preview).to_contain_text(walk.rp(amount - amount // 100))  # less the 1% admin fee
    walk.check(treasurer)
    walk.press(treasurer, "Apply")
    walk.see(treasurer, "Waiting for approval")
    loan_url = treasurer.url
    # The applicant's role may approve, but not their own application.
    walk.see(treasurer, "You took this application, so you cannot decide on it.")
    expect(treasurer.get_by_role("button", name=walk.t("Approve"), exact=True)).to_have_count(0)
    walk.check(treasurer)

    for officer in ("ketua@sukamaju.id", "pengawas@sukamaju.id"):
        approver = walk.phone(officer)
        walk.follow(approver, "Loans")
        approver.get_by_role("link", name=re.compile(re.escape(name))).first.click()
        expect(approver).to_have_url(loan_url)
        walk.check(approver)
        walk.press(approver, "Approve")
        walk.see(approver, "Your approval is recorded.")
        walk.check(approver)
        approver.context.close()

    treasurer.goto(loan_url)
    walk.see(treasurer, "Approved, not paid out")
    walk.check(treasurer)
    treasurer.locator("main").get_by_role(
        "button", name=re.compile("^" + re.escape(walk.t("Pay out %(net)s", net="")))
    ).click()
    walk.see(treasurer, "Paid out. Print the agreement for the member to sign.")
    walk.check(treasurer)
    return loan_url


def test_a_loan_goes_from_its_product_to_the_statements_and_the_members_view(walk: Walk):
    make_product(walk)
    treasurer = walk.phone("bendahara@sukamaju.id")
    nik, name = walk.cast.borrower
    borrower_url = register(walk, treasurer, nik, name, 50_000)
    loan_url = apply_and_pay_out(walk, treasurer, borrower_url, 600_000, 6)
    loan_number = treasurer.locator("h1").inner_text().split()[-1]

    agreement = treasurer.get_by_role(
        "link", name=walk.t("Print the agreement and the schedule (PDF)")
    ).first
    kind, body = fetch_as(treasurer, walk.url(agreement.get_attribute("href") or ""))
    assert (kind, body[:4]) == ("application/pdf", b"%PDF")

    # The first instalment at the counter on the day of payout, with its receipt.
    first = int(treasurer.locator("#angsuran-amount").input_value())
    treasurer.locator("#angsuran-method").select_option("cash")
    walk.press(treasurer, "Take the payment")
    expect(
        treasurer.get_by_text(
            re.compile(re.escape(walk.t("Recorded. Receipt %(number)s.", number="KP-")[:-1]))
        )
    ).to_be_visible()
    walk.check(treasurer)
    receipt = treasurer.get_by_role("link", name=walk.t("Print on A6 paper (PDF)"))
    kind, body = fetch_as(treasurer, walk.url(receipt.get_attribute("href") or ""))
    assert (kind, body[:4]) == ("application/pdf", b"%PDF")
    treasurer.goto(loan_url)
    expect(treasurer.locator("[data-state=paid]")).to_have_count(1)

    # The member gets online access; the cooperative's QRIS code is entered once.
    treasurer.goto(borrower_url)
    walk.press(treasurer, "Send online access")
    access = treasurer.locator("#access-link").input_value()
    walk.check(treasurer)
    treasurer.goto(walk.url("/kelola/simpanan/qris"))
    if treasurer.locator("dl").count() == 0:
        treasurer.locator("#payload").fill(static_payload())
        walk.press(treasurer, "Save")
    walk.check(treasurer)
    member = walk.phone()
    member.goto(access)
    member.locator("#password").fill("sawah-padi-2026")
    member.locator("#confirm").fill("sawah-padi-2026")
    walk.press(member, "Save the new password")
    member.goto(walk.url(f"/bahasa/{walk.cast.language}?next=/anggota"))

    # Two weeks on, the second instalment is due: the member pays it by QRIS.
    two_weeks = test_clock.NOW + timedelta(days=14)
    with clock.frozen(two_weeks):
        member.reload()
        walk.follow(member, loan_number)
        qris = member.locator("[data-qris-amount]")
        due = int(qris.get_attribute("data-qris-amount") or 0)
        assert due == first
        expect(qris).to_contain_text(walk.rp(due))
        walk.check(member)
        treasurer.goto(walk.url("/kelola/tagihan/qris"))
        treasurer.locator("#q").fill(name)
        walk.press(treasurer, "Search")
        row = treasurer.locator(f"input[name=loan][value$=':{due}']")
        expect(row).to_have_count(1)
        row.check()
        walk.check(treasurer)
        walk.press(treasurer, "Received by QRIS")
        expect(treasurer.locator(f"input[name=loan][value$=':{due}']")).to_have_count(0)
        treasurer.goto(loan_url)
        expect(treasurer.locator("[data-state=paid]")).to_have_count(2)

    # Seven weeks later nothing more was paid: the loan is late and slips to kurang lancar.
    later = test_clock.NOW + timedelta(days=14 + 7 * 7)
    with clock.frozen(later):
        treasurer.goto(loan_url)
        expect(treasurer.locator("[data-state=overdue]").first).to_be_visible()
        walk.check(treasurer)
        treasurer.goto(walk.url("/kelola/laporan"))
        walk.follow(treasurer, "Loan portfolio")
        expect(treasurer.locator("#loans-kurang_lancar")).to_contain_text(loan_number)
        walk.check(treasurer)

        # Restructured: the old schedule stays in the history.
        treasurer.goto(loan_url)
        form = treasurer.locator("#restrukturisasi")
        form.locator("#restruktur-instalments").fill("8")
        form.locator("#restruktur-reason").fill("Warung sepi, cicilan diperkecil")
        walk.press(treasurer, "Show the new schedule")
        expect(treasurer.locator("#restrukturisasi")).to_contain_text(walk.t("The new schedule"))
        walk.check(treasurer)
        walk.press(treasurer, "Restructure on these terms")
        expect(treasurer.locator("[data-restructures] li")).to_have_count(1)
        history = treasurer.locator("#restrukturisasi summary").first
        expect(history).to_have_text(
            walk.t("Schedule before restructuring (version %(version)s)", version=1)
        )
        history.click()
        expect(treasurer.locator("#restrukturisasi details table")).to_be_visible()
        expect(treasurer.locator("[data-state=overdue]")).to_have_count(0)
        walk.check(treasurer)

        # Another member with a loan leaves: their savings pay it off.
        leaver_nik, leaver_name = walk.cast.leaver
        leaver_url = register(walk, treasurer, leaver_nik, leaver_name, 500_000)
        leaver_loan = apply_and_pay_out(walk, treasurer, leaver_url, 200_000, 4)
        treasurer.goto(leaver_url)
        walk.follow(treasurer, "Record the exit…")
        expect(treasurer.locator("main")).to_contain_text(
            walk.t("Less: loans paid off from the savings")
        )
        walk.check(treasurer)
        treasurer.locator("#reason").fill("Pindah ke kota")
        treasurer.locator("main form.danger-zone button[type=submit]").click()
        walk.see(treasurer, "The exit of %(name)s is recorded.", name=leaver_name)
        treasurer.goto(leaver_loan)
        walk.see(treasurer, "Paid off")
        walk.check(treasurer)

        # The statements: the loans receivable, the interest earned, the loan ledger.
        treasurer.goto(walk.url("/kelola/laporan"))
        for account in ("Loans to members", "Loan interest (jasa pinjaman)"):
            line = treasurer.locator("tr", has=treasurer.get_by_text(walk.t(account), exact=True))
            expect(line.first.locator("td.num")).not_to_have_text(walk.rp(0))
        walk.check(treasurer)
        walk.follow(treasurer, "Loan ledger (buku pinjaman)")
        expect(treasurer.locator("#loan-ledger")).to_contain_text(loan_number)
        walk.check(treasurer)

        # The member's own view: the loan, its schedule, what is due and the payments.
        member.goto(walk.url("/anggota"))
        walk.follow(member, loan_number)
        expect(member.locator("[data-standing]")).to_be_visible()
        expect(member.locator("[data-instalments] tbody tr")).to_have_count(8)
        expect(member.locator("[data-restructured]")).to_contain_text(walk.rp(400_000))
        expect(member.locator("[data-payments] li")).to_have_count(2)  # counter and QRIS
        expect(member.locator("[data-payments]")).to_contain_text(walk.t("QRIS"))
        walk.check(member)

    assert walk.errors == [[] for _ in walk.errors]
