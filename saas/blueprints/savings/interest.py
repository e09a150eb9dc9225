"""Interest on voluntary savings: preview a month that has ended, then post it once."""

from __future__ import annotations

import uuid
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.forms import Form, choices_from, valid_key
from saas.blueprints.labels import LEDGER_MESSAGES
from saas.blueprints.savings.views import bp
from saas.db import tenant_db
from saas.ledger import operations as ledger
from saas.ledger.rules import LedgerError
from saas.savings import interest
from saas.savings.operations import get_settings

INTEREST_MESSAGES = {
    "no_interest_rate": _l("Set the interest rate on voluntary savings first."),
    "already_paid": _l("The interest of that month has already been paid."),
    "nothing_to_pay": _l("No member earned interest that month."),
    "later_month_paid": _l("A later month's interest is paid already: months are paid in order."),
    "period_not_ended": _l("Interest is paid once the month has ended."),
    "period_closed": LEDGER_MESSAGES["period_closed"],
}
ROWS_SHOWN = 50


class MonthForm(Form):
    """The month to pay: read from the query string for the preview, posted with a key."""

    month = SelectField(_l("Month"))
    key = HiddenField(validators=[valid_key])


def month_choices(today: date) -> list[SelectChoice]:
    """Months that have ended and are still open, newest first (at most a year back)."""
    first_open = ledger.first_open_day(tenant_db()) or date(today.year - 1, today.month, 1)
    months: list[tuple[str, str]] = []
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    while (year, month) >= (first_open.year, first_open.month) and len(months) < 12:
        months.append((f"{year}-{month:02d}", f"{month:02d}/{year}"))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return choices_from(months)


def interest_page(form: MonthForm, status: int = 200) -> tuple[str, int]:
    today = clock.today()
    plan, problem = None, None
    if form.month.data and form.validate():
        year, month = (int(part) for part in form.month.data.split("-"))
        try:
            plan = interest.plan_interest(tenant_db(), year, month, today=today)
        except LedgerError as exc:
            problem = str(INTEREST_MESSAGES.get(exc.code, INTEREST_MESSAGES["nothing_to_pay"]))
        if plan and interest.find_run(tenant_db(), year, month) is not None:
            plan, problem = None, str(INTEREST_MESSAGES["already_paid"])
    return render_template(
        "savings/interest.html",
        form=form,
        plan=plan,
        problem=problem,
        shown=ROWS_SHOWN,
        rate_bp=get_settings(tenant_db()).sukarela_interest_bp,
        runs=interest.list_runs(tenant_db()),
    ), status


def month_form(formdata: object = None) -> MonthForm:
    form = MonthForm(formdata=formdata, meta={"csrf": formdata is not request.args})
    form.month.choices = month_choices(clock.today())
    if form.key.data is None:
        form.key.data = str(uuid.uuid4())
    return form


@bp.route("/simpanan/bunga")
@tenant_view(Permission.KEEP_BOOKS)
def interest_index() -> tuple[str, int]:
    form = month_form(request.args)
    chosen_badly = bool(form.month.data) and not form.validate()
    return interest_page(form, 422 if chosen_badly else 200)


@bp.route("/simpanan/bunga", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def pay_interest() -> Response | tuple[str, int]:
    form = month_form(request.form)
    if not form.validate() or not form.month.data:
        return interest_page(form, 422)
    year, month = (int(part) for part in form.month.data.split("-"))
    try:
        plan = interest.plan_interest(
            tenant_db(),
            year,
            month,
            today=clock.today(),
        )
        run, created = interest.post_interest(
            tenant_db(), plan, idempotency_key=form.key.data, user_id=current_user.id
        )
        tenant_db().commit()
    except LedgerError as exc:
        tenant_db().rollback()
        form.month.errors = [
            str(INTEREST_MESSAGES.get(exc.code, INTEREST_MESSAGES["already_paid"]))
        ]
        return interest_page(form, 422)
    if created:
        flash(
            _(
                "Interest of %(month)s paid to %(count)s members.",
                month=f"{month:02d}/{year}",
                count=run.members,
            ),
            "success",
        )
    return redirect(url_for("savings.interest_index"))
