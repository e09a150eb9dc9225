"""The cooperative's statements on screen: neraca, PHU and the trial balance, for any date."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from flask import Blueprint, abort, g, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from werkzeug.wrappers import Response
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.forms import Form, within_calendar
from saas.db import tenant_db
from saas.ledger.models import Account
from saas.ledger.queries import (
    BalanceSheet,
    IncomeStatement,
    balance_sheet,
    income_statement,
    trial_balance,
)
from saas.ledger.rules import account_name
from saas.members.transfer import spreadsheet_text
from saas.pdf import render_pdf

bp = Blueprint("reports", __name__, url_prefix="/kelola/laporan")
MIMETYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.app_template_filter("account_name")
def account_name_filter(account: Account) -> str:
    return account_name(account.code, account.name)


class PeriodForm(Form):
    """The dates a report covers, read from the query string (no CSRF: it only reads)."""

    class Meta:
        csrf = False

    dari = DateField(_l("From"), validators=[Optional(), within_calendar])
    per = DateField(_l("Up to"), validators=[Optional(), within_calendar])

    def validate_per(self, field: DateField) -> None:
        if field.data and self.dari.data and field.data < self.dari.data:
            raise ValidationError(str(_l("The end date comes before the start date.")))


def period(form: PeriodForm | None = None) -> tuple[PeriodForm, date, date, int]:
    """The form, the start (1 January of the end's year by default), the end (today), status."""
    today = clock.today()
    if form is None:
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


@bp.route("/unduh.<any(pdf,xlsx):fmt>")
@tenant_view(Permission.OFFICER_AREA)
def download(fmt: str) -> Response:
    """The neraca and PHU of the period asked, as a PDF with the letterhead or as Excel."""
    _form, start, end, status = period()
    if status != 200:
        abort(400)
    sheet = balance_sheet(tenant_db(), end)
    income = income_statement(tenant_db(), start, end)
    if fmt == "pdf":
        html = render_template("reports/statements_pdf.html", sheet=sheet, income=income)
        body = render_pdf(html)
    else:
        body = statements_xlsx(sheet, income, trial_balance(tenant_db(), end))
    return file_response(body, f"laporan-{g.tenant.slug}-{end.isoformat()}.{fmt}")


def file_response(body: bytes, filename: str) -> Response:
    """A PDF or Excel file to save, kept out of every cache."""
    response = Response(body, mimetype=MIMETYPES[filename.rsplit(".", 1)[-1]])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def workbook(sheet_name: str, rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet of rows, amounts as numbers Excel can add."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])
    for row in rows:  # text a spreadsheet would run as a formula is kept as text
        sheet.append([spreadsheet_text(v) if isinstance(v, str) else v for v in row])
    return xlsx_bytes(book)


def xlsx_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def statements_xlsx(sheet: BalanceSheet, income: IncomeStatement, trial: list[Any]) -> bytes:
    """Three sheets: neraca, PHU and the trial balance, amounts as numbers Excel can add."""
    book = Workbook(write_only=True)
    rows: list[list[object]]
    position = book.create_sheet(_("Balance sheet")[:31])
    rows = [
        [_("Statement of financial position (neraca) on %(date)s", date=format_date(sheet.as_of))]
    ]
    for title, section in (
        (_("Assets"), sheet.assets),
        (_("Liabilities"), sheet.liabilities),
        (_("Equity"), sheet.equity),
    ):
        rows.append([title])
        rows += [[account_name_filter(line.account), line.amount] for line in section.lines]
    rows.append([_("SHU of the current year"), sheet.year_result])
    rows.append([_("Total assets"), sheet.assets.total])
    rows.append([_("Total liabilities and equity"), sheet.liabilities.total + sheet.equity_total])
    for row in rows:
        position.append(row)
    results = book.create_sheet("PHU")
    results.append(
        [
            _(
                "Operating results (PHU) from %(start)s to %(end)s",
                start=format_date(income.start),
                end=format_date(income.end),
            )
        ]
    )
    for title, section in ((_("Revenue"), income.revenue), (_("Expenses"), income.expenses)):
        results.append([title])
        for line in section.lines:
            results.append([account_name_filter(line.account), line.amount])
    results.append([_("Result (SHU before distribution)"), income.result])
    balance = book.create_sheet(_("Trial balance")[:31])
    balance.append([_("Account"), _("Debit"), _("Credit")])
    for row in trial:
        balance.append(
            [f"{row.account.code} {account_name_filter(row.account)}", row.debit, row.credit]
        )
    return xlsx_bytes(book)
