"""The RAT pack: one PDF with everything the members' meeting of a book year is given.

Cover, agenda, the annual statements (neraca, PHU, changes in equity, cash flow) as the reports
render them, the SHU split, membership changes, the loan portfolio's quality when there are
loans, each selling unit's results when it sold, the minutes and the attendance list (names and
numbers only). It renders the reports' own table partials under their letterhead, so it is made
inside a request of the cooperative (or a request context on its host).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import render_template
from sqlalchemy.orm import Session

from saas.blueprints.labels import FUND_LABELS
from saas.blueprints.loans.portfolio import CLASS_LABELS
from saas.blueprints.reports.letterhead import current_letterhead
from saas.blueprints.reports.statements import ACTIVITY_LABELS
from saas.gerai import queries as gerai_queries
from saas.gerai.reports import UnitReport, unit_report
from saas.ledger.queries import (
    BalanceSheet,
    CashFlowStatement,
    EquityStatement,
    IncomeStatement,
    balance_sheet,
    cash_flow,
    equity_changes,
    income_statement,
)
from saas.ledger.rules import LedgerError
from saas.loans import collectibility
from saas.pdf import render_pdf
from saas.rat import queries
from saas.rat.models import Decision, Meeting
from saas.registers.models import RegisterEntry
from saas.shu import operations as shu
from saas.shu.rules import FUNDS


@dataclass(frozen=True)
class ShuSection:
    """The SHU as posted after the meeting, else as planned (and, if so, approved)."""

    funds: dict[str, int]
    percentages: dict[str, int]
    total: int
    posted: bool


@dataclass(frozen=True)
class Pack:
    meeting: Meeting
    start: date
    end: date
    sheet: BalanceSheet
    income: IncomeStatement
    equity: EquityStatement
    cash: CashFlowStatement
    shu: ShuSection | None
    membership: queries.Membership
    portfolio: collectibility.Portfolio | None
    units: list[tuple[str, UnitReport]]
    present: int
    decisions: list[Decision]
    arrivals: list[queries.Arrival]
    minutes: RegisterEntry | None


def shu_section(session: Session, year: int) -> ShuSection | None:
    allocation = shu.live_allocation(session, year)
    if allocation is not None:
        return ShuSection(allocation.funds, allocation.percentages, allocation.shu, posted=True)
    try:
        planned = shu.plan(session, year, shu.get_percentages(session))
    except LedgerError:
        return None
    return ShuSection(planned.funds, planned.percentages, planned.shu, posted=False)


def pack_contents(session: Session, meeting: Meeting) -> Pack:
    """What the pack of ``meeting`` shows, read from the books of its book year."""
    start, end = date(meeting.book_year, 1, 1), date(meeting.book_year, 12, 31)
    book = collectibility.portfolio(session, end)
    units = [
        (unit.name, report)
        for unit in gerai_queries.list_selling_units(session)
        if (report := unit_report(session, unit.id, start, end)).period.sales
    ]
    minutes = (
        session.get(RegisterEntry, meeting.minutes_entry_id) if meeting.minutes_entry_id else None
    )
    return Pack(
        meeting=meeting,
        start=start,
        end=end,
        sheet=balance_sheet(session, end),
        income=income_statement(session, start, end),
        equity=equity_changes(session, start, end),
        cash=cash_flow(session, start, end),
        shu=shu_section(session, meeting.book_year),
        membership=queries.membership_changes(session, start, end),
        portfolio=book if book.total.count else None,
        units=units,
        present=queries.present_count(session, meeting.id),
        decisions=queries.list_decisions(session, meeting.id),
        arrivals=queries.list_arrivals(session, meeting.id),
        minutes=minutes,
    )


def build_pack_pdf(session: Session, meeting_id: int) -> bytes:
    """The RAT pack of the meeting as one PDF (under the request's cooperative's letterhead)."""
    meeting = queries.get_meeting_for_tenant(session, meeting_id)
    if meeting is None:
        raise LookupError(meeting_id)
    html = render_template(
        "rat/pack_pdf.html",
        pack=pack_contents(session, meeting),
        letterhead=current_letterhead(),
        activity_labels=ACTIVITY_LABELS,
        class_labels=CLASS_LABELS,
        funds=FUNDS,
        fund_labels=FUND_LABELS,
    )
    return render_pdf(html)
