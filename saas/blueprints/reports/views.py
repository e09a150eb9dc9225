"""The cooperative's statements on screen: neraca, PHU and the trial balance, for any date."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from flask import Blueprint, abort, g, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.forms import Form, within_calendar
from saas.blueprints.reports.letterhead import statement_pdf
from saas.db import tenant_db
from saas.gerai import queries as gerai_queries
from saas.ledger.models import Account
from saas.ledger.queries import (
    BalanceSheet,
    IncomeStatement,
    Section,
    TrialBalanceRow,
    balance_sheet,
    income_statement,
    trial_balance,
)
from saas.ledger.rules import account_name
from saas.members.transfer import spreadsheet_text

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

bp = Blueprint("reports", __name__, url_prefix="/kelola/laporan")
Rows = Iterator[Sequence[object]]  # a sheet's rows of cells
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
        selling_units=gerai_queries.list_selling_units(tenant_db()),
    ), status


@dataclass(frozen=True)
class TrialBalance:
    """The trial balance's rows and the totals of its two columns, in rupiah."""

    rows: list[TrialBalanceRow]
    debit: int
    credit: int


def trial_balance_on(end: date) -> TrialBalance:
    rows = trial_balance(tenant_db(), end)
    return TrialBalance(rows, sum(r.debit for r in rows), sum(r.credit for r in rows))


@bp.route("/neraca-saldo")
@tenant_view(Permission.OFFICER_AREA)
def trial() -> tuple[str, int]:
    form, _start, end, status = period()
    return render_template(
        "reports/trial_balance.html", form=form, trial=trial_balance_on(end), end=end
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
    trial = trial_balance_on(end)
    if fmt == "pdf":
        body = statement_pdf("reports/statements_pdf.html", sheet=sheet, income=income, trial=trial)
    else:
        body = statements_xlsx(sheet, income, trial)
    return file_response(body, f"laporan-{g.tenant.slug}-{end.isoformat()}.{fmt}")


def file_response(body: bytes, filename: str) -> Response:
    """A PDF or Excel file to save, kept out of every cache."""
    response = Response(body, mimetype=MIMETYPES[filename.rsplit(".", 1)[-1]])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def new_workbook() -> Workbook:
    """An empty write-only workbook. openpyxl loads with the first spreadsheet asked for, not
    in every web worker at start: most never make one (budget P5)."""
    from openpyxl import Workbook  # noqa: PLC0415

    return Workbook(write_only=True)


def workbook(sheet_name: str, rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet of rows, amounts as numbers Excel can add."""
    book = new_workbook()
    append_rows(book.create_sheet(sheet_name[:31]), rows)
    return xlsx_bytes(book)


def append_rows(sheet: WriteOnlyWorksheet, rows: Iterable[Sequence[object]]) -> None:
    """Append ``rows``, keeping as text any text a spreadsheet would run as a formula (an
    account or a member named ``=HYPERLINK(...)``)."""
    for row in rows:
        sheet.append([spreadsheet_text(v) if isinstance(v, str) else v for v in row])


def xlsx_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def statements_xlsx(sheet: BalanceSheet, income: IncomeStatement, trial: TrialBalance) -> bytes:
    """Three sheets: neraca, PHU and the trial balance, with the subtotals of the page."""
    book = new_workbook()
    append_rows(book.create_sheet(_("Balance sheet")[:31]), balance_sheet_rows(sheet))
    append_rows(book.create_sheet("PHU"), income_rows(income))
    append_rows(book.create_sheet(_("Trial balance")[:31]), trial_balance_rows(trial))
    return xlsx_bytes(book)


def section_rows(title: str, section: Section) -> Rows:
    yield [title]
    yield from ([account_name_filter(line.account), line.amount] for line in section.lines)


def balance_sheet_rows(sheet: BalanceSheet) -> Rows:
    yield [_("Statement of financial position (neraca) on %(date)s", date=format_date(sheet.as_of))]
    yield from section_rows(_("Assets"), sheet.assets)
    yield [_("Total assets"), sheet.assets.total]
    yield from section_rows(_("Liabilities"), sheet.liabilities)
    yield [_("Total liabilities"), sheet.liabilities.total]
    yield from section_rows(_("Equity"), sheet.equity)
    yield [_("SHU of the current year"), sheet.year_result]
    yield [_("Total equity"), sheet.equity_total]
    yield [_("Total liabilities and equity"), sheet.liabilities.total + sheet.equity_total]


def income_rows(income: IncomeStatement) -> Rows:
    yield [
        _(
            "Operating results (PHU) from %(start)s to %(end)s",
            start=format_date(income.start),
            end=format_date(income.end),
        )
    ]
    yield from section_rows(_("Revenue"), income.revenue)
    yield [_("Total revenue"), income.revenue.total]
    yield from section_rows(_("Expenses"), income.expenses)
    yield [_("Total expenses"), income.expenses.total]
    yield [_("Result (SHU before distribution)"), income.result]


def trial_balance_rows(trial: TrialBalance) -> Rows:
    yield [_("Account"), _("Debit"), _("Credit")]
    for row in trial.rows:
        yield [f"{row.account.code} {account_name_filter(row.account)}", row.debit, row.credit]
    yield [_("Total"), trial.debit, trial.credit]
