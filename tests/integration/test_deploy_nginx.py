"""The reverse proxy of ``deploy/``: real nginx in front of the application on loopback keeps
an anonymous public page and serves it again without the application, and never keeps a
signed-in visitor's page or a private one."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.conftest import free_port
from tests.factories import csrf_token, login
from tests.nginx_proxy import nginx_in_front


@pytest.fixture
def proxied(app, db, tmp_path) -> Iterator[int]:
    """The application served on loopback (on the test's transactions), nginx in front; the
    proxy's port."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with nginx_in_front(port, tmp_path / "nginx") as proxy_port:
            yield proxy_port
    finally:
        server.shutdown()


def get(port: int, path: str, host: str = "alpha.localhost", **headers: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host, **headers})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_an_anonymous_public_page_is_served_again_from_the_proxy(proxied):
    status, first, body = get(proxied, "/pengurus")
    assert (status, first["X-Cache-Status"]) == (200, "MISS")
    status, again, cached = get(proxied, "/pengurus")
    assert (status, again["X-Cache-Status"]) == (200, "HIT")
    assert cached == body
    assert again["ETag"] == first["ETag"]
    assert "Content-Security-Policy" in again  # the application's headers are kept


def test_each_cooperative_and_each_language_is_kept_apart(proxied):
    _, _, alpha = get(proxied, "/pengurus")
    _, beta_headers, beta = get(proxied, "/pengurus", host="beta.localhost")
    assert beta_headers["X-Cache-Status"] == "MISS"
    assert b"Ana Alpha" in alpha
    assert b"Ana Alpha" not in beta
    _, english_headers, _ = get(proxied, "/pengurus", Cookie="bahasa=en")
    assert english_headers["X-Cache-Status"] == "MISS"


def test_a_visitor_with_a_session_always_reaches_the_application(proxied):
    get(proxied, "/pengurus")
    _, headers, _ = get(proxied, "/pengurus", Cookie="guyub_session=abc")
    assert headers["X-Cache-Status"] == "BYPASS"


def test_a_private_page_is_never_kept(proxied):
    for _ in range(2):
        _, headers, _ = get(proxied, "/masuk")
        assert headers["X-Cache-Status"] != "HIT"
        assert headers["Cache-Control"] == "private, no-store"


def test_an_officers_edit_reaches_a_signed_in_officer_at_once(proxied, alpha):
    """The officer's own pages pass the cache by their session; the public copy follows the
    application's max-age."""
    login(alpha, "ana@kopalpha.id")
    assert csrf_token(alpha, "/kelola/profil")
    cookie = alpha.get_cookie("guyub_session", domain="alpha.localhost")
    assert cookie is not None
    _, headers, _ = get(proxied, "/", Cookie=f"guyub_session={cookie.value}")
    assert headers["X-Cache-Status"] == "BYPASS"
    assert headers["Cache-Control"] == "private, no-store"
