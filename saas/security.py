"""Session lifecycle (binding, rotation, timeouts) and the security headers on every response."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from flask import current_app, flash, g, render_template, request
from flask import session as flask_session  # noqa: TID251 - this module owns the session
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from saas.access import view_access

if TYPE_CHECKING:
    from saas.accounts.identity import SignedInUser
    from saas.config import Settings

SEEN_WRITE_INTERVAL = 60  # seconds between refreshes of the idle timer (each one sets a cookie)


def session_tenant_id() -> int | None:
    value = flask_session.get("tenant_id")
    return value if isinstance(value, int) else None


REGISTRATION_KEY = "registration"


def remember_registration(public_id: str) -> None:
    """Keep the visitor's sign-up in progress so the wizard resumes where it stopped."""
    flask_session[REGISTRATION_KEY] = public_id


def remembered_registration() -> str | None:
    value = flask_session.get(REGISTRATION_KEY)
    return value if isinstance(value, str) else None


def forget_registration() -> None:
    flask_session.pop(REGISTRATION_KEY, None)


def start_session(user: SignedInUser) -> None:
    """Sign in with a fresh session (nothing from before survives) bound to this host's tenant."""
    flask_session.clear()
    tenant = g.get("tenant")
    now = int(time.time())
    flask_session["tenant_id"] = tenant.id if tenant is not None else None
    flask_session["login_at"] = now
    flask_session["seen_at"] = now
    flask_session.permanent = True
    login_user(user)


def session_is_blank() -> bool:
    """True while this visitor's session holds nothing and nothing was written to it."""
    return not flask_session and not flask_session.modified


def end_session() -> None:
    logout_user()
    flask_session.clear()


def enforce_session_timeouts() -> None:
    """before_request: expire idle or too-old sessions; refresh the idle timer now and then."""
    login_at = flask_session.get("login_at")
    if login_at is None:
        return
    settings: Settings = current_app.extensions["guyub.settings"]
    now = int(time.time())
    seen_at = int(flask_session.get("seen_at", login_at))
    idle = now - seen_at > settings.session_idle_timeout.total_seconds()
    too_old = now - int(login_at) > settings.session_absolute_timeout.total_seconds()
    if idle or too_old:
        end_session()
        flash(_("Your session has ended. Please sign in again."), "info")
        return
    if now - seen_at >= SEEN_WRITE_INTERVAL:
        flask_session["seen_at"] = now


def content_security_policy(settings: Settings, style_hashes: list[str] | None = None) -> str:
    """No inline script at all; inline style only for the exact stylesheet the pages embed."""
    # Forms may land on a cooperative's own subdomain (sign-up ends there, signed in).
    subdomains = f"{settings.preferred_scheme}://*.{settings.base_domain}:*"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            " ".join(["style-src 'self'", *(style_hashes or [])]),
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            f"form-action 'self' {subdomains}",
            "frame-ancestors 'none'",
        ]
    )


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    settings: Settings = current_app.extensions["guyub.settings"]
    headers.setdefault(
        "Content-Security-Policy",
        content_security_policy(settings, current_app.extensions.get("guyub.style_hashes")),
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if is_private_response(response):
        headers.setdefault("Cache-Control", "private, no-store")
    return response


def is_private_response(response: Response) -> bool:
    """Whether no cache may keep this response: anything but a public page seen without a session.

    The session cookie is written after this hook runs, so the session itself is asked: a page
    that holds a CSRF token, a flashed message or a signed-in user's menu belongs to one visitor.
    """
    access = view_access(request.endpoint)
    if access is None or access.login or g.get("private_page"):
        return True
    return bool(flask_session) or flask_session.modified or "Set-Cookie" in response.headers


NUL = "\x00"


def reject_nul_bytes() -> tuple[str, int] | None:
    """before_request: a NUL character in the path, the query or a form field is refused.

    PostgreSQL cannot store one in text, so it would otherwise fail deep inside a query.
    """
    fields = [request.path]
    sources = [request.args, request.form] if request.method == "POST" else [request.args]
    for source in sources:
        for key, values in source.lists():
            fields += [key, *values]
    if not any(NUL in value for value in fields):
        return None
    detail = _(
        "The request contained a NUL character, which no field accepts. Remove it and try again."
    )
    return render_template("errors/error.html", code=400, detail=detail), 400
