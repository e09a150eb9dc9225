"""The cooperative's statements on screen: neraca, PHU and the trial balance, for any date."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.db import tenant_db
from saas.ledger.models import Account
from saas.ledger.queries import balance_sheet, income_statement, trial_balance
from saas.ledger.rules import account_name

bp = Blueprint("reports", __name__, url_prefix="/kelola/laporan")


@bp.app_template_filter("account_name")
def account_name_filter(account: Account) -> str:
    return account_name(account.code, account.name)


class PeriodForm(FlaskForm):
    """The dates a report covers, read from the query string (no CSRF: it only reads)."""

    class Meta:
        csrf = False

    dari = DateField(_l("From"), validators=[Optional()])
    per = DateField(_l("Up to"), validators=[Optional()])

    def validate_per(self, field: DateField) -> None:
        if field.data and self.dari.data and field.data < self.dari.data:
            raise ValidationError(str(_l("The end date comes before the start date.")))


def period() -> tuple[PeriodForm, date, date, int]:
    """The form, the start (1 January of the end's year by default), the end (today), status."""
    today = date.today()  # noqa: DTZ011 - a calendar date
    form = PeriodForm(request.args)
    valid = form.validate()
    end = (form.per.data if valid else None) or today
    start = (form.dari.data if valid else None) or date(end.year, 1, 1)
    if not form.per.data:
        form.per.data = end
    if not form.dari.data:
        form.dari.data = start
    return form, start, end, 200 if valid else 422


@bp.route("")
@tenant_view(Permission.OFFICER_AREA)
def index() -> tuple[str, int]:
    g.private_page = True
    form, start, end, status = period()
    return render_template(
        "reports/index.html",
        form=form,
        sheet=balance_sheet(tenant_db(), end),
        income=income_statement(tenant_db(), start, end),
    ), status


@bp.route("/neraca-saldo")
@tenant_view(Permission.OFFICER_AREA)
def trial() -> tuple[str, int]:
    g.private_page = True
    form, _start, end, status = period()
    rows = trial_balance(tenant_db(), end)
    return render_template(
        "reports/trial_balance.html",
        form=form,
        rows=rows,
        end=end,
        debit=sum(r.debit for r in rows),
        credit=sum(r.credit for r in rows),
    ), status
