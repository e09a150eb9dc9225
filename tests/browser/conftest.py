"""A live server on loopback with its own database and the seeded demo, driven by Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from werkzeug.serving import make_server

from saas import create_app
from saas.db import get_databases
from saas.platform_migrations import upgrade_platform
from saas.regions.loader import load_regions
from saas.seed import seed_demo
from tests.conftest import free_port, make_settings, make_test_databases

CHROMIUM = Path("/usr/bin/chromium")
DEMO_PASSWORD = "demo-browser-2026"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class LiveServer:
    port: int
    instance_dir: Path
    app: Flask  # what a job worker started by a test runs with

    def url(self, slug: str | None = None, path: str = "/") -> str:
        host = f"{slug}.localhost" if slug else "localhost"
        return f"http://{host}:{self.port}{path}"


@pytest.fixture(scope="session")
def live_server(
    pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    urls = make_test_databases(pg_admin_url, "guyub_browser")
    instance = tmp_path_factory.mktemp("browser-instance")
    port = free_port()
    # Links that leave the page (the sign-up handoff, emails) name the configured public port.
    settings = make_settings(urls, instance, public_port=f":{port}")
    app = create_app(settings)
    with app.app_context():
        upgrade_platform(get_databases())
        list(seed_demo(get_databases(), settings, DEMO_PASSWORD))
        with get_databases().platform_engine.begin() as connection:
            load_regions(connection)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(port, instance, app)
    server.shutdown()
    app.extensions["guyub.databases"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh phone-sized page (360 x 740) that records console errors (CSP violations too)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        # A form answered with 422 is how invalid input is reported; anything else counts.
        if message.type == "error" and "status of 422" not in message.text:
            errors.append(message.text)

    page.on("console", record)
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()
