"""Friendly error pages in both languages; htmx requests get the same page as a fragment."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from saas.access import view_access
from saas.accounts.roles import GRANTS, Role, role_label
from saas.blueprints.auth.forms import LoginForm
from saas.tenants.resolution import TenantMoving, TenantSuspended
from saas.uploads import MAX_UPLOAD_BYTES

log = logging.getLogger(__name__)

KNOWN = {400, 403, 404, 405, 410, 413, 429}
BARE_PAGE = '<!doctype html><meta charset="utf-8"><title>{code}</title><h1>{code}</h1>'


def register_error_handlers(app: Flask) -> None:
    # File fields state the limit and check it in the browser (templates/_forms.html).
    app.jinja_env.globals.update(
        upload_limit_bytes=MAX_UPLOAD_BYTES, upload_limit_mb=MAX_UPLOAD_BYTES // 2**20
    )

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError) -> tuple[str, int]:
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(TenantSuspended)
    def suspended(_error: TenantSuspended) -> tuple[str, int]:
        return render_template("errors/suspended.html"), 403

    @app.errorhandler(TenantMoving)
    def moving(_error: TenantMoving) -> tuple[str, int, dict[str, str]]:
        return render_template("errors/moving.html"), 503, {"Retry-After": "30"}

    @app.errorhandler(429)
    def too_many(_error: HTTPException) -> tuple[str, int]:
        if request.endpoint == "auth.login":
            form = LoginForm()
            return render_template("auth/login.html", form=form, throttled=True), 429
        return render_template("errors/error.html", code=429), 429

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        try:
            return render_template(
                "errors/error.html",
                code=code if code in KNOWN else 500,
                allowed_roles=roles_allowed_here() if code == 403 else None,
                upload_limit_mb=MAX_UPLOAD_BYTES // 2**20,
            ), code
        except Exception:
            return BARE_PAGE.format(code=code), code

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unhandled error", exc_info=error)
        try:
            return render_template("errors/error.html", code=500), 500
        except Exception:
            return BARE_PAGE.format(code=500), 500


def roles_allowed_here() -> str | None:
    """The roles that may open the refused page, named for the 403 page; None if no role can."""
    access = view_access(request.endpoint)
    if access is None or access.permission is None:
        return None
    return ", ".join(role_label(role) for role in Role if role in GRANTS[access.permission])
