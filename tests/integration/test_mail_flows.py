"""Password reset and invitations, delivered through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import quopri
import re

import itsdangerous.timed
import pytest

from saas.accounts.tokens import make_token, password_fingerprint
from tests.factories import PASSWORD, csrf_token, login, text
from tests.queued import run_queued_reset_mail

LINK_RE = re.compile(r"http://[^\s]+")


def link_in(message: dict[str, object]) -> str:
    parsed = email.message_from_string(str(message["data"]))
    payload = parsed.get_payload(decode=True)
    content = payload.decode() if payload else quopri.decodestring(str(message["data"])).decode()
    match = LINK_RE.search(content)
    assert match, content
    return match.group(0)


def ask_reset(client, address):
    """Ask for a reset link, then let the mail job run."""
    token = csrf_token(client, "/lupa-sandi")
    response = client.post("/lupa-sandi", data={"email": address, "csrf_token": token})
    run_queued_reset_mail(client.application)
    return response


def set_new_password(client, path, password, confirm=None):
    token = csrf_token(client, path)
    return client.post(
        path,
        data={"password": password, "confirm": confirm or password, "csrf_token": token},
    )


def test_password_reset_by_email_link_end_to_end(alpha, client_for, outbox):
    response = ask_reset(alpha, "bambang@kopalpha.id")
    assert response.status_code == 302
    assert len(outbox) == 1
    assert outbox[0]["to"] == ["bambang@kopalpha.id"]
    link = link_in(outbox[0])
    assert link.startswith("http://alpha.localhost/atur-sandi/")
    path = link.removeprefix("http://alpha.localhost")
    assert set_new_password(alpha, path, "sawah-hijau-2026").status_code == 302
    assert login(client_for("alpha"), "bambang@kopalpha.id", "sawah-hijau-2026").status_code == 302
    assert login(client_for("alpha"), "bambang@kopalpha.id", PASSWORD).status_code == 422
    reused = client_for("alpha").get(path)
    assert reused.status_code == 410
    assert "expired or was already used" in text(reused)


def test_reset_request_for_an_unknown_email_looks_the_same_and_sends_nothing(alpha, outbox):
    known = ask_reset(alpha, "bambang@kopalpha.id")
    unknown = ask_reset(alpha, "nobody@kopalpha.id")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert len(outbox) == 1


def test_expired_reset_link_gets_a_clear_page(app, alpha, tenants, monkeypatch):
    user = tenants.a.users["bendahara"]
    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() - 2 * 3600)
    token = make_token(
        app.extensions["guyub.settings"].secret_key,
        "reset",
        {
            "k": "t",
            "tid": tenants.a.tenant.id,
            "uid": user.id,
            "fp": password_fingerprint(user.password_hash, user.session_version),
        },
    )
    monkeypatch.undo()
    response = alpha.get(f"/atur-sandi/{token}")
    assert response.status_code == 410
    assert "expired" in text(response)


def test_tampered_reset_link_is_not_found(alpha):
    response = alpha.get("/atur-sandi/not-a-real-token")
    assert response.status_code == 404
    assert "not valid" in text(response)


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1", "at least 8"), ("password123", "too common"), ("bambang-alpha-99", "your name")],
)
def test_weak_new_passwords_are_refused_with_the_reason(alpha, outbox, password, message):
    ask_reset(alpha, "bambang@kopalpha.id")
    path = link_in(outbox[0]).removeprefix("http://alpha.localhost")
    response = set_new_password(alpha, path, password)
    assert response.status_code == 422
    assert message in text(response)


def test_mismatched_confirmation_is_refused(alpha, outbox):
    ask_reset(alpha, "bambang@kopalpha.id")
    path = link_in(outbox[0]).removeprefix("http://alpha.localhost")
    response = set_new_password(alpha, path, "sawah-hijau-2026", "sawah-hijau-2027")
    assert response.status_code == 422
    assert "not the same" in text(response)


def invite(client, name, address, role="bendahara"):
    token = csrf_token(client, "/kelola/tim")
    return client.post(
        "/kelola/tim",
        data={"name": name, "email": address, "role": role, "csrf_token": token},
    )


def test_invite_a_colleague_who_accepts_and_signs_in_with_the_role(alpha, client_for, outbox):
    login(alpha, "ana@kopalpha.id")
    assert invite(alpha, "Heru Kasir", "heru@kopalpha.id", "staff").status_code == 302
    assert outbox[0]["to"] == ["heru@kopalpha.id"]
    path = link_in(outbox[0]).removeprefix("http://alpha.localhost")
    assert path.startswith("/undangan/")
    newcomer = client_for("alpha")
    page = newcomer.get(path)
    assert "Heru Kasir" in text(page)
    accepted = set_new_password(newcomer, path, "kopi-tubruk-77")
    assert accepted.status_code == 302
    assert newcomer.get("/kelola").status_code == 200  # staff are officers
    assert newcomer.get("/kelola/tim").status_code == 403  # but do not manage the team
    assert client_for("alpha").get(path).status_code == 410  # single use


def test_inviting_an_email_already_in_the_team_is_a_form_error(alpha, outbox):
    login(alpha, "ana@kopalpha.id")
    response = invite(alpha, "Bambang Lagi", "BAMBANG@kopalpha.id")
    assert response.status_code == 422
    assert "already uses that email" in text(response)
    assert outbox == []


def test_invitation_with_a_bad_email_is_a_form_error(alpha, outbox):
    login(alpha, "ana@kopalpha.id")
    response = invite(alpha, "Tanpa Email", "bukan-email")
    assert response.status_code == 422
    assert "valid email address" in text(response)
    assert outbox == []


def test_cancelled_invitation_no_longer_works(alpha, client_for, outbox):
    login(alpha, "ana@kopalpha.id")
    invite(alpha, "Iwan Batal", "iwan@kopalpha.id")
    path = link_in(outbox[0]).removeprefix("http://alpha.localhost")
    team = text(alpha.get("/kelola/tim"))
    action = re.search(
        r'action="(/kelola/undangan/\d+/batal)"[^<]*<input[^>]*value="([^"]+)"', team
    )
    revoke_paths = re.findall(r'action="(/kelola/undangan/\d+/batal)"', team)
    token = csrf_token(alpha, "/kelola/tim")
    assert action is not None
    alpha.post(revoke_paths[0], data={"csrf_token": token})
    assert client_for("alpha").get(path).status_code == 410


def test_the_last_manager_cannot_lock_the_team_out(alpha, tenants):
    login(alpha, "ana@kopalpha.id")
    token = csrf_token(alpha, "/kelola/tim")
    own = tenants.a.users["ketua"].id
    response = alpha.post(
        f"/kelola/tim/{own}",
        data={"role": "anggota", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "cannot change your own role" in text(response)


def test_deactivating_a_colleague_signs_them_out(alpha, client_for, tenants):
    colleague = client_for("alpha")
    login(colleague, "bambang@kopalpha.id")
    login(alpha, "ana@kopalpha.id")
    token = csrf_token(alpha, "/kelola/tim")
    user_id = tenants.a.users["bendahara"].id
    response = alpha.post(f"/kelola/tim/{user_id}", data={"role": "bendahara", "csrf_token": token})
    assert response.status_code == 302
    assert colleague.get("/kelola").status_code == 302
    assert login(client_for("alpha"), "bambang@kopalpha.id").status_code == 422
