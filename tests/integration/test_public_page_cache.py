"""Every public page of a microsite is kept whole for anonymous visitors: validated by its ETag
or its date and answered 304 before anything renders, changed as soon as an officer changes
something public, and shared through Redis by every worker when REDIS_URL is set."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from werkzeug.http import http_date

from saas import create_app
from saas.blueprints.site.page_cache import LocalPages, RedisPages, make_store
from saas.gerai import operations as gerai
from tests.conftest import free_port
from tests.factories import books_of, count_statements, csrf_from, csrf_token, login, text

PUBLIC_PAGES = [
    "/",
    "/pengurus",
    "/unit-usaha",
    "/berita",
    "/produk",
    "/laporan-keuangan",
    "/robots.txt",
    "/sitemap.xml",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_visitor_holding_a_public_page_is_answered_304_before_it_renders(client_for, db, path):
    visitor = client_for("alpha")
    first = visitor.get(path)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"
    assert "Last-Modified" in first.headers
    etag = first.headers["ETag"]

    held, statements = count_statements(
        db, lambda: visitor.get(path, headers={"If-None-Match": etag})
    )

    assert held.status_code == 304
    assert held.data == b""
    assert len(statements) == 1  # resolving the tenant: nothing rendered, nothing read


def test_a_visitor_holding_a_page_by_its_date_is_answered_304(client_for, db):
    visitor = client_for("alpha")
    modified = visitor.get("/berita").headers["Last-Modified"]
    assert visitor.get("/berita", headers={"If-Modified-Since": modified}).status_code == 304
    older = http_date(0)
    assert visitor.get("/berita", headers={"If-Modified-Since": older}).status_code == 200


def test_a_news_post_and_its_page_change_as_soon_as_an_officer_publishes(
    alpha, client_for, db, tenants
):
    visitor = client_for("alpha")
    post_path = f"/berita/{tenants.a.news[0].id}"
    before = {path: visitor.get(path).headers["ETag"] for path in ("/berita", post_path)}
    login(alpha, "ana@kopalpha.id")
    published = alpha.post(
        "/kelola/berita",
        data={
            "title": "Panen raya kopi",
            "body": "Hasil panen kopi tahun ini naik.",
            "csrf_token": csrf_token(alpha, "/kelola/berita"),
        },
    )
    assert published.status_code == 302

    news = visitor.get("/berita", headers={"If-None-Match": before["/berita"]})

    assert news.status_code == 200
    assert "Panen raya kopi" in text(news)
    assert visitor.get(post_path).headers["ETag"] != before[post_path]


def test_a_page_missing_is_never_kept(client_for, db):
    visitor = client_for("alpha")
    assert visitor.get("/berita/999999").status_code == 404
    assert "ETag" not in visitor.get("/berita/999999").headers


def test_another_cooperatives_page_is_never_served_from_the_cache(client_for, db):
    alpha_page = client_for("alpha").get("/pengurus")
    beta_page = client_for("beta").get("/pengurus")
    assert alpha_page.headers["ETag"] != beta_page.headers["ETag"]
    assert "Ana Alpha" in text(alpha_page)
    assert "Ana Alpha" not in text(beta_page)


def test_a_page_in_another_language_is_kept_apart(client_for, db):
    english = client_for("alpha", lang="en").get("/unit-usaha")
    indonesian = client_for("alpha", lang="id").get("/unit-usaha")
    assert english.headers["ETag"] != indonesian.headers["ETag"]
    assert 'lang="id"' in text(indonesian)


def test_without_redis_each_worker_keeps_its_own_pages():
    assert isinstance(make_store(""), LocalPages)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis server on loopback for the session, with nothing written to disk."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: `make test` installs Debian's redis-server")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def two_workers(settings, redis_url, db) -> Iterator[tuple[Flask, Flask]]:
    """Two worker processes' applications sharing one Redis, each on the test's databases."""
    shared = replace(settings, redis_url=redis_url)
    workers = (create_app(shared), create_app(shared))
    own = [worker.extensions["guyub.databases"] for worker in workers]
    for worker in workers:
        worker.extensions["guyub.databases"] = db  # the test's transactions, rolled back
    workers[0].extensions["guyub.pages"].clear()
    yield workers
    for databases in own:
        databases.dispose()


def test_with_redis_a_page_one_worker_rendered_is_served_by_another(two_workers, db):
    first, second = (worker.test_client() for worker in two_workers)
    rendered = first.get("/pengurus", base_url="http://alpha.localhost")
    assert rendered.status_code == 200

    served, statements = count_statements(
        db, lambda: second.get("/pengurus", base_url="http://alpha.localhost")
    )

    assert served.status_code == 200
    assert served.headers["ETag"] == rendered.headers["ETag"]
    assert "Ana Alpha" in text(served)
    assert len(statements) == 1  # resolving the tenant: the board was not read again


def test_a_redis_that_does_not_answer_is_a_miss_and_never_a_failed_page(app, client_for, db):
    closed = RedisPages(f"redis://127.0.0.1:{free_port()}/0")
    assert closed.get("anything") is None
    closed.set("anything", b"text/html\n")  # nothing raised: the page is served uncached
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.extensions, "guyub.pages", closed)
        page = client_for("alpha").get("/unit-usaha")
    assert page.status_code == 200


def test_the_catalogue_follows_a_shop_price_change_at_once(alpha, client_for, db, tenants):
    """A public product's new price shows to visitors holding the old page."""
    unit_id = tenants.a.units[0].id
    with books_of(db, tenants.a) as session:
        rice = gerai.save_product(
            session,
            unit_id,
            None,
            gerai.ProductDetails("899100", "Beras Pandan", "kg", 15_000, 12_000, 3, True, True),
        )
        session.commit()
        rice_id = rice.id
    visitor = client_for("alpha")
    held = visitor.get("/produk")
    assert "Rp15,000" in text(held)
    login(alpha, "bambang@kopalpha.id")
    page = alpha.get(f"/kelola/gerai/{unit_id}/produk/{rice_id}")
    changed = {
        "csrf_token": csrf_from(page),
        "code": "899100",
        "name": "Beras Pandan",
        "measure": "kg",
        "price": "16.000",
        "is_public": "y",
        "is_active": "y",
    }
    assert alpha.post(f"/kelola/gerai/{unit_id}/produk/{rice_id}", data=changed).status_code == 302

    now = visitor.get("/produk", headers={"If-None-Match": held.headers["ETag"]})

    assert now.status_code == 200
    assert "Rp16,000" in text(now)
