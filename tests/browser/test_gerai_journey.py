"""The shop on a phone: the counter's camera scanning where the browser reads codes (and nothing
where it does not), and the shop's whole walk in Indonesian and in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, LiveServer

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
