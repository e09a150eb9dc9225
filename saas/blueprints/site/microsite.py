"""The microsite's public sections beyond the home page: board, units, news, products and the
published financial reports (no sign-in)."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from flask import abort, current_app, g, render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response

from saas.access import Scope, public
from saas.blueprints.labels import FUND_LABELS
from saas.blueprints.links import external_url
from saas.blueprints.site.page_cache import public_page
from saas.blueprints.site.views import bp
from saas.db import tenant_db
from saas.gerai import queries as gerai_queries
from saas.ledger.rules import account_name
from saas.microsite import operations as microsite
from saas.microsite.operations import public_owner
from saas.microsite.rules import PENGURUS, sanitize_news_body
from saas.phones import whatsapp_number
from saas.publishing import operations as publishing
from saas.storage import Storage, small_variant

PHOTO_NAME = re.compile(r"^[0-9a-f]{32}(_s)?\.(jpg|png)$")


def order_link(whatsapp: str | None, product_name: str) -> str | None:
    """A wa.me link to the cooperative's WhatsApp with the order already typed in."""
    if not whatsapp:
        return None
    text = _("Hello, I would like to order %(product)s.", product=product_name)
    return f"https://wa.me/{whatsapp_number(whatsapp)}?text={quote(text)}"


@bp.app_template_global("news_html")
def news_html(body: str) -> Markup:
    """A news body as safe HTML (escaped plain text, or pasted HTML cleaned by nh3)."""
    return Markup(sanitize_news_body(body))  # noqa: S704 - nh3 has cleaned it


@bp.route("/pengurus")
@public(Scope.TENANT)
@public_page
def board() -> str:
    members = microsite.list_board(tenant_db())
    return render_template(
        "microsite/board.html",
        pengurus=[m for m in members if m.position in PENGURUS],
        pengawas=[m for m in members if m.position not in PENGURUS],
    )


@bp.route("/unit-usaha")
@public(Scope.TENANT)
@public_page
def units() -> str:
    return render_template("microsite/units.html", units=microsite.list_units(tenant_db()))


@bp.route("/berita")
@public(Scope.TENANT)
@public_page
def news() -> str:
    return render_template("microsite/news.html", posts=microsite.list_news(tenant_db()))


@bp.route("/berita/<int:post_id>")
@public(Scope.TENANT)
@public_page
def news_post(post_id: int) -> str:
    post = microsite.get_news_for_tenant(tenant_db(), post_id)
    if post is None:
        abort(404)
    return render_template("microsite/news_post.html", post=post)


@bp.route("/produk")
@public(Scope.TENANT)
@public_page
def products() -> str:
    profile = microsite.get_profile(tenant_db())
    whatsapp = profile.whatsapp if profile else None
    items = [
        (product, order_link(whatsapp, product.name))
        for product in microsite.list_products(tenant_db(), available_only=True)
    ]
    shop = [
        (product, order_link(whatsapp, product.name))
        for product in gerai_queries.public_products(tenant_db())
    ]
    return render_template("microsite/products.html", items=items, shop=shop)


@bp.route("/foto/<owner>/<name>")
@public(Scope.TENANT)
def photo(owner: str, name: str) -> Response:
    """A public image of this cooperative (logo, board, units); never its private documents."""
    if owner != public_owner(g.tenant.schema_name) or not PHOTO_NAME.fullmatch(name):
        abort(404)
    storage: Storage = current_app.extensions["guyub.storage"]
    try:
        content = storage.read(f"{owner}/{name}")
    except FileNotFoundError:
        full = name.replace("_s.", ".")  # an image stored before small copies existed
        if full == name:
            abort(404)
        try:
            content = storage.read(f"{owner}/{full}")
        except FileNotFoundError:
            abort(404)
    mimetype = "image/png" if name.endswith(".png") else "image/jpeg"
    response = current_app.response_class(content, mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"  # keys never change
    return response


@bp.app_template_global("photo_url")
def photo_url(key: str | None, *, small: bool = False) -> str | None:
    """The public URL of an image, or of its small copy (192 px) for thumbnails and avatars."""
    if not key:
        return None
    owner, name = (small_variant(key) if small else key).split("/")
    return url_for("site.photo", owner=owner, name=name)


@bp.app_template_global("canonical_url")
def canonical_url(endpoint: str = "site.home", **values: object) -> str:
    """An absolute URL on this host's canonical name (the cooperative's, or the platform's),
    whatever name or port the request came in by: links people share and crawlers keep."""
    return external_url(g.get("tenant"), endpoint, **values)


@bp.app_template_global("account_label")
def account_label(code: str, name: str | None) -> str:
    """A published statement's account: the cooperative's name for it, else the template's."""
    return account_name(code, name)


@bp.route("/laporan-keuangan")
@public(Scope.TENANT)
@public_page
def financial_reports() -> str:
    return render_template("microsite/reports.html", reports=publishing.list_published(tenant_db()))


@bp.route("/laporan-keuangan/<int:year>")
@public(Scope.TENANT)
@public_page
def financial_report(year: int) -> str:
    report = publishing.get_published(tenant_db(), year)
    if report is None:
        abort(404)
    shu = report.figures.get("shu")
    return render_template(
        "microsite/report.html",
        report=report,
        year_end=date(year, 12, 31),
        decided_on=date.fromisoformat(shu["decided_on"]) if shu else None,
        fund_labels=FUND_LABELS,
    )
