"""The other statements of the books: changes in equity, cash flow and the savings summary.

Each is a page for any period, a PDF with the letterhead and an Excel sheet, from one view:
``/arus-kas`` on screen, ``/arus-kas.pdf`` and ``/arus-kas.xlsx`` to save.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from flask import abort, g, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import Session

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.labels import KIND_LABELS
from saas.blueprints.reports.letterhead import statement_pdf
from saas.blueprints.reports.views import (
    account_name_filter,
    bp,
    file_response,
    period,
    workbook,
)
from saas.db import tenant_db
from saas.ledger.queries import CashFlowStatement, EquityStatement, cash_flow, equity_changes
from saas.ledger.rules import CashActivity
from saas.savings.models import SavingsKind
from saas.savings.queries import SavingsSummary, savings_summary

# Column heads short enough for three amounts side by side on a phone.
KIND_COLUMNS = {
    SavingsKind.POKOK: _l("Principal"),
    SavingsKind.WAJIB: _l("Mandatory"),
    SavingsKind.SUKARELA: _l("Voluntary"),
}
ACTIVITY_LABELS = {
    CashActivity.OPERATING: (_l("Operating activities"), _l("Net cash from operations")),
    CashActivity.INVESTING: (_l("Investing activities"), _l("Net cash from investing")),
    CashActivity.FINANCING: (_l("Financing activities"), _l("Net cash from financing")),
}

# The most lines one file holds, so that making it keeps a web worker a few seconds at most:
# WeasyPrint lays out some 150 lines a second, openpyxl writes some 15,000 rows. 50,000 ledger
# lines are a year of cash of a cooperative with 4,000 members; past that, a shorter period.
DOWNLOAD_LIMITS = {"pdf": 500, "xlsx": 50_000}

Rows = Iterable[Sequence[object]]
R = TypeVar("R")


def show(
    fmt: str | None,
    status: int,
    *,
    endpoint: str,
    args: dict[str, Any],  # the URL's values (the period) for the download links
    name: str,
    title: str,
    filename: str,
    rows: Callable[[], Rows],
    lines: int = 0,
    template: str = "reports/report.html",
    **context: Any,
) -> ResponseReturnValue:
    """A report of ``lines`` lines on screen (``fmt`` None), as a PDF with the letterhead or as
    an Excel sheet. A download asked with bad dates is refused (400) rather than made for other
    dates, and so is a file too long to make (the page offers none)."""
    offered = [kind for kind, limit in DOWNLOAD_LIMITS.items() if lines <= limit]
    context.update(name=name, title=title, lines=lines, download_limits=DOWNLOAD_LIMITS)
    if fmt is None:
        links = {kind: url_for(endpoint, fmt=kind, **args) for kind in offered}
        return render_template(template, downloads=links, **context), status
    if status != 200 or fmt not in offered:
        abort(400)
    if fmt == "pdf":
        body = statement_pdf("reports/report_pdf.html", **context)
    else:
        body = workbook(name, [[title], *rows()])
    return file_response(body, f"{filename}.{fmt}")


def period_statement(
    fmt: str | None,
    build: Callable[[Session, date, date], R],
    rows: Callable[[R], Rows],
    *,
    title: LazyString,
    stem: str,
    **context: Any,
) -> ResponseReturnValue:
    """A statement over the period asked, built by ``build``; ``title`` names the period's
    start and end, ``stem`` begins the name of the file."""
    form, start, end, status = period()
    report = build(tenant_db(), start, end)
    return show(
        fmt,
        status,
        args={"dari": start, "per": end},
        title=str(title) % {"start": format_date(start), "end": format_date(end)},
        filename=f"{stem}-{g.tenant.slug}-{end.isoformat()}",
        rows=lambda: rows(report),
        form=form,
        with_start=True,
        report=report,
        **context,
    )


@bp.route("/perubahan-ekuitas")
@bp.route("/perubahan-ekuitas.<any(pdf,xlsx):fmt>")
@tenant_view(Permission.OFFICER_AREA)
def equity(fmt: str | None = None) -> ResponseReturnValue:
    return period_statement(
        fmt,
        equity_changes,
        equity_rows,
        endpoint="reports.equity",
        name=_("Changes in equity"),
        title=_l("Statement of changes in equity from %(start)s to %(end)s"),
        stem="perubahan-ekuitas",
        table="reports/_equity.html",
    )


def equity_rows(report: EquityStatement) -> Rows:
    yield [_("Account"), _("Opening balance"), _("Increases"), _("Decreases"), _("Closing balance")]
    for label, change in (
        *((account_name_filter(account), change) for account, change in report.accounts),
        (_("SHU of the period"), report.result),
        (_("Total equity"), report.total),
    ):
        yield [label, change.opening, change.increase, change.decrease, change.closing]


@bp.route("/arus-kas")
@bp.route("/arus-kas.<any(pdf,xlsx):fmt>")
@tenant_view(Permission.OFFICER_AREA)
def cash_flow_statement(fmt: str | None = None) -> ResponseReturnValue:
    return period_statement(
        fmt,
        cash_flow,
        cash_flow_rows,
        endpoint="reports.cash_flow_statement",
        name=_("Cash flow"),
        title=_l("Statement of cash flows from %(start)s to %(end)s"),
        stem="arus-kas",
        table="reports/_cash_flow.html",
        activity_labels=ACTIVITY_LABELS,
    )


def cash_flow_rows(report: CashFlowStatement) -> Rows:
    yield [_("Cash and bank at the start"), report.opening]
    for section in report.sections:
        heading, net = ACTIVITY_LABELS[section.activity]
        yield [str(heading)]
        yield from ([account_name_filter(line.account), line.inflow] for line in section.receipts)
        yield from ([account_name_filter(line.account), -line.outflow] for line in section.payments)
        yield [str(net), section.net]
    yield [_("Net change in cash"), report.net_flow]
    yield [_("Cash and bank at the end"), report.closing]


@bp.route("/rekap-simpanan")
@bp.route("/rekap-simpanan.<any(pdf,xlsx):fmt>")
@tenant_view(Permission.OFFICER_AREA)
def savings(fmt: str | None = None) -> ResponseReturnValue:
    form, _start, end, status = period()
    report = savings_summary(tenant_db(), end)
    return show(
        fmt,
        status,
        endpoint="reports.savings",
        args={"per": end},
        name=_("Savings summary"),
        title=_("Members' savings on %(date)s", date=format_date(end)),
        filename=f"rekap-simpanan-{g.tenant.slug}-{end.isoformat()}",
        rows=lambda: savings_rows(report),
        lines=len(report.members),
        table="reports/_savings.html",
        form=form,
        with_start=False,
        report=report,
        kind_labels=KIND_COLUMNS,
        total_rows=savings_total_rows(report),
    )


def savings_total_rows(report: SavingsSummary) -> list[tuple[str, dict[SavingsKind, int]]]:
    """The members' total; where lines name no member, those and the accounts' balances too."""
    rows = [(_("Total"), report.totals)]
    if any(report.unattributed.values()):
        rows += [
            (_("Not in any member's name"), report.unattributed),
            (_("Savings accounts in the books"), report.ledger),
        ]
    return rows


def savings_rows(report: SavingsSummary) -> Rows:
    kinds = list(SavingsKind)
    yield [_("Number"), _("Name"), *(str(KIND_LABELS[kind]) for kind in kinds), _("Total")]
    for row in report.members:
        yield [row.member.number, row.member.name, *(row.balances[k] for k in kinds), row.total]
    for label, amounts in savings_total_rows(report):
        yield ["", label, *(amounts[k] for k in kinds), sum(amounts.values())]
