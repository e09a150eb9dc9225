"""Sign-in and reset throttling counts per cooperative and account, in PostgreSQL, so no worker,
port or spelling of a phone number starts the count afresh."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import text as sql

from saas.extensions import limiter
from saas.ratelimit_storage import PostgresStorage
from tests.factories import PASSWORD, csrf_token, login, text

ANA_PHONE_SPELLINGS = [
    "081100000001",
    "+6281100000001",
    "6281100000001",
    "0811-0000-0001",
    "0811 0000 0001",
    "+62 811 0000 0001",
    "+62-811-0000-0001",
    " 0811.0000.0001 ",
    "(0811) 00000001",
    "0811-000-00001",
]


def _fail(client, identifier: str) -> int:
    return login(client, identifier, "not-the-password").status_code


def test_every_spelling_of_one_phone_number_counts_against_one_account(client_for):
    client = client_for("alpha")
    for spelling in ANA_PHONE_SPELLINGS:
        assert _fail(client, spelling) == 422
    assert login(client, "+62 811-0000-0001").status_code == 429


def test_member_numbers_count_as_numbers(client_for):
    client = client_for("alpha")
    for spelling in ["1", "01", "001", "0001", "00001"] * 2:
        assert _fail(client, spelling) == 422
    assert _fail(client, "000001") == 429


def test_another_port_on_the_host_does_not_reset_the_count(client_for):
    plain, with_port = client_for("alpha"), client_for("alpha")
    with_port.base_url = "http://alpha.localhost:8443"
    for _ in range(5):
        assert _fail(plain, "bambang@kopalpha.id") == 422
        assert _fail(with_port, "Bambang@KopAlpha.id") == 422
    assert login(with_port, "bambang@kopalpha.id").status_code == 429
    assert login(plain, "bambang@kopalpha.id").status_code == 429


def test_the_same_identifier_on_another_cooperative_has_its_own_count(client_for):
    alpha = client_for("alpha")
    for _ in range(10):
        _fail(alpha, "bambang@kopalpha.id")
    assert _fail(client_for("beta"), "bambang@kopalpha.id") == 422


def test_counters_live_in_postgresql(app, client_for, db):
    _fail(client_for("alpha"), "bambang@kopalpha.id")
    assert isinstance(limiter.storage, PostgresStorage)
    with app.extensions["guyub.databases"].platform_engine.connect() as connection:
        counts = connection.execute(
            sql("SELECT count FROM rate_limit_counters WHERE key LIKE '%login%'")
        ).scalars()
        assert 1 in set(counts)


# -- two processes, one count --------------------------------------------------------------------

OTHER_WORKER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from tests.conftest import make_settings, HostClient
    from tests.factories import login
    from saas import create_app

    shards, instance, attempts = json.loads(sys.argv[1])
    app = create_app(make_settings(shards, Path(instance)))
    client = HostClient(app, app.response_class, use_cookies=True)
    client.base_url = "http://alpha.localhost"
    codes = [login(client, "bambang@kopalpha.id", "not-the-password").status_code
             for _ in range(attempts)]
    print(json.dumps(codes))
    """
)


def _in_another_process(shard_urls, instance: Path, attempts: int) -> list[int]:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER, json.dumps([shard_urls, str(instance), attempts])],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
        timeout=240,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_app_processes_share_one_count(client_for, shard_urls, tmp_path):
    """Five failures in another process and five here: the eleventh is refused in either."""
    assert _in_another_process(shard_urls, tmp_path, 5) == [422] * 5
    here = client_for("alpha")
    for _ in range(5):
        assert _fail(here, "bambang@kopalpha.id") == 422
    assert login(here, "bambang@kopalpha.id", PASSWORD).status_code == 429
    assert _in_another_process(shard_urls, tmp_path, 1) == [429]


# -- password reset requests -----------------------------------------------------------------


def _ask_reset(client, address: str) -> int:
    token = csrf_token(client, "/lupa-sandi")
    return client.post("/lupa-sandi", data={"email": address, "csrf_token": token}).status_code


def _queued_resets(db) -> int:
    with db.platform_session() as session:
        return session.scalar(
            sql(
                "SELECT count(*) FROM procrastinate_jobs "
                "WHERE task_name = 'saas.jobs.send_password_reset'"
            )
        )


def test_reset_requests_for_one_account_are_limited(client_for, db, outbox):
    client = client_for("alpha")
    for spelling in ["bambang@kopalpha.id", "Bambang@kopalpha.id", "BAMBANG@KOPALPHA.ID"]:
        assert _ask_reset(client, spelling) == 302
    assert _ask_reset(client, "bambang@kopalpha.id") == 429
    assert _queued_resets(db) == 3
    assert outbox == []  # the request itself sends nothing: a job does


def test_reset_requests_from_one_address_are_limited(client_for, db):
    client = client_for("alpha")
    for n in range(10):
        assert _ask_reset(client, f"orang{n}@contoh.id") == 302
    response_code = _ask_reset(client, "orang-lagi@contoh.id")
    assert response_code == 429
    assert _queued_resets(db) == 10


def test_a_reset_request_for_an_unknown_email_queues_the_same_job(client_for, db, outbox):
    client = client_for("alpha")
    assert _ask_reset(client, "nobody@kopalpha.id") == 302
    assert _ask_reset(client, "bambang@kopalpha.id") == 302
    assert _queued_resets(db) == 2
    assert outbox == []
    assert "we have sent a link" in text(client.get("/masuk"))


def test_a_counter_adds_up_within_its_window_and_starts_again_after_it(db):
    storage = limiter.storage
    assert storage.incr("uji:window", 900) == 1
    assert storage.incr("uji:window", 900, amount=2) == 3
    assert storage.get("uji:window") == 3
    storage.clear("uji:window")
    assert storage.get("uji:window") == 0
    # A window of no length is over at once: the next increment opens a new one.
    assert storage.incr("uji:over", 0) == 1
    assert storage.incr("uji:over", 0) == 1
    assert storage.get("uji:over") == 0
    assert storage.check()
