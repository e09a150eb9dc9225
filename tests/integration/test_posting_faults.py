"""The posting path under faults: eight treasurers' phones post deposits at once to gunicorn on
loopback, retrying whatever got no answer with the same key, while a web worker is killed with
SIGKILL in the middle. Every acknowledged deposit is in the books once, none twice, and the
books balance.

Its own databases and its own server process (the suite's transactions are invisible to
another process); bounded: about two hundred deposits, a minute at most."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from saas import create_app
from saas.db import get_databases
from saas.ledger.models import JournalEntry, JournalLine
from saas.platform_migrations import upgrade_platform
from saas.savings import operations as savings
from saas.savings.models import SavingsKind
from tests import factories
from tests.conftest import free_port, make_settings, make_test_databases

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 8
DEPOSITS_PER_CLIENT = 25
AMOUNT = 10_000
TREASURER = "bambang@kopalpha.id"
# The form's own fields: its key, its CSRF token and the day it offers (the server's today).
FILLED = re.compile(r'name="setor-(key|csrf_token|paid_on)"[^>]*value="([^"]+)"')
LOGIN_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Site:
    port: int
    server: subprocess.Popen[bytes]
    databases_app: object
    tenant: object
    members: list[int]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture(scope="module")
def site(pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    urls = make_test_databases(pg_admin_url, "guyub_faults")
    settings = make_settings(urls, tmp_path_factory.mktemp("faults-instance"))
    app = create_app(settings)
    with app.app_context():
        upgrade_platform(get_databases())
        two = factories.build_two_tenants(get_databases(), settings)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": urls["main"],
        "GUYUB_SHARDS": ",".join(f"{name}={url}" for name, url in urls.items()),
        "SECRET_KEY": settings.secret_key,
        "BASE_DOMAIN": "localhost",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "error",
        "SCHEMA_POOL_TARGET": "0",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-c", str(PROJECT_ROOT / "gunicorn.conf.py"), "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_serving(port, server)
        yield Site(port, server, app, two.a.tenant, [m.id for m in two.a.members])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        app.extensions["guyub.databases"].dispose()


def _wait_until_serving(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            answer = requests.get(
                f"http://127.0.0.1:{port}/masuk", headers={"Host": "alpha.localhost"}, timeout=2
            )
            if answer.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail("gunicorn did not answer within 60 s")


def workers_of(server: subprocess.Popen[bytes]) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


@dataclass
class Phone:
    """One treasurer's phone: signed in, posting deposits and retrying unanswered ones."""

    site: Site
    member_id: int
    acknowledged: list[str] = field(default_factory=list)
    retries: int = 0
    session: requests.Session = field(default_factory=requests.Session)

    def send(self, method: str, path: str, **kwargs: object) -> requests.Response:
        headers = {"Host": "alpha.localhost"}
        return self.session.request(
            method,
            self.site.url(path),
            headers=headers,
            timeout=10,
            allow_redirects=False,
            **kwargs,  # type: ignore[arg-type]
        )

    def sign_in(self) -> None:
        token = LOGIN_CSRF.search(self.send("GET", "/masuk").text)
        assert token is not None
        data = {
            "identifier": TREASURER,
            "password": factories.PASSWORD,
            "csrf_token": token.group(1),
        }
        assert self.send("POST", "/masuk", data=data).status_code == 302

    def deposit(self) -> None:
        """One deposit under its own key, sent until an answer comes (at most 20 tries)."""
        path = f"/kelola/anggota/{self.member_id}/simpanan"
        key = str(uuid.uuid4())
        for attempt in range(20):
            try:
                fields = dict(FILLED.findall(self.send("GET", path).text))
                data = {
                    "setor-csrf_token": fields["csrf_token"],
                    "setor-key": key,
                    "setor-kind": "sukarela",
                    "setor-amount": str(AMOUNT),
                    "setor-method": "cash",
                    "setor-paid_on": fields["paid_on"],
                }
                answer = self.send("POST", f"{path}/setor", data=data)
            except (requests.RequestException, KeyError):
                answer = None  # the worker died under us: ask again, same key
            if answer is not None and answer.status_code == 302:
                self.acknowledged.append(key)
                return
            self.retries += 1
            time.sleep(0.05 * (attempt + 1))
        pytest.fail(f"deposit {key} got no answer in 20 tries")


def test_every_acknowledged_deposit_is_in_the_books_once_when_a_worker_is_killed(site):
    phones = [Phone(site, site.members[i % len(site.members)]) for i in range(CLIENTS)]
    for phone in phones:
        phone.sign_in()
    started = threading.Barrier(CLIENTS + 1)

    def run(phone: Phone) -> None:
        started.wait()
        for _ in range(DEPOSITS_PER_CLIENT):
            phone.deposit()

    threads = [threading.Thread(target=run, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    started.wait()
    total = CLIENTS * DEPOSITS_PER_CLIENT
    deadline = time.monotonic() + 60
    while sum(len(p.acknowledged) for p in phones) < total // 3:
        assert time.monotonic() < deadline, "the deposits did not get going"
        time.sleep(0.02)
    victim = workers_of(site.server)[0]
    os.kill(victim, signal.SIGKILL)  # mid-flight: some requests die with it
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    acknowledged = [key for phone in phones for key in phone.acknowledged]
    assert len(acknowledged) == total
    assert victim not in workers_of(site.server)  # gunicorn replaced it
    assert len(workers_of(site.server)) == 2
    databases = site.databases_app.extensions["guyub.databases"]  # type: ignore[attr-defined]
    tenant = site.tenant
    with databases.tenant_session(tenant.shard, tenant.schema_name) as session:  # type: ignore[attr-defined]
        keys = [
            str(key)
            for key in session.scalars(
                select(JournalEntry.idempotency_key).where(
                    JournalEntry.idempotency_key.in_([uuid.UUID(k) for k in acknowledged])
                )
            )
        ]
        assert sorted(keys) == sorted(acknowledged)  # every one there, none twice
        debit, credit = session.execute(
            select(func.sum(JournalLine.debit), func.sum(JournalLine.credit))
        ).one()
        assert debit == credit
        saved = sum(
            savings.balances(session, member_id)[SavingsKind.SUKARELA]
            for member_id in set(site.members)
        )
        assert saved == total * AMOUNT
