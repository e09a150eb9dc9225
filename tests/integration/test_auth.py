"""Signing in and out, sessions bound to their tenant, timeouts, roles and throttling."""

from __future__ import annotations

import re
import time

from saas.accounts import operations as accounts
from saas.accounts.models import TenantUser
from tests.factories import PASSWORD, csrf_token, login, text

WRONG = "The email/phone number or password is not right."
ERROR_RE = re.compile(r'<p class="error"[^>]*>(.*?)</p>')


def test_officer_signs_in_by_email_and_lands_on_the_officer_home(alpha):
    response = login(alpha, "ana@kopalpha.id")
    assert response.status_code == 302
    assert response.headers["Location"] == "/kelola"
    home = alpha.get("/kelola")
    assert home.status_code == 200
    assert "Hello, Ana Alpha" in text(home)


def test_member_signs_in_by_phone_in_local_form_and_lands_on_member_home(alpha):
    response = login(alpha, "081100000003")
    assert response.headers["Location"] == "/anggota"


def test_wrong_password_and_unknown_account_get_the_same_answer(alpha):
    wrong_password = login(alpha, "ana@kopalpha.id", "not-the-password")
    unknown = login(alpha, "nobody@kopalpha.id", "not-the-password")
    assert wrong_password.status_code == unknown.status_code == 422
    assert WRONG in text(wrong_password)
    assert ERROR_RE.findall(text(wrong_password)) == ERROR_RE.findall(text(unknown))


def test_user_of_another_tenant_cannot_sign_in_here(alpha):
    assert login(alpha, "ani@kopbeta.id").status_code == 422


def test_sign_in_rotates_the_session(alpha):
    with alpha.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(alpha, "ana@kopalpha.id")
    with alpha.session_transaction() as session:
        assert "planted" not in session
        assert session["tenant_id"] > 0


def test_sign_out_ends_the_session(alpha):
    login(alpha, "ana@kopalpha.id")
    token = csrf_token(alpha, "/kelola")
    assert alpha.post("/keluar", data={"csrf_token": token}).status_code == 302
    assert alpha.get("/kelola").status_code == 302


def test_idle_session_expires(alpha, app):
    login(alpha, "ana@kopalpha.id")
    idle = app.extensions["guyub.settings"].session_idle_timeout.total_seconds()
    with alpha.session_transaction() as session:
        session["seen_at"] = int(time.time() - idle - 5)
    response = alpha.get("/kelola")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


def test_session_older_than_the_absolute_limit_expires_even_when_active(alpha, app):
    login(alpha, "ana@kopalpha.id")
    limit = app.extensions["guyub.settings"].session_absolute_timeout.total_seconds()
    with alpha.session_transaction() as session:
        session["login_at"] = int(time.time() - limit - 5)
        session["seen_at"] = int(time.time())
    assert alpha.get("/kelola").status_code == 302


def test_active_session_keeps_working(alpha):
    login(alpha, "ana@kopalpha.id")
    assert alpha.get("/kelola").status_code == 200
    assert alpha.get("/kelola/tim").status_code == 200


def test_session_cookie_is_host_only_httponly_and_lax(alpha):
    response = login(alpha, "ana@kopalpha.id")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Domain=" not in cookie


def test_session_from_tenant_b_is_void_on_tenant_a_even_with_colliding_user_id(alpha, beta):
    login(beta, "ani@kopbeta.id")  # user id 1 in B; A also has a user id 1 (its ketua)
    stolen = beta.get_cookie("guyub_session", domain="beta.localhost")
    assert stolen is not None
    alpha.set_cookie("guyub_session", stolen.value, domain="alpha.localhost")
    response = alpha.get("/kelola")
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]
    home = text(alpha.get("/"))
    assert "Sign in for officers and members" in home  # still a visitor on A
    assert "Sign out" not in home


def test_changed_password_voids_other_sessions(alpha, client_for, db, tenants):
    other = client_for("alpha")
    login(other, "ana@kopalpha.id")
    login(alpha, "ana@kopalpha.id")
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        user = session.get(TenantUser, tenants.a.users["ketua"].id)
        accounts.set_password(session, user, "another-long-secret-42")
    assert other.get("/kelola").status_code == 302


def test_member_cannot_open_officer_pages(alpha):
    login(alpha, "citra@kopalpha.id")
    assert alpha.get("/kelola").status_code == 403
    assert alpha.get("/kelola/tim").status_code == 403
    assert alpha.get("/anggota").status_code == 200


def test_supervisor_reads_officer_home_but_cannot_manage_the_team(alpha):
    login(alpha, "dedi@kopalpha.id")
    assert alpha.get("/kelola").status_code == 200
    assert alpha.get("/kelola/tim").status_code == 403
    token = csrf_token(alpha, "/kelola")
    response = alpha.post(
        "/kelola/tim",
        data={"name": "X", "email": "x@kopalpha.id", "role": "ketua", "csrf_token": token},
    )
    assert response.status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in_with_the_way_back(alpha):
    response = alpha.get("/kelola/tim")
    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk?next=/kelola/tim"


def test_sign_in_returns_to_a_local_next_path_only(alpha):
    token = csrf_token(alpha)
    data = {"identifier": "ana@kopalpha.id", "password": PASSWORD, "csrf_token": token}
    response = alpha.post("/masuk", data={**data, "next": "//evil.example/x"})
    assert response.headers["Location"] == "/kelola"


def test_platform_admin_signs_in_on_the_platform_host_only(platform, alpha):
    response = login(platform, "admin@kode.id")
    assert response.headers["Location"] == "/admin/"
    assert platform.get("/admin/").status_code == 200
    assert login(alpha, "admin@kode.id").status_code == 422


def test_tenant_pages_are_not_found_on_the_platform_host_and_vice_versa(platform, alpha):
    assert platform.get("/kelola").status_code == 404
    assert alpha.get("/admin/").status_code == 404


def test_login_without_csrf_token_gets_a_friendly_400(alpha):
    response = alpha.post(
        "/masuk",
        data={"identifier": "ana@kopalpha.id", "password": PASSWORD},
    )
    assert response.status_code == 400
    assert "The form has expired" in text(response)
    with alpha.session_transaction() as session:
        assert "_user_id" not in session


def test_eleventh_failed_attempt_is_refused_even_with_the_right_password(alpha):
    for _ in range(10):
        assert login(alpha, "bambang@kopalpha.id", "wrong-password").status_code == 422
    response = login(alpha, "bambang@kopalpha.id", PASSWORD)
    assert response.status_code == 429
    body = text(response)
    assert "15" in body
    assert login(alpha, "ana@kopalpha.id").status_code == 302  # other accounts are unaffected


def test_successful_sign_ins_do_not_count_towards_the_limit(client_for):
    for _ in range(12):
        assert login(client_for("alpha"), "ana@kopalpha.id").status_code == 302
