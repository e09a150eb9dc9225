"""The cooperative's own web address (a paid extra): name it, have it checked, stop using it;
and the question a TLS proxy asks before it gets a certificate for an address."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from saas.access import Scope, public, tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.billing.limits import plan_feature_message
from saas.blueprints.billing.views import bp
from saas.blueprints.forms import Form
from saas.blueprints.links import tenant_host
from saas.db import platform_db
from saas.tenants import domains

DOMAIN_MESSAGES = {
    "invalid": _l("Enter a web address such as koperasisukamaju.id, without spaces."),
    "ours": _l("That address is already the cooperative's address at Guyub. Enter your own."),
    "reserved": _l("That address cannot be used on the internet. Enter one you have bought."),
    "taken": _l("Another cooperative uses that address already."),
    "has_one": _l("Stop using the current address before naming another one."),
}


class DomainForm(Form):
    host = StringField(
        _l("Your web address"),
        validators=[InputRequired(_l("Enter the web address.")), Length(max=253)],
        render_kw={"inputmode": "url", "autocapitalize": "none", "spellcheck": "false"},
    )


def domain_page(form: DomainForm | None = None, status: int = 200) -> tuple[str, int]:
    settings = current_app.extensions["guyub.settings"]
    current = domains.custom_domain(platform_db(), g.tenant.id)
    return render_template(
        "billing/domain.html",
        form=form or DomainForm(),
        current=current,
        covered=domains.covered_by_plan(platform_db(), g.tenant.id),
        feature_message=plan_feature_message("custom_domain"),
        target=tenant_host(settings, g.tenant.slug).split(":")[0],
        apex=current is not None and domains.is_apex(current.host),
    ), status


@bp.route("/kelola/langganan/domain")
@tenant_view(Permission.MANAGE_BILLING)
def domain() -> tuple[str, int]:
    return domain_page()


@bp.route("/kelola/langganan/domain", methods=["POST"])
@tenant_view(Permission.MANAGE_BILLING)
def add_domain() -> Response | tuple[str, int]:
    form = DomainForm()
    if not form.validate_on_submit():
        return domain_page(form, 422)
    base_domain = current_app.extensions["guyub.settings"].base_domain
    try:
        host = domains.normalize_domain(form.host.data or "", base_domain)
        domains.add_custom_domain(platform_db(), g.tenant, host)
    except domains.DomainError as exc:
        platform_db().rollback()
        form.host.errors = [str(DOMAIN_MESSAGES[exc.code])]
        return domain_page(form, 409 if exc.code in {"taken", "has_one"} else 422)
    platform_db().commit()
    flash(_("Now point the address at Guyub, then check it."), "success")
    return redirect(url_for("billing.domain"), 303)


@bp.route("/kelola/langganan/domain/periksa", methods=["POST"])
@tenant_view(Permission.MANAGE_BILLING)
def check_domain() -> Response | tuple[str, int]:
    """Ask the address for its token: verified once it reaches this cooperative."""
    current = domains.custom_domain(platform_db(), g.tenant.id)
    if current is None:
        return redirect(url_for("billing.domain"), 303)
    secret = current_app.extensions["guyub.settings"].secret_key
    fetch = current_app.extensions["guyub.domain_fetch"]
    if not domains.verify_custom_domain(platform_db(), current, secret, fetch):
        platform_db().rollback()
        flash(
            _(
                "%(host)s does not reach Guyub yet. Changes to an address can take a few hours"
                " to spread; check again later.",
                host=current.host,
            ),
            "error",
        )
        return redirect(url_for("billing.domain"), 303)
    platform_db().commit()
    flash(_("%(host)s now opens the cooperative's site.", host=current.host), "success")
    return redirect(url_for("billing.domain"), 303)


@bp.route("/kelola/langganan/domain/hapus", methods=["POST"])
@tenant_view(Permission.MANAGE_BILLING)
def remove_domain() -> Response:
    if domains.remove_custom_domain(platform_db(), g.tenant.id):
        platform_db().commit()
        flash(_("The cooperative's own address is no longer used."), "success")
    return redirect(url_for("billing.domain"), 303)


@bp.route("/tls/ask")
@public(Scope.PLATFORM)
def tls_ask() -> tuple[str, int]:
    """Whether a TLS proxy (Caddy's on-demand TLS ``ask``) may get a certificate for the
    address: only a verified address whose cooperative's plan covers it."""
    host = (request.args.get("domain") or "").strip().lower()
    found = domains.domain_by_host(platform_db(), host, verified=True) if host else None
    if found is None or not domains.covered_by_plan(platform_db(), found.tenant_id):
        abort(404)
    return "", 200
