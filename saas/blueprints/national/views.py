"""The national directory of verified cooperatives and the public dashboard (platform site)."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, make_response, render_template, request
from werkzeug.wrappers import Response

from saas import clock
from saas.access import Scope, admin_view, public
from saas.billing import queries as billing
from saas.blueprints.links import tenant_base_url
from saas.dashboard import queries as national
from saas.dashboard.nudges import list_recent_nudges
from saas.db import platform_db
from saas.regions import queries as regions

bp = Blueprint("national", __name__)

PAGE_SIZE = 30


def _region_choice() -> tuple[str, str]:
    province = request.args.get("provinsi", "")[:2]
    regency = request.args.get("kabupaten", "")[:5]
    if regency and not regency.startswith(province + "."):
        regency = ""
    return province, regency


@bp.route("/direktori")
@public(Scope.PLATFORM)
def directory() -> str:
    province, regency = _region_choice()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    text = request.args.get("q", "").strip()[:100]
    entries, total = national.search_directory(
        platform_db(),
        text=text,
        region_prefix=regency or province or None,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    paths = regions.get_paths(platform_db(), [e.tenant.region_code or "" for e in entries])
    return render_template(
        "national/directory.html",
        entries=entries,
        labels={code: regions.village_label(path) for code, path in paths.items()},
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        q=text,
        province=province,
        regency=regency,
        provinces=regions.list_children(platform_db(), None),
        regencies=regions.list_children(platform_db(), province) if province else [],
        tenant_url=tenant_base_url,
    )


def _plans() -> dict[str, object]:
    """The cooperatives' plans by province and by sponsor, counted (never their money: the
    page is public, and the admins' billing overview has the MRR)."""
    counts = billing.count_plans(platform_db(), clock.today())
    names = {region.code: region.name for region in regions.list_children(platform_db(), None)}
    return {
        "plan_counts": counts,
        "sponsor_counts": billing.count_by_sponsor(counts),
        "province_names": names,
    }


@bp.route("/dasbor")
@public(Scope.PLATFORM)
def dashboard() -> str:
    rows = national.region_figures(platform_db())
    return render_template(
        "national/dashboard.html",
        rows=rows,
        total=national.total_figures(rows),
        admin=False,
        province=None,
        **_plans(),
    )


@bp.route("/admin/dasbor")
@admin_view()
def admin_dashboard() -> str:
    province, _regency = _region_choice()
    rows = national.region_figures(platform_db(), province or None)
    region = regions.get_region(platform_db(), province) if province else None
    return render_template(
        "national/dashboard.html",
        rows=rows,
        total=national.total_figures(rows),
        admin=True,
        province=region,
        **_plans(),
    )


@bp.route("/admin/dasbor.csv")
@admin_view()
def admin_dashboard_csv() -> Response:
    province, _regency = _region_choice()
    rows = national.region_figures(platform_db(), province or None)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "kode",
            "wilayah",
            "terdaftar",
            "terverifikasi",
            "aktif_30_hari",
            "persen_terverifikasi",
            "persen_aktif",
            "menunggu_verifikasi",
            "rata_rata_hari_menunggu",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r.code,
                r.name,
                r.registered,
                r.verified,
                r.active,
                r.verified_rate,
                r.active_rate,
                r.waiting,
                "" if r.average_wait_days is None else r.average_wait_days,
            ]
        )
    response = make_response(out.getvalue())
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="dasbor-{province or "nasional"}.csv"'
    )
    return response


@bp.route("/admin/pengingat")
@admin_view()
def nudges_sent() -> str:
    """Which cooperatives were reminded that their page went stale, and when."""
    return render_template("national/nudges.html", rows=list_recent_nudges(platform_db()))
