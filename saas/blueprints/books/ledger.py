"""The general ledger (buku besar) of one account: on screen a page at a time, newest first;
as a PDF or an Excel sheet for a whole period of a sensible size."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints import MAX_ID
from saas.blueprints.books.views import bp
from saas.blueprints.forms import choices_from
from saas.blueprints.labels import ledger_message
from saas.blueprints.reports.statements import DOWNLOAD_LIMITS, Rows, show
from saas.blueprints.reports.views import PeriodForm, account_name_filter, period
from saas.db import tenant_db
from saas.ledger import operations as ledger
from saas.ledger.general_ledger import (
    PAGE_SIZE,
    GeneralLedger,
    LedgerCursor,
    find_cursor,
    general_ledger,
)
from saas.ledger.models import Account
from saas.ledger.rules import LedgerError, account_name


class LedgerForm(PeriodForm):
    akun = SelectField(_l("Account"), coerce=int, validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.akun.choices = choices_from(
            (a.id, f"{a.code} {account_name(a.code, a.name)}")
            for a in ledger.postable_accounts(tenant_db())
        )

    def validate(self, extra_validators: Any = None) -> bool:
        """Valid dates, and no account or one from the list: one message for any other."""
        valid = super().validate(extra_validators)
        if self.akun.errors:
            self.akun.errors = [ledger_message(LedgerError("bad_account"))]
        return valid


@bp.route("/buku-besar")
@tenant_view(Permission.OFFICER_AREA)
def choose_ledger() -> ResponseReturnValue:
    """The account and period to read; a valid choice goes on to that account's ledger."""
    form = LedgerForm(request.args)
    _form, start, end, status = period(form)
    if status == 200 and form.akun.data is not None:
        return redirect(
            url_for("books.general_ledger_of", account_id=form.akun.data, dari=start, per=end)
        )
    name = _("General ledger")
    return render_template(
        "books/general_ledger.html", name=name, title=name, form=form, report=None
    ), status


@bp.route("/buku-besar/<int:account_id>")
@bp.route("/buku-besar/<int:account_id>.<any(pdf,xlsx):fmt>")
@tenant_view(Permission.OFFICER_AREA)
def general_ledger_of(account_id: int, fmt: str | None = None) -> ResponseReturnValue:
    account = ledger.get_account_for_tenant(tenant_db(), account_id)
    if account is None or account.is_header:
        abort(404)
    form = LedgerForm(request.args, akun=account.id)
    _form, start, end, status = period(form)
    cursor = older_page(account, start, end) if fmt is None and status == 200 else None
    limit = PAGE_SIZE if fmt is None else DOWNLOAD_LIMITS[fmt]
    report = general_ledger(tenant_db(), account, start, end, before=cursor, limit=limit)
    return show(
        fmt,
        status,
        endpoint="books.general_ledger_of",
        args={"account_id": account.id, "dari": start, "per": end},
        name=_("General ledger"),
        title=_(
            "General ledger of %(account)s from %(start)s to %(end)s",
            account=f"{account.code} {account_name_filter(account)}",
            start=format_date(start),
            end=format_date(end),
        ),
        filename=f"buku-besar-{account.code}-{g.tenant.slug}-{end.isoformat()}",
        rows=lambda: ledger_rows(report),
        lines=report.line_count,
        template="books/general_ledger.html",
        table="books/_ledger.html",
        form=form,
        report=report,
        cursor=cursor,
    )


def older_page(account: Account, start: date, end: date) -> LedgerCursor | None:
    """Where the page asked for ends (``sebelum``, a line of the account in the period)."""
    line = request.args.get("sebelum")
    if line is None:
        return None
    line_id = int(line) if line.isdecimal() else 0
    cursor = find_cursor(tenant_db(), account, start, end, line_id) if line_id <= MAX_ID else None
    if cursor is None:
        abort(404)
    return cursor


def ledger_rows(report: GeneralLedger) -> Rows:
    yield (
        _("Date"),
        _("Entry"),
        _("Description"),
        _("Member"),
        _("Debit"),
        _("Credit"),
        _("Balance"),
    )
    yield (report.start, None, _("Opening balance"), None, None, None, report.opening)
    for line in report.lines:
        member = f"{line.member_number} {line.member_name}" if line.member_number else None
        amounts = (line.debit or None, line.credit or None, line.balance)
        yield (line.entry_date, line.entry_id, line.description, member, *amounts)
    closing = (report.debit, report.credit, report.closing)
    yield (report.end, None, _("Closing balance"), None, *closing)
