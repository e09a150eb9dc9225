"""The platform admins' area (KODE Indonesia): the registry of cooperatives."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from saas.access import admin_view
from saas.db import platform_db
from saas.tenants import queries
from saas.tenants.models import Tenant, TenantStatus
from saas.tenants.operations import resume_tenant, suspend_tenant

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.route("/")
@admin_view()
def home() -> str:
    g.private_page = True
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
        flash(_("%(name)s is suspended.", name=tenant.display_name), "success")
    return redirect(url_for("admin.home"))


@bp.route("/koperasi/<int:tenant_id>/aktifkan", methods=["POST"])
@admin_view()
def resume(tenant_id: int) -> Response:
    tenant = _tenant_or_404(tenant_id)
    if tenant.status == TenantStatus.SUSPENDED:
        resume_tenant(platform_db(), tenant)
        flash(_("%(name)s is active again.", name=tenant.display_name), "success")
    return redirect(url_for("admin.home"))
