"""The loan portfolio: what is owed by collectibility class, age of arrears, product and
officer, the NPL ratio and its health band, and the month's reserve for bad loans (PPAP)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.forms import Form
from saas.blueprints.loans.forms import CollectibilityForm, SettingsForm
from saas.blueprints.loans.views import bp
from saas.db import tenant_db
from saas.i18n import rupiah_filter
from saas.ledger.rules import LedgerError, month_end
from saas.loans import collectibility
from saas.loans import operations as loans
from saas.loans.models import Collectibility

CLASS_LABELS = {
    Collectibility.LANCAR: _l("Current (lancar)"),
    Collectibility.KURANG_LANCAR: _l("Substandard (kurang lancar)"),
    Collectibility.DIRAGUKAN: _l("Doubtful (diragukan)"),
    Collectibility.MACET: _l("Loss (macet)"),
}
HEALTH_LABELS = {
    "healthy": _l("Healthy"),
    "fair": _l("Fairly healthy"),
    "unhealthy": _l("Unhealthy"),
}
RESERVE_ERRORS = {
    "period_not_ended": _l("This month has not ended yet. Its reserve is set once it has."),
    "reserve_posted": _l("The reserve of this month has been set already."),
    "period_closed": _l("The books of this month are closed, so its reserve cannot be posted."),
}
UNKNOWN_REFUSAL = _l("This could not be recorded. Open the page again and try once more.")


@bp.app_template_global("collectibility_form")
def collectibility_form() -> CollectibilityForm:
    """The loans settings page's thresholds and reserve rates, as saved."""
    form = CollectibilityForm(formdata=None)
    form.fill_from(loans.get_settings(tenant_db()))
    return form


def age_label(low: int, high: int | None) -> str:
    if high is None:
        return _("More than %(days)s days late", days=low - 1)
    return _("%(low)s to %(high)s days late", low=low, high=high)


class ReserveForm(Form):
    """The month whose reserve the treasurer confirms."""

    year = IntegerField(validators=[InputRequired(), NumberRange(min=2000, max=9999)])
    month = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=12)])


@dataclass(frozen=True)
class GroupRow:
    """One product's or officer's loans, amounts in rupiah of principal owed."""

    name: str
    count: int
    outstanding: int
    non_performing: int


def group_rows(
    groups: Mapping[Any, dict[Collectibility, collectibility.Slice]], names: Mapping[Any, str]
) -> list[GroupRow]:
    """The product or officer tables' rows, the largest first."""
    rows = [
        GroupRow(
            names.get(key) or _("No officer named"),
            sum(s.count for s in classes.values()),
            sum(s.outstanding for s in classes.values()),
            sum(classes[c].outstanding for c in collectibility.NON_PERFORMING),
        )
        for key, classes in groups.items()
    ]
    return sorted(rows, key=lambda row: (-row.outstanding, row.name))


@dataclass(frozen=True)
class ReserveOffer:
    """The month whose reserve is still to be set, in rupiah: what it needs, what is held."""

    year: int
    month: int
    required: int
    held: int

    @property
    def change(self) -> int:
        return self.required - self.held

    @property
    def end(self) -> date:
        return month_end(self.year, self.month)


def reserve_offer(today: date) -> ReserveOffer | None:
    session = tenant_db()
    month = collectibility.month_to_reserve(session, today)
    if month is None:
        return None
    end = month_end(*month)
    return ReserveOffer(
        *month,
        collectibility.required_reserve(session, end),
        collectibility.reserve_held(session, end),
    )


def portfolio_page() -> str:
    session = tenant_db()
    today = clock.today()
    book = collectibility.portfolio(session, today)
    late = collectibility.late_loans(session, book)
    may_post = current_user.can(Permission.KEEP_BOOKS)
    month = collectibility.month_to_reserve(session, today) if may_post else None
    return render_template(
        "loans/portfolio.html",
        today=today,
        book=book,
        late={grade: [x for x in late if x.grade is grade] for grade in book.by_class},
        assessed_on=collectibility.last_assessed(session),
        required=collectibility.reserve_for(session, book),
        held=collectibility.reserve_held(session, today),
        by_product=group_rows(book.by_product, collectibility.product_names(session)),
        by_officer=group_rows(
            book.by_officer, collectibility.officer_names(session, book.by_officer)
        ),
        runs=collectibility.reserve_runs(session),
        month_end=month_end(*month) if month else None,
        **labels(),
    )


def reserve_page(form: ReserveForm | None = None, error: str | None = None) -> str:
    """The month's reserve to confirm: what it needs, what is held, the change to post."""
    offer = reserve_offer(clock.today())
    if offer is not None and form is None:
        form = ReserveForm(formdata=None, year=offer.year, month=offer.month)
    return render_template("loans/portfolio_ppap.html", offer=offer, form=form, error=error)


def labels() -> dict[str, Any]:
    return {
        "CLASS_LABELS": CLASS_LABELS,
        "HEALTH_LABELS": HEALTH_LABELS,
        "NON_PERFORMING": collectibility.NON_PERFORMING,
        "age_label": age_label,
    }


@bp.route("/portofolio")
@tenant_view(Permission.READ_BOOKS)
def portfolio() -> str:
    """The portfolio as it stands today, computed live."""
    return portfolio_page()


@bp.route("/pengaturan/kolektibilitas", methods=["POST"])
@tenant_view(Permission.MANAGE_LOANS)
def save_collectibility() -> Response | tuple[str, int]:
    """Save the arrears thresholds and the PPAP rates, keeping who approves loans."""
    form = CollectibilityForm()
    if form.validate_on_submit():
        current = loans.get_settings(tenant_db())
        try:
            loans.save_settings(
                tenant_db(),
                approver_roles=list(current.approver_roles),
                approvals_required=current.approvals_required,
                arrears_days=form.arrears_days(),
                ppap_bp=form.ppap_bp(),
            )
        except LedgerError as exc:
            tenant_db().rollback()
            form.refuse(exc.code)
        else:
            tenant_db().commit()
            flash(_("The arrears thresholds and reserve rates are saved."), "success")
            return redirect(url_for("loans.settings"))
    saved = loans.get_settings(tenant_db())
    rule = SettingsForm(formdata=None)
    rule.approver_roles.data = list(saved.approver_roles)
    rule.approvals_required.data = saved.approvals_required
    return render_template("loans/settings.html", form=rule, quality=form), 422


@bp.route("/portofolio/ppap", methods=["GET", "POST"])
@tenant_view(Permission.KEEP_BOOKS)
def post_reserve() -> Response | str | tuple[str, int]:
    """Bring the reserve to what the portfolio needs at an ended month's end, once."""
    if request.method == "GET":
        return reserve_page()
    form = ReserveForm()
    if not form.validate_on_submit():
        return reserve_page(form, _("Open the page again and confirm once more.")), 422
    year, month = int(form.year.data or 0), int(form.month.data or 0)
    try:
        run = collectibility.post_reserve(
            tenant_db(), year, month, today=clock.today(), user_id=current_user.id
        )
    except LedgerError as exc:
        tenant_db().rollback()
        return reserve_page(form, str(RESERVE_ERRORS.get(exc.code, UNKNOWN_REFUSAL))), 422
    tenant_db().commit()
    flash(
        _(
            "The reserve on %(date)s is set: %(amount)s.",
            date=format_date(month_end(year, month)),
            amount=rupiah_filter(run.required),
        ),
        "success",
    )
    return redirect(url_for("loans.portfolio"))
