"""The shop on a phone: the counter's camera scanning where the browser reads codes (and nothing
where it does not), and the shop's whole walk in Indonesian and in English."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.support import Translations
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from saas import clock, create_app
from saas.accounts.operations import find_tenant_user_by_login
from saas.db import get_databases
from saas.ledger import operations as ledger
from saas.ledger.operations import CashDirection
from saas.platform_migrations import upgrade_platform
from saas.seed import seed_demo
from saas.tenants.models import Tenant
from tests import clock as test_clock
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, LiveServer
from tests.browser.test_books_walk import phone_page
from tests.browser.test_loan_journey import (
    SMALL_BUTTONS,
    SPLIT_WORDS,
    TOUCHING_BUTTONS,
    TRANSLATIONS,
    register,
)
from tests.conftest import free_port, make_settings, make_test_databases
from tests.integration.test_pages_in_indonesian import english_on
from tests.qris_codes import static_payload

pytestmark = pytest.mark.browser

SLUG = "demo"
RICE = "8991001"  # the demo's Beras Pandan Wangi 5 kg
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]

# A stand-in for the BarcodeDetector that Chromium on Linux lacks: it "reads" the product code
# from a playing video or a photo, and the member number from a member card (qr_code).
DETECTOR = """
window.BarcodeDetector = class {
  constructor(options) { this.formats = (options && options.formats) || []; }
  static getSupportedFormats() { return Promise.resolve(["qr_code", "ean_13", "ean_8"]); }
  detect(source) {
    const ready = source instanceof ImageBitmap
      || (source instanceof HTMLVideoElement && source.readyState >= 2);
    if (!ready) return Promise.resolve([]);
    const value = this.formats.includes("qr_code") ? "0001" : "RICE";
    return Promise.resolve([{ rawValue: value, format: this.formats[0] }]);
  }
};
""".replace("RICE", RICE)

# What reaches past the phone's right edge, named for the failure's message.
WIDE = """() => [...document.querySelectorAll("main *")]
  .filter((element) => element.getBoundingClientRect().right > 360)
  .map((element) => element.tagName + ": " + element.textContent.slice(0, 40))"""
NO_CAMERA = "Object.defineProperty(navigator, 'mediaDevices', { value: undefined });"


def counter(live: LiveServer, page: Page) -> None:
    """Sign the treasurer in (English) and open the gerai sembako's counter."""
    page.goto(live.url(SLUG, "/bahasa/en?next=/masuk"))
    page.locator("#identifier").fill("bendahara@sukamaju.id")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/kelola$"))
    page.goto(live.url(SLUG, "/kelola/gerai"))
    page.get_by_role("link", name=re.compile("^Sell")).first.click()
    expect(page.locator("#code")).to_be_visible()


@pytest.fixture
def camera_phone(browser: Browser) -> Iterator[Page]:
    """A phone whose browser has a (fake) rear camera and reads codes (the stand-in)."""
    with_camera = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, *FAKE_CAMERA]
    )
    context = with_camera.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    context.add_init_script(DETECTOR)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    with_camera.close()


def test_the_scan_buttons_stay_hidden_where_the_browser_reads_no_codes(
    live_server: LiveServer, phone: Page
):
    counter(live_server, phone)
    buttons = phone.locator("[data-scan-button]")
    expect(buttons).to_have_count(2)
    expect(buttons.first).to_be_hidden()
    expect(buttons.last).to_be_hidden()
    assert phone.console_errors == []  # type: ignore[attr-defined]


def test_a_barcode_read_by_the_live_camera_adds_the_product_to_the_cart(
    live_server: LiveServer, camera_phone: Page
):
    counter(live_server, camera_phone)
    camera_phone.get_by_role("button", name="Scan the barcode", exact=True).click()
    expect(camera_phone.locator("main .list")).to_contain_text("Beras Pandan Wangi 5 kg")
    expect(camera_phone.locator("input[name=line]")).to_have_count(1)
    expect(camera_phone.locator("dialog.scan-panel")).to_have_count(0)  # the camera is off
    assert camera_phone.console_errors == []  # type: ignore[attr-defined]


def test_a_member_card_read_from_a_photo_names_the_buyer(
    live_server: LiveServer, camera_phone: Page, tmp_path: Path
):
    camera_phone.context.add_init_script(NO_CAMERA)  # codes read, but no live camera
    photo = tmp_path / "kartu.png"
    Image.new("RGB", (64, 64), "white").save(photo)
    counter(live_server, camera_phone)
    with camera_phone.expect_file_chooser() as chooser:
        camera_phone.get_by_role("button", name="Scan the member card", exact=True).click()
    chooser.value.set_files(str(photo))
    expect(camera_phone.get_by_text(re.compile(r"^Buyer: 0001 · "))).to_be_visible()
    expect(camera_phone.locator("#buyer")).to_have_value("0001")
    assert camera_phone.console_errors == []  # type: ignore[attr-defined]


# -- the shop's walk -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    """What differs between the two walks: the language, the goods and the people in them."""

    language: str
    code: str  # the new product's barcode
    product: str
    consignor: str
    consigned: tuple[str, str]  # (code, name)
    buyer: tuple[str, str]  # (NIK, name) of the member who buys on credit


CASTS = {
    "id": Cast(
        "id",
        "8997001",
        "Kopi Bubuk 200 g",
        "Bu Ratna",
        ("UMKM21", "Rengginang Bu Ratna"),
        ("3205014603900051", "Lina Marlina"),
    ),
    "en": Cast(
        "en",
        "8997002",
        "Sweet Soy Sauce 600 ml",
        "Mrs Dewi",
        ("UMKM22", "Dewi's Banana Chips"),
        ("3205011011880061", "Hasan Basri"),
    ),
}


@pytest.fixture(scope="module")
def shop_server(
    pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A live demo of its own: the walk closes the demo's December, in which the other walks
    still record."""
    urls = make_test_databases(pg_admin_url, "guyub_shop_walk")
    instance = tmp_path_factory.mktemp("shop-walk-instance")
    port = free_port()
    settings = make_settings(urls, instance, public_port=f":{port}")
    app = create_app(settings)
    with app.app_context():
        upgrade_platform(get_databases())
        list(seed_demo(get_databases(), settings, DEMO_PASSWORD))
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(port, instance, app)
    server.shutdown()
    app.extensions["guyub.databases"].dispose()


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

    def url(self, path: str) -> str:
        return self.live.url(SLUG, path)

    def rp(self, amount: int) -> str:
        """An amount of rupiah as the pages print it in the walk's language."""
        grouped = f"{amount:,}"
        return "Rp" + (grouped.replace(",", ".") if self.cast.language == "id" else grouped)

    def phone(self, who: str) -> Page:
        """A new phone in the walk's language, signed in as ``who``."""
        page, errors = phone_page(self.browser)
        self.errors.append(errors)
        page.goto(self.url(f"/bahasa/{self.cast.language}?next=/masuk"))
        page.locator("#identifier").fill(who)
        page.locator("#password").fill(DEMO_PASSWORD)
        self.press(page, "Sign in")
        expect(page).to_have_url(re.compile(r"/kelola$"))
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
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, (
            page.url,
            page.evaluate(WIDE),
        )
        assert page.evaluate(SPLIT_WORDS) == [], page.url
        assert page.evaluate(SMALL_BUTTONS) == [], page.url
        assert page.evaluate(TOUCHING_BUTTONS) == [], page.url
        if self.cast.language == "id":
            assert english_on(page.content()) == [], page.url


@pytest.fixture(params=sorted(CASTS))
def walk(request, browser: Browser, shop_server: LiveServer) -> Walk:
    return Walk(shop_server, browser, CASTS[request.param])


def open_products(walk: Walk, page: Page) -> str:
    """The gerai sembako's products page; its URL."""
    page.goto(walk.url("/kelola/gerai"))
    walk.follow(page, "Products and stock")
    expect(page).to_have_url(re.compile(r"/kelola/gerai/\d+/produk$"))
    return page.url


def add_product(walk: Walk, page: Page, code: str, name: str, *, consignor: str = "") -> None:
    walk.follow(page, "Add a product of theirs") if consignor else page.locator(
        "main .row"
    ).first.get_by_role("link", name=walk.t("Add"), exact=True).click()
    page.locator("#code").fill(code)
    page.locator("#name").fill(name)
    page.locator("#measure").fill("pcs")
    page.locator("#price").fill("15000")
    if consignor:
        page.locator("#consignor").select_option(label=consignor)
        page.locator("#fee").fill("3000")
    else:
        page.locator("#cost").fill("11000")
    page.locator("#low_stock").fill("2")
    walk.check(page)
    walk.press(page, "Save")
    expect(page.locator("main")).to_contain_text(name)


def sell(walk: Walk, page: Page, code: str, *, buyer: str = "", method: str = "cash") -> str:
    """One item sold at the counter, the form as a cashier fills it; the receipt's URL."""
    page.goto(walk.url("/kelola/gerai"))
    walk.follow(page, "Sell")
    page.locator("#code").fill(code)
    page.locator("#code").press("Enter")  # the form's first button adds the item
    expect(page.locator("input[name=line]")).to_have_count(1)
    page.locator("#buyer").fill(buyer)
    page.locator("#method").select_option(method)
    walk.check(page)
    walk.press(page, "Record the sale")
    if method == "qris":
        expect(page.locator("[data-qris-amount]")).to_be_visible()
        walk.check(page)
        walk.press(page, "Paid: record the sale")
    expect(page).to_have_url(re.compile(r"/kelola/gerai/nota/NJ-"))
    walk.check(page)
    return page.url


def test_the_shop_from_its_shelves_to_its_reports(walk: Walk):
    cast = walk.cast
    treasurer = walk.phone("bendahara@sukamaju.id")
    register(walk, treasurer, *cast.buyer, 10_000)

    # A new product, and goods received for it from a supplier, owed until paid.
    products = open_products(walk, treasurer)
    walk.check(treasurer)
    add_product(walk, treasurer, cast.code, cast.product)
    walk.follow(treasurer, "Receive goods")
    treasurer.locator("#supplier").fill("Grosir Makmur")
    treasurer.locator("#payment").select_option("payable")
    treasurer.locator("#lines-0-product").select_option(label=f"{cast.code} · {cast.product}")
    treasurer.locator("#lines-0-quantity").fill("20")
    treasurer.locator("#lines-0-unit_cost").fill("11000")
    walk.check(treasurer)
    walk.press(treasurer, "Record the goods received")
    expect(treasurer.locator("main")).to_contain_text(cast.product)

    # A member buys on credit; the public pays by QRIS (the cooperative's code entered once).
    on_credit = sell(walk, treasurer, cast.code, buyer=cast.buyer[1], method="credit")
    walk.see(treasurer, "On credit (members only)")
    treasurer.goto(walk.url("/kelola/simpanan/qris"))
    if treasurer.locator("dl").count() == 0:
        treasurer.locator("#payload").fill(static_payload())
        walk.press(treasurer, "Save")
    by_qris = sell(walk, treasurer, cast.code, method="qris")

    # A consignor's goods: brought in, one sold, and what it earned paid to her.
    treasurer.goto(products)
    walk.follow(treasurer, "Consignment")
    treasurer.locator("#name").fill(cast.consignor)
    walk.check(treasurer)
    walk.press(treasurer, "Add the consignor")
    treasurer.get_by_role("link", name=cast.consignor, exact=True).click()
    consignor = treasurer.url
    add_product(walk, treasurer, *cast.consigned, consignor=cast.consignor)
    treasurer.goto(consignor)
    treasurer.locator("#kind").select_option("consigned")
    treasurer.locator("#lines-0-product").select_option(label=" · ".join(cast.consigned))
    treasurer.locator("#lines-0-quantity").fill("6")
    walk.check(treasurer)
    walk.press(treasurer, "Record the goods")
    sell(walk, treasurer, cast.consigned[0])
    treasurer.goto(consignor)
    walk.check(treasurer)
    walk.press(treasurer, "Pay what their sold goods earned")
    expect(treasurer.locator("main")).to_contain_text(walk.rp(12_000))  # Rp15,000 less the fee

    # The shelves counted (one missing), the day closed, the unit's sales and PHU read.
    treasurer.goto(products)
    walk.follow(treasurer, "Count stock")
    counted = treasurer.locator(".field", has=treasurer.get_by_text(cast.product, exact=False))
    counted.locator("input:not([type=hidden])").fill("17")
    treasurer.locator("#against").select_option("other_expense")
    walk.check(treasurer)
    walk.press(treasurer, "Record the count")
    treasurer.goto(products)
    expect(treasurer.locator("main")).to_contain_text(cast.product)
    walk.follow(treasurer, "Close the day")
    walk.check(treasurer)
    if treasurer.locator("#counted").count():
        expected = treasurer.locator(".numbers strong").nth(1).inner_text()
        treasurer.locator("#counted").fill(re.sub(r"\D", "", expected))
        walk.press(treasurer, "Close the day")
    walk.see(treasurer, "This day is closed already.")
    walk.check(treasurer)
    treasurer.goto(products)
    walk.follow(treasurer, "Sales and PHU")
    walk.see(treasurer, "Gross margin")
    walk.check(treasurer)

    # The QRIS sale taken back on its receipt, which says so from then on.
    treasurer.goto(by_qris)
    treasurer.locator("#reason").fill("Salah barang")
    walk.check(treasurer)
    walk.press(treasurer, "Reverse the sale")
    expect(treasurer.locator("main .badge").first).to_contain_text(walk.t("Reversed")[:5])
    walk.check(treasurer)
    treasurer.goto(on_credit)
    expect(treasurer.get_by_role("button", name=walk.t("Reverse the sale"))).to_be_visible()
    assert [e for errors in walk.errors for e in errors] == []


def earn_a_surplus(live: LiveServer) -> None:
    """A grant's income in the demo's December, so its year closes with an SHU to share."""
    with live.app.app_context():
        databases = get_databases()
        with databases.platform_session() as platform:
            demo = platform.scalar(select(Tenant).where(Tenant.slug == SLUG))
            assert demo is not None
            shard, schema = demo.shard, str(demo.schema_name)
        with databases.tenant_session(shard, schema) as session:
            ledger.record_cash_entry(
                session,
                direction=CashDirection.INCOME,
                account_id=ledger.account_by_role(session, "other_income").id,
                money_role="bank",
                amount=50_000_000,
                entry_date=test_clock.TODAY,
                description="Hibah program desa",
                idempotency_key=uuid.uuid4(),
                posted_by_id=find_tenant_user_by_login(session, "bendahara@sukamaju.id").id,
            )
            session.commit()


def test_the_members_purchases_earn_their_jasa_usaha_in_the_next_years_shu(
    browser: Browser, shop_server: LiveServer
):
    walk = Walk(shop_server, browser, CASTS["en"])
    earn_a_surplus(shop_server)
    next_year = test_clock.NOW.replace(year=test_clock.NOW.year + 1, month=1, day=5)
    with clock.frozen(next_year):
        treasurer = walk.phone("bendahara@sukamaju.id")
        treasurer.goto(walk.url("/kelola/jurnal"))
        treasurer.locator("#month").select_option(f"{test_clock.TODAY.year}-12")
        walk.press(treasurer, "Close the month")
        treasurer.goto(walk.url(f"/kelola/shu/{test_clock.TODAY.year}"))
        walk.check(treasurer)
        shares = treasurer.locator("main table.statement").last
        for cast in CASTS.values():
            row = shares.locator("tr", has=treasurer.get_by_text(cast.buyer[1]))
            expect(row).to_contain_text("jasa usaha Rp")
            assert "jasa usaha Rp0," not in row.inner_text()
    assert [e for errors in walk.errors for e in errors] == []
