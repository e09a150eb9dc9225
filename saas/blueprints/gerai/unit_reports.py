"""A business unit's reports: its sales by day and month, the members' share, gross margin,
best sellers, stock value and its PHU; on screen, as a PDF with the letterhead and as Excel."""

from __future__ import annotations

from flask import g
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.gerai.views import bp, unit_or_404
from saas.blueprints.reports.statements import Rows, show
from saas.blueprints.reports.views import period
from saas.db import tenant_db
from saas.gerai.reports import SalesRow, UnitReport, unit_report


@bp.route("/kelola/gerai/<int:unit_id>/laporan")
@bp.route("/kelola/gerai/<int:unit_id>/laporan.<any(pdf,xlsx):fmt>")
@tenant_view(Permission.OFFICER_AREA)
def unit_reports(unit_id: int, fmt: str | None = None) -> ResponseReturnValue:
    """The unit's sales and PHU over the period asked (this year so far unless asked)."""
    unit = unit_or_404(unit_id)
    form, start, end, status = period()
    report = unit_report(tenant_db(), unit.id, start, end)
    title = _(
        "%(unit)s: sales and PHU from %(start)s to %(end)s",
        unit=unit.name,
        start=format_date(start),
        end=format_date(end),
    )
    return show(
        fmt,
        status,
        endpoint="gerai.unit_reports",
        args={"unit_id": unit.id, "dari": start, "per": end},
        name=_("Unit report"),
        title=title,
        filename=f"laporan-unit-{g.tenant.slug}-{unit.id}-{end.isoformat()}",
        rows=lambda: unit_rows(report),
        lines=report.lines,
        template="gerai/unit_report.html",
        table="gerai/_unit_report.html",
        report=report,
        unit=unit,
        form=form,
        with_start=True,
    )


def unit_rows(report: UnitReport) -> Rows:
    """The report as the Excel sheet's rows: the PHU, then each table under its heading."""
    whole = report.period
    yield [_("Operating results (PHU) of the unit")]
    yield [_("Sales of the cooperative's own goods"), whole.own]
    yield [_("Fees on consigned goods"), whole.fees]
    yield [_("Revenue"), whole.revenue]
    yield [_("Cost of goods sold (HPP)"), whole.cost]
    yield [_("Gross margin"), whole.margin]
    yield [_("Sales to members"), whole.members]
    yield [_("Sales to the public"), whole.public]
    yield [_("Stock value at average cost"), report.stock_value]
    yield []
    heads = [_("Sales"), _("Total"), _("Members"), _("Public"), _("HPP"), _("Gross margin")]
    yield [_("Month"), *heads]
    yield from (sales_row(format_date(row.on, "MMMM yyyy"), row) for row in report.months)
    yield []
    yield [_("Day"), *heads]
    yield from (sales_row(row.on, row) for row in report.days)
    yield []
    yield [_("Best sellers"), _("Quantity"), _("Amount")]
    yield from ([item.name, item.quantity, item.amount] for item in report.best)


def sales_row(label: object, row: SalesRow) -> list[object]:
    return [label, row.sales, row.total, row.members, row.public, row.cost, row.margin]
