"""Publishing a closed book year's statements to the microsite and the members.

The figures are taken from the ledger when the officers publish and kept as they stood, with
the accounts' codes (names are shown in the reader's language unless the cooperative renamed
them). Beside the statements, the loan portfolio at the year's end can go out in a few figures
that name nobody. Publishing a year again replaces its figures; withdrawing removes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from saas.ledger import operations as ledger
from saas.ledger.queries import Section, balance_sheet, income_statement
from saas.loans import collectibility
from saas.publishing.models import PublishedReport
from saas.shu import operations as shu

STATEMENTS = ("balance_sheet", "income", "shu")
LOAN_PORTFOLIO = "loan_portfolio"  # the loans at the year's end, by class, with the reserve
CHOICES = (*STATEMENTS, LOAN_PORTFOLIO)


class PublishError(ValueError):
    """``code``: year_not_closed, nothing_chosen, no_allocation, no_loans."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Headline:
    """The latest published year in a few figures, for the microsite's home."""

    year: int
    total_assets: int | None
    result: int | None
    shu: int | None


@dataclass(frozen=True)
class PortfolioSummary:
    """A published loan portfolio as it was frozen (amounts in rupiah, the NPL in basis points)."""

    on: date
    count: int
    outstanding: int
    by_class: dict[str, tuple[int, int]]  # class: (loans, principal owed)
    npl_bp: int
    health: str
    reserve_held: int


def portfolio_summary(report: PublishedReport) -> PortfolioSummary | None:
    """The loan portfolio published with ``report``, if it was."""
    figures = report.figures.get(LOAN_PORTFOLIO)
    if figures is None:
        return None
    return PortfolioSummary(
        on=date.fromisoformat(figures["on"]),
        count=figures["count"],
        outstanding=figures["outstanding"],
        by_class={
            grade: (part["count"], part["outstanding"])
            for grade, part in figures["by_class"].items()
        },
        npl_bp=figures["npl_bp"],
        health=figures["health"],
        reserve_held=figures["reserve_held"],
    )


def _lines(section: Section) -> list[list[Any]]:
    return [[line.account.code, line.account.name, line.amount] for line in section.lines]


def _figures(session: Session, year: int, statements: set[str]) -> dict[str, Any]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    figures: dict[str, Any] = {}
    if "balance_sheet" in statements:
        sheet = balance_sheet(session, end)
        figures["balance_sheet"] = {
            "assets": _lines(sheet.assets),
            "liabilities": _lines(sheet.liabilities),
            "equity": _lines(sheet.equity),
            "year_result": sheet.year_result,
            "total_assets": sheet.assets.total,
            "total_liabilities": sheet.liabilities.total,
            "total_equity": sheet.equity_total,
        }
    if "income" in statements:
        income = income_statement(session, start, end)
        figures["income"] = {
            "revenue": _lines(income.revenue),
            "expenses": _lines(income.expenses),
            "total_revenue": income.revenue.total,
            "total_expenses": income.expenses.total,
            "result": income.result,
        }
    if "shu" in statements:
        allocation = shu.live_allocation(session, year)
        if allocation is None:
            raise PublishError("no_allocation")
        figures["shu"] = {
            "total": allocation.shu,
            "percentages": allocation.percentages,
            "funds": allocation.funds,
            "decided_on": allocation.decided_on.isoformat(),
        }
    if LOAN_PORTFOLIO in statements:
        figures[LOAN_PORTFOLIO] = loan_portfolio_figures(session, end)
    return figures


def loan_portfolio_figures(session: Session, on: date) -> dict[str, Any]:
    """The loans being repaid on ``on`` in a few figures, no member named: how many, the
    principal owed, by class, the NPL ratio and its band, and the reserve (PPAP) held."""
    book = collectibility.portfolio(session, on)
    if not book.total.count:
        raise PublishError("no_loans")
    return {
        "on": on.isoformat(),
        "count": book.total.count,
        "outstanding": book.total.outstanding,
        "by_class": {
            grade.value: {"count": part.count, "outstanding": part.outstanding}
            for grade, part in book.by_class.items()
        },
        "npl_bp": book.npl_bp,
        "health": book.health,
        "reserve_held": collectibility.reserve_held(session, on),
    }


def publish(session: Session, year: int, statements: set[str], *, user_id: int) -> None:
    """Publish (or publish again) the chosen statements of a closed year (any of ``CHOICES``)."""
    if year not in ledger.closed_years(session):
        raise PublishError("year_not_closed")
    if not statements & set(CHOICES):
        raise PublishError("nothing_chosen")
    values = {
        "year": year,
        "figures": _figures(session, year, statements),
        "published_at": datetime.now(UTC),
        "published_by_id": user_id,
    }
    upsert = insert(PublishedReport).values(values)
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=["year"],
            set_={key: upsert.excluded[key] for key in values if key != "year"},
        )
    )
    session.flush()


def withdraw(session: Session, year: int) -> bool:
    """Take a year's published statements down; False when none were published."""
    removed = session.execute(delete(PublishedReport).where(PublishedReport.year == year))
    session.flush()
    return bool(removed.rowcount)  # type: ignore[attr-defined]


def list_published(session: Session) -> list[PublishedReport]:
    return list(session.scalars(select(PublishedReport).order_by(PublishedReport.year.desc())))


def get_published(session: Session, year: int) -> PublishedReport | None:
    return session.scalar(select(PublishedReport).where(PublishedReport.year == year))


def latest_headline(session: Session) -> Headline | None:
    latest = session.scalar(select(PublishedReport).order_by(PublishedReport.year.desc()).limit(1))
    if latest is None:
        return None
    figures = latest.figures
    return Headline(
        year=latest.year,
        total_assets=figures.get("balance_sheet", {}).get("total_assets"),
        result=figures.get("income", {}).get("result"),
        shu=figures.get("shu", {}).get("total"),
    )
