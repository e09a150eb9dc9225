"""Sessions end on the server, redirects stay on the host, private pages are never cached, and a
NUL character is refused politely."""

from __future__ import annotations

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from saas.access import Scope, view_access
from saas.accounts import operations as accounts
from saas.accounts.models import TenantUser
from saas.accounts.roles import Role
from tests.factories import ADMIN_EMAIL, books_of, csrf_token, login, text

NO_STORE = "private, no-store"
NUL_MESSAGE = "The request contained a NUL character"


def _session_cookie(client, host: str = "alpha.localhost") -> str:
    return client.get_cookie("guyub_session", domain=host).value


def _with_cookie(client_for, value: str):
    client = client_for("alpha")
    client.set_cookie("guyub_session", value, domain="alpha.localhost")
    return client


# -- sessions end on the server --------------------------------------------------------------


def test_a_cookie_copied_before_signing_out_no_longer_signs_in(alpha, client_for):
    login(alpha, "ana@kopalpha.id")
    copied = _session_cookie(alpha)
    assert _with_cookie(client_for, copied).get("/kelola").status_code == 200
    alpha.post("/keluar", data={"csrf_token": csrf_token(alpha, "/kelola")})
    assert _with_cookie(client_for, copied).get("/kelola").status_code == 302


def test_a_platform_admins_copied_cookie_dies_with_the_sign_out(platform, client_for):
    login(platform, ADMIN_EMAIL)
    copied = _session_cookie(platform, "localhost")
    platform.post("/keluar", data={"csrf_token": csrf_token(platform, "/admin/")})
    thief = client_for(None)
    thief.set_cookie("guyub_session", copied, domain="localhost")
    assert thief.get("/admin/").status_code == 302


def test_a_role_change_ends_the_sessions_of_the_old_role(alpha, client_for, db, tenants):
    bambang = client_for("alpha")
    login(bambang, "bambang@kopalpha.id")
    assert bambang.get("/kelola").status_code == 200
    with books_of(db, tenants.a) as session:
        chair = session.get_one(TenantUser, tenants.a.users["ketua"].id)
        treasurer = session.get_one(TenantUser, tenants.a.users["bendahara"].id)
        accounts.update_team_member(
            session, actor=chair, user=treasurer, role=Role.STAFF, is_active=True
        )
    assert bambang.get("/kelola").status_code == 302


def test_removal_from_the_team_ends_the_session(alpha, client_for, db, tenants):
    bambang = client_for("alpha")
    login(bambang, "bambang@kopalpha.id")
    with books_of(db, tenants.a) as session:
        chair = session.get_one(TenantUser, tenants.a.users["ketua"].id)
        treasurer = session.get_one(TenantUser, tenants.a.users["bendahara"].id)
        accounts.update_team_member(
            session, actor=chair, user=treasurer, role=Role.BENDAHARA, is_active=False
        )
    assert bambang.get("/kelola").status_code == 302


# -- redirects -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_value",
    [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d%0a/evil.example",
        "/%5C/evil.example",
        "%09//evil.example",
        "/\t/evil.example",
    ],
)
def test_choosing_a_language_never_sends_the_browser_to_another_host(alpha, next_value):
    response = alpha.get(f"/bahasa/en?next={next_value}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith("//")
    assert not any(ch in location for ch in "\t\r\n\\")


def test_a_line_break_in_the_way_back_after_sign_in_is_not_an_error(alpha):
    token = csrf_token(alpha)
    data = {"identifier": "ana@kopalpha.id", "password": "kata-sandi-uji-123"}
    response = alpha.post(
        "/masuk", data={**data, "csrf_token": token, "next": "/kelola\r\nSet-Cookie: x=1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/kelola")
    assert "Set-Cookie: x" not in str(response.headers)


# -- caching ---------------------------------------------------------------------------------


def test_the_sign_in_page_and_its_redirect_are_not_cached(alpha):
    assert alpha.get("/masuk").headers["Cache-Control"] == NO_STORE
    response = login(alpha, "ana@kopalpha.id")
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == NO_STORE


def test_a_public_page_seen_without_a_session_may_be_cached(client_for):
    response = client_for("alpha").get("/")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_the_national_dashboard_spreadsheet_is_not_cached(platform):
    login(platform, ADMIN_EMAIL)
    response = platform.get("/admin/dasbor.csv")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == NO_STORE


def _dummy_value(converter):
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def _dummy_url(rule) -> str:
    values = {name: _dummy_value(converter) for name, converter in rule._converters.items()}
    return rule.build(values, append_unknown=False)[1]


def _private_rules(app):
    with app.test_request_context():
        found = [(rule, view_access(rule.endpoint)) for rule in app.url_map.iter_rules()]
    return [(rule, access) for rule, access in found if access is not None and access.login]


def test_every_route_behind_a_sign_in_answers_no_store(app, client_for):
    """Signed in or not, allowed or refused: nothing behind a sign-in is kept by a cache."""
    officer, admin = client_for("alpha"), client_for(None)
    login(officer, "ana@kopalpha.id")
    login(admin, ADMIN_EMAIL)
    checked = 0
    for rule, access in _private_rules(app):
        on_platform = access.scope == Scope.PLATFORM
        signed_in = admin if on_platform else officer
        anonymous = client_for(None if on_platform else "alpha")
        method = "GET" if "GET" in rule.methods else "POST"
        for client in (signed_in, anonymous):
            response = client.open(_dummy_url(rule), method=method)
            assert response.headers.get("Cache-Control") == NO_STORE, (rule.rule, method)
            checked += 1
    assert checked > 100


# -- NUL characters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "path"),
    [
        ("alpha", "/kelola/anggota?q=sri%00"),
        ("alpha", "/kuitansi/%00"),
        (None, "/admin/?q=%00"),
        (None, "/direktori?q=%00"),
        ("alpha", "/?x%00=1"),
    ],
)
def test_a_nul_character_in_the_address_is_a_clear_400(client_for, slug, path):
    client = client_for(slug)
    login(client, "ana@kopalpha.id" if slug else ADMIN_EMAIL)
    response = client.get(path)
    assert response.status_code == 400
    assert NUL_MESSAGE in text(response)


def test_a_nul_character_in_the_sign_in_form_is_a_clear_400(alpha):
    token = csrf_token(alpha)
    response = alpha.post(
        "/masuk", data={"identifier": "ana\x00@kopalpha.id", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 400
    assert NUL_MESSAGE in text(response)


def test_a_response_that_sets_any_cookie_is_not_cached(client_for):
    response = client_for("alpha", lang=None).get("/bahasa/en?next=/")
    assert "bahasa=en" in response.headers["Set-Cookie"]
    assert response.headers["Cache-Control"] == NO_STORE
