"""The platform admins' billing overview: each cooperative's plan, status, sponsor and MRR, the
CSV of it, and granting a sponsored plan."""

from __future__ import annotations

import csv
import io

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import DateField, Field, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from saas import clock
from saas.access import admin_view
from saas.billing import queries, sponsorships
from saas.blueprints.billing.views import STATUS_LABELS, bp
from saas.blueprints.forms import REQUIRED, Form, choices_from, within_calendar
from saas.db import platform_db
from saas.regions.queries import get_region

SPONSOR_MESSAGES = {
    "unknown_beneficiary": _l(
        "No cooperative has this web address and no region has this code (like 32.02)."
    ),
    "ends_before_it_starts": _l("The end comes before the start."),
}
FORMULA_STARTS = ("=", "+", "-", "@")


class GrantForm(Form):
    plan = SelectField(_l("Plan"))
    sponsor = StringField(
        _l("Sponsor"), validators=[DataRequired(message=REQUIRED), Length(max=120)]
    )
    beneficiary = StringField(
        _l("Cooperative (web address) or region (kode wilayah)"),
        validators=[DataRequired(message=REQUIRED), Length(max=40)],
    )
    starts_on = DateField(_l("From"), validators=[DataRequired(message=REQUIRED), within_calendar])
    ends_on = DateField(_l("Until"), validators=[DataRequired(message=REQUIRED), within_calendar])

    def validate_ends_on(self, field: Field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(str(SPONSOR_MESSAGES["ends_before_it_starts"]))


def grant_form() -> GrantForm:
    form = GrantForm()
    form.plan.choices = choices_from(
        (plan.code, plan.name) for plan in queries.list_plans(platform_db()) if plan.prices
    )
    return form


def overview_page(form: GrantForm | None = None, status: int = 200) -> tuple[str, int]:
    rows = queries.list_cooperative_billing(platform_db(), clock.today())
    by_province = queries.count_plans(platform_db(), clock.today())
    provinces = {
        count.province: region.name
        for count in by_province
        if count.province and (region := get_region(platform_db(), count.province))
    }
    return render_template(
        "billing/admin.html",
        rows=rows,
        by_province=by_province,
        by_sponsor=queries.count_by_sponsor(by_province),
        provinces=provinces,
        total_mrr=sum(row.mrr for row in rows),
        sponsorships=sponsorships.list_sponsorships(platform_db()),
        form=form or grant_form(),
        status_labels=STATUS_LABELS,
    ), status


@bp.route("/admin/langganan")
@admin_view()
def admin_overview() -> tuple[str, int]:
    return overview_page()


@bp.route("/admin/langganan/sponsor", methods=["POST"])
@admin_view()
def grant() -> Response | tuple[str, int]:
    form = grant_form()
    if not form.validate_on_submit():
        return overview_page(form, 422)
    try:
        sponsorship = sponsorships.grant_sponsorship(
            platform_db(),
            admin_id=current_user.record.id,
            plan=queries.get_plan(platform_db(), form.plan.data or ""),
            sponsor=form.sponsor.data or "",
            beneficiary=sponsorships.find_beneficiary(platform_db(), form.beneficiary.data or ""),
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
        )
    except sponsorships.SponsorshipError as exc:
        platform_db().rollback()
        form.beneficiary.errors = [str(SPONSOR_MESSAGES[exc.code])]
        return overview_page(form, 422)
    platform_db().commit()
    flash(_("%(sponsor)s sponsors the plan.", sponsor=sponsorship.sponsor), "success")
    return redirect(url_for("billing.admin_overview"), 303)


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@bp.route("/admin/langganan.csv")
@admin_view()
def admin_overview_csv() -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["alamat", "koperasi", "paket", "periode", "status", "sponsor", "mrr_rupiah"])
    for row in queries.list_cooperative_billing(platform_db(), clock.today()):
        writer.writerow(
            [
                _cell(value)
                for value in (
                    row.slug,
                    row.name,
                    row.plan,
                    row.period or "",
                    row.status or "",
                    row.sponsor or "",
                    row.mrr,
                )
            ]
        )
    response = make_response(out.getvalue())
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = 'attachment; filename="langganan.csv"'
    return response
