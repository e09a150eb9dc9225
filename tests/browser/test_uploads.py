"""A file over the upload limit is named as soon as it is chosen, before a slow upload starts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, LiveServer
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.browser


def test_a_file_over_the_limit_is_refused_in_the_browser_and_the_form_stays(
    phone: Page, live_server: LiveServer
):
    phone.goto(live_server.url("demo", "/masuk"))
    phone.locator("#identifier").fill("ketua@sukamaju.id")
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.locator("main").get_by_role("button", name="Masuk").click()
    phone.goto(live_server.url("demo", "/kelola/dokumen/unggah?jenis=akta"))
    expect(phone.locator("main")).to_contain_text("Setiap berkas paling besar 5 MB.")
    posts: list[str] = []
    phone.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )

    big = PDF_BYTES + b"0" * (6 * 1024 * 1024)
    phone.set_input_files(
        "#file", {"name": "akta.pdf", "mimeType": "application/pdf", "buffer": big}
    )
    phone.locator("main").get_by_role("button", name="Unggah", exact=True).click()
    message = phone.locator("#file").evaluate("input => input.validationMessage")
    assert "lebih besar dari 5 MB" in message
    assert posts == []
    assert phone.url.endswith("/kelola/dokumen/unggah?jenis=akta")

    phone.set_input_files(
        "#file", {"name": "akta.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    assert phone.locator("#file").evaluate("input => input.validationMessage") == ""
    assert phone.console_errors == []  # type: ignore[attr-defined]
