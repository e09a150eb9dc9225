"""The platform admins' area (KODE Indonesia): the registry of cooperatives."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from saas.access import admin_view
from saas.blueprints.admin.forms import SLUG_MESSAGES, NewCooperativeForm
from saas.db import get_databases, platform_db
from saas.tenants import queries
from saas.tenants.models import Tenant, TenantStatus
from saas.tenants.operations import resume_tenant, suspend_tenant
from saas.tenants.provisioning import ProvisioningError, provision_tenant
from saas.tenants.rules import SlugError

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.route("/")
@admin_view()
def home() -> str:
    search = request.args.get("q", "").strip()[:100]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    tenants, total = queries.list_tenants(
        platform_db(), search=search, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    return render_template(
        "admin/home.html",
        tenants=tenants,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        search=search,
        counts=queries.count_tenants_by_status(platform_db()),
    )


@bp.route("/koperasi/baru", methods=["GET", "POST"])
@admin_view()
def new_cooperative() -> Response | str | tuple[str, int]:
    """Provision a cooperative by hand (self-registration is the usual way in)."""
    form = NewCooperativeForm()
    status = 200
    if form.validate_on_submit():
        try:
            tenant = provision_tenant(
                get_databases(),
                current_app.extensions["guyub.settings"],
                slug=form.slug.data or "",
                display_name=form.display_name.data or "",
                default_locale=form.default_locale.data or "id",
                session=platform_db(),
            )
        except SlugError as exc:
            form.slug.errors = [str(SLUG_MESSAGES[exc.code])]
        except ProvisioningError:
            flash(_("The cooperative could not be set up. Nothing was saved; try again."), "error")
            status = 503
        else:
            flash(_("%(name)s is ready.", name=tenant.display_name), "success")
            return redirect(url_for("admin.home"))
    return render_template("admin/new_cooperative.html", form=form), 422 if form.errors else status


def _tenant_or_404(tenant_id: int) -> Tenant:
    tenant = platform_db().get(Tenant, tenant_id)
    if tenant is None or tenant.status in (TenantStatus.FAILED, TenantStatus.PROVISIONING):
        abort(404)
    return tenant


@bp.route("/koperasi/<int:tenant_id>/tangguhkan", methods=["POST"])
@admin_view()
def suspend(tenant_id: int) -> Response:
    tenant = _tenant_or_404(tenant_id)
    reason = request.form.get("reason", "").strip()[:500]
    if not reason:
        flash(_("Write the reason for suspending %(name)s.", name=tenant.display_name), "error")
        return redirect(url_for("admin.home"))
    if tenant.status == TenantStatus.ACTIVE:
        suspend_tenant(platform_db(), tenant, reason)
        platform_db().commit()
        flash(_("%(name)s is suspended.", name=tenant.display_name), "success")
    return redirect(url_for("admin.home"))


@bp.route("/koperasi/<int:tenant_id>/aktifkan", methods=["POST"])
@admin_view()
def resume(tenant_id: int) -> Response:
    tenant = _tenant_or_404(tenant_id)
    if tenant.status == TenantStatus.SUSPENDED:
        resume_tenant(platform_db(), tenant)
        platform_db().commit()
        flash(_("%(name)s is active again.", name=tenant.display_name), "success")
    return redirect(url_for("admin.home"))
