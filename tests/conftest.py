"""Test fixtures: a real PostgreSQL with two shard databases, built once per run; a savepoint
per test; a real SMTP server; two tenants on different shards whose row ids collide.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient

from saas import clock, create_app
from saas.blueprints.site import page_cache
from saas.config import Settings, load_settings
from saas.db import get_databases
from saas.embedded_pg import database_url, ensure_database, start_embedded_server
from saas.extensions import limiter
from saas.microsite.queries import forget_home_pages
from saas.platform_migrations import upgrade_platform
from saas.regions.loader import load_regions
from tests import clock as test_clock
from tests import factories
from tests.databases import SavepointDatabases, routed_to_savepoints

pytest_plugins = ["tests.stripe_server"]

TEST_ROOT = Path(__file__).resolve().parent.parent / "instance" / "test"


# -- the database server -------------------------------------------------------------------


def _worker_suffix() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"_{worker}" if worker else ""


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """An administrative URL on the server the tests use (DATABASE_URL, or an embedded one)."""
    if url := os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL"):
        yield url
        return
    server = start_embedded_server(TEST_ROOT / "pgdata")
    yield database_url(server, "postgres")
    server.cleanup()  # now, while pytest's output streams are still open


def _url_for_database(admin_url: str, name: str) -> str:
    """The admin URL pointed at database ``name`` (works for socket and TCP URLs)."""
    return re.sub(r"(://[^/]*/)([^?]*)", lambda m: m.group(1) + name, admin_url, count=1)


def make_test_databases(admin_url: str, prefix: str) -> dict[str, str]:
    """Fresh databases for a run: the platform one (also shard ``main``) and shard ``s2``."""
    names = {"main": f"{prefix}{_worker_suffix()}", "s2": f"{prefix}_s2{_worker_suffix()}"}
    for name in names.values():
        ensure_database(admin_url, name, recreate=True)
    return {shard: _url_for_database(admin_url, name) for shard, name in names.items()}


def make_settings(shard_urls: dict[str, str], instance_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": shard_urls["main"],
        "shards": shard_urls,
        "secret_key": "test-secret-key-not-for-production",
        "base_domain": "localhost",
        "testing": True,
        "instance_dir": instance_dir,
        "schema_pool_target": 0,
    }
    values.update(overrides)
    return load_settings(**values)


# -- mail ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class CollectingHandler:
    def __init__(self) -> None:
        self.messages: list[dict[str, object]] = []

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802
        self.messages.append(
            {
                "to": list(envelope.rcpt_tos),
                "from": envelope.mail_from,
                "data": envelope.content.decode("utf8", errors="replace"),
            }
        )
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Controller, CollectingHandler]]:
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def outbox(smtp_server: tuple[Controller, CollectingHandler]) -> list[dict[str, object]]:
    """Messages the real SMTP server received during this test."""
    handler = smtp_server[1]
    handler.messages.clear()
    return handler.messages


# -- the clock -----------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def frozen_clock() -> Iterator[datetime]:
    """Hold the business clock at the run's instant (tests/clock.py)."""
    with clock.frozen(test_clock.NOW):
        yield test_clock.NOW


@pytest.fixture(scope="session")
def today(frozen_clock: datetime) -> date:
    """The test cooperatives' "today" (both keep WIB)."""
    return test_clock.TODAY


# -- the application -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def shard_urls(pg_admin_url: str) -> dict[str, str]:
    return make_test_databases(pg_admin_url, "guyub_test")


@pytest.fixture(scope="session")
def settings(
    shard_urls: dict[str, str],
    smtp_server: tuple[Controller, CollectingHandler],
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    controller = smtp_server[0]
    return make_settings(
        shard_urls,
        tmp_path_factory.mktemp("instance"),
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    with application.app_context():
        upgrade_platform(get_databases())
    yield application
    application.extensions["guyub.databases"].dispose()


@pytest.fixture(scope="session")
def tenants(app: Flask) -> factories.TwoTenants:
    """Tenant A on shard main and tenant B on shard s2, committed once, with colliding ids."""
    with app.app_context():
        built = factories.build_two_tenants(get_databases(), app.extensions["guyub.settings"])
        # Both use the loans and the shop; tests of the free plan take them off it.
        for data in (built.a, built.b):
            factories.put_on_paid_plan(get_databases(), data.tenant)
        return built


@pytest.fixture(scope="session")
def regions_loaded(app: Flask) -> int:
    """The full Kemendagri region list, committed once per run."""
    with app.extensions["guyub.databases"].platform_engine.begin() as connection:
        return load_regions(connection)


@pytest.fixture
def db(app: Flask, tenants: factories.TwoTenants) -> Iterator[SavepointDatabases]:
    """The application's sessions inside the test's transactions, rolled back at its end."""
    with routed_to_savepoints(app) as databases:
        limiter.reset()
        try:
            yield databases
        finally:
            # Pages kept by the worker would outlive the rollback: each test starts without.
            with app.app_context():
                page_cache.clear()
            forget_home_pages()


class HostClient(FlaskClient):
    """A test client that sends every request to one host (a cooperative's or the platform's)."""

    base_url = "http://localhost"

    def open(self, *args, **kwargs):
        if (args and isinstance(args[0], str)) or "path" in kwargs:
            kwargs.setdefault("base_url", self.base_url)
        return super().open(*args, **kwargs)

    def session_transaction(self, *args, **kwargs):
        kwargs.setdefault("base_url", self.base_url)
        return super().session_transaction(*args, **kwargs)


@pytest.fixture
def client_for(app: Flask, db: SavepointDatabases):
    """Make a test client whose requests go to ``<host>`` (a slug, or None for the platform)."""

    def make(slug: str | None, lang: str | None = "en") -> FlaskClient:
        client = HostClient(app, app.response_class, use_cookies=True)
        host = f"{slug}.localhost" if slug else "localhost"
        client.base_url = f"http://{host}"
        if lang:  # most assertions read English; the Indonesian default is tested on its own
            client.set_cookie("bahasa", lang, domain=host)
        return client

    return make


@pytest.fixture
def alpha(client_for) -> FlaskClient:
    return client_for("alpha")


@pytest.fixture
def beta(client_for) -> FlaskClient:
    return client_for("beta")


@pytest.fixture
def platform(client_for) -> FlaskClient:
    return client_for(None)
