"""Pages every host has: home, language choice, health, and the development outbox."""

from __future__ import annotations

from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from saas import clock
from saas.access import Scope, public, signed_in
from saas.accounts import operations as accounts
from saas.blueprints.auth.views import account_session, safe_next
from saas.blueprints.links import external_url, tenant_base_url
from saas.blueprints.site.page_cache import public_page
from saas.db import get_databases, platform_db, tenant_db
from saas.i18n import LOCALE_COOKIE, supported_locales
from saas.mail import ConsoleMailer
from saas.microsite.preview import render_preview
from saas.microsite.queries import get_home_page_cached
from saas.phones import whatsapp_number
from saas.tenants.queries import find_tenants_to_sign_in

bp = Blueprint("site", __name__)

ONE_YEAR = 365 * 24 * 3600
LOOPBACK = {"127.0.0.1", "::1"}


@bp.route("/")
@public()
@public_page
def home() -> Response | str:
    if g.tenant is None:
        return render_template("platform/landing.html")
    return render_home()


@bp.route("/cari-koperasi")
@public(Scope.PLATFORM)
def find_cooperative() -> str:
    """Officers and members find their cooperative by name or village, to sign in there."""
    query = " ".join(request.args.get("q", "").split())[:100]
    found = find_tenants_to_sign_in(platform_db(), query) if len(query) >= 3 else []
    return render_template(
        "platform/find_cooperative.html",
        q=query,
        found=found,
        too_short=0 < len(query) < 3,
        tenant_url=tenant_base_url,
    )


def render_home() -> str:
    # At most three tenant queries, none while the summary row (read with the tenant) is
    # unchanged; the numbers come from that row (budget P3).
    page = get_home_page_cached(tenant_db, g.tenant.id, g.get("tenant_summary"))
    whatsapp = page.profile.whatsapp if page.profile else None
    return render_template(
        "tenant/public_home.html",
        page=page,
        village=g.tenant.region_label,
        days_since_update=(clock.now() - page.last_updated).days if page.last_updated else None,
        whatsapp_link=whatsapp_link(
            whatsapp, _("Hello %(cooperative)s, ", cooperative=g.tenant.display_name)
        )
        if whatsapp
        else None,
    )


def whatsapp_link(e164: str, text: str) -> str:
    """``https://wa.me/628…?text=…``: opens a chat with the message typed in."""
    return f"https://wa.me/{whatsapp_number(e164)}?text={quote(text)}"


def _back_with_locale(locale: str) -> Response:
    response = redirect(safe_next(request.values.get("next")) or "/")
    response.set_cookie(
        LOCALE_COOKIE,
        locale,
        max_age=ONE_YEAR,
        samesite="Lax",
        secure=request.is_secure,
        httponly=True,
    )
    return response


@bp.route("/bahasa/<locale>")
@public()
def choose_language(locale: str) -> Response:
    """Anonymous visitors switch language with a plain link (it only sets a cookie)."""
    if locale not in supported_locales():
        abort(404)
    return _back_with_locale(locale)


@bp.route("/bahasa", methods=["POST"])
@signed_in()
def save_language() -> Response:
    """Signed-in users switch with a form: the choice is saved on their account too."""
    locale = request.form.get("locale", "")
    if locale not in supported_locales():
        abort(400)
    accounts.set_locale(account_session(), current_user.record, locale)
    account_session().commit()
    return _back_with_locale(locale)


@bp.route("/healthz")
@public()
def healthz() -> tuple[Response, int]:
    """JSON: whether the platform database and each shard answer."""
    databases = get_databases()
    checks: dict[str, str] = {}
    engines = {"platform": databases.platform_engine, **databases.shard_engines}
    for name, engine in engines.items():
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "degraded", "databases": checks}
    return jsonify(body), 200 if healthy else 503


@bp.route("/dev/outbox")
@public(Scope.PLATFORM)
def outbox() -> str:
    """Development only: mail the console mailer kept, shown to this machine's own browser.

    404 when real mail is configured or the visitor is not on loopback, so a server left on the
    console mailer never shows password links to the world.
    """
    mailer = current_app.extensions["guyub.mailer"]
    if not isinstance(mailer, ConsoleMailer) or request.remote_addr not in LOOPBACK:
        abort(404)
    g.private_page = True
    return render_template("site/outbox.html", emails=mailer.list_recent())


@bp.route("/pratinjau.png")
@public(Scope.TENANT)
def preview_image() -> Response:
    """The cooperative's link-preview image, drawn from its name, village and badge."""
    badge = None
    if g.tenant.verified_at is not None:
        badge = _("Verified by KODE Indonesia")
    png = render_preview(g.tenant.display_name, g.tenant.region_label, badge)
    response = current_app.response_class(png, mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/robots.txt")
@public()
@public_page
def robots() -> Response:
    """Crawlers may read the public pages; sign-in and management pages are excluded."""
    lines = [
        "User-agent: *",
        "Disallow: /kelola",
        "Disallow: /admin",
        "Disallow: /masuk",
        "Disallow: /daftar",
        "Disallow: /dev",
        f"Sitemap: {external_url(g.tenant, 'site.sitemap')}",
    ]
    return current_app.response_class("\n".join(lines) + "\n", mimetype="text/plain")


@bp.route("/sitemap.xml")
@public()
@public_page
def sitemap() -> Response:
    """The public pages of this host: a cooperative's microsite, or the platform's own."""
    if g.tenant is None:
        paths = ["/", url_for("national.directory"), url_for("national.dashboard")]
    else:
        paths = ["/", url_for("site.board"), url_for("site.units")]
        paths += [url_for("site.news"), url_for("site.products")]
    root = external_url(g.tenant, "site.home").rstrip("/")
    body = render_template("site/sitemap.xml", urls=[root + path for path in paths])
    return current_app.response_class(body, mimetype="application/xml")
