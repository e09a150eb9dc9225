"""A business unit's reports from its sale lines: sales by day and month, the members' share,
gross margin, best sellers, stock value and the unit's PHU (what bank financing asks for).

Revenue is the cooperative's own: its goods at their price and, of consigned goods, only its
fee; the consignor's share was never the cooperative's. Journal entries name no business unit,
so a unit's other expenses cannot be told apart: the PHU stops at the gross margin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Select, case, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from saas.gerai.models import GeraiProduct, Sale, SaleLine, sale_not_reversed
from saas.gerai.queries import stock_value

BEST_SELLERS = 10


@dataclass(frozen=True)
class SalesRow:
    """The sales of a day, a month or the whole period (rupiah)."""

    on: date | None  # the day, or the month's first day; None for the period's total
    sales: int  # how many sales (receipts)
    total: int  # what buyers paid, consigned goods at their full price
    members: int  # of the total, what members paid
    own: int  # the cooperative's own goods sold
    fees: int  # its fees on consigned goods sold
    cost: int  # the cost of its own goods sold (HPP)

    @property
    def public(self) -> int:
        return self.total - self.members

    @property
    def revenue(self) -> int:
        return self.own + self.fees

    @property
    def margin(self) -> int:
        """Gross margin: revenue less the cost of goods sold."""
        return self.revenue - self.cost

    @property
    def members_share(self) -> float:
        """The members' share of sales, 0 to 1."""
        return self.members / self.total if self.total else 0.0


@dataclass(frozen=True)
class BestSeller:
    name: str
    quantity: int
    amount: int


@dataclass(frozen=True)
class UnitReport:
    start: date
    end: date
    days: list[SalesRow]
    months: list[SalesRow]
    period: SalesRow
    best: list[BestSeller]
    stock_value: int

    @property
    def lines(self) -> int:
        """How many lines a download carries."""
        return len(self.days) + len(self.months) + len(self.best) + 12


def _sums() -> list[ColumnElement[Any]]:
    """Sales, total, members' part, own goods, fees and cost of the lines selected."""
    amount = SaleLine.quantity * SaleLine.price
    consigned = SaleLine.consignor_id.is_not(None)
    return [
        func.count(func.distinct(Sale.id)),
        *(
            func.coalesce(func.sum(value), 0)
            for value in (
                amount,
                case((Sale.member_id.is_not(None), amount), else_=0),
                case((consigned, 0), else_=amount),
                case((consigned, amount - SaleLine.consignor_share), else_=0),
                SaleLine.cost,
            )
        ),
    ]


def _select(unit_id: int, start: date, end: date, *by: ColumnElement[Any]) -> Select[Any]:
    return (
        select(*by, *_sums())
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(Sale.unit_id == unit_id, Sale.sold_on >= start, Sale.sold_on <= end)
        .where(sale_not_reversed())
    )


def _row(on: date | None, values: Sequence[Any]) -> SalesRow:
    sales, total, members, own, fees, cost = (int(value) for value in values)
    return SalesRow(on, sales, total, members, own, fees, cost)


def _by(
    session: Session, unit_id: int, start: date, end: date, on: ColumnElement[Any]
) -> list[SalesRow]:
    rows = session.execute(_select(unit_id, start, end, on).group_by(on).order_by(on))
    return [_row(row[0], row[1:]) for row in rows]


def unit_report(session: Session, unit_id: int, start: date, end: date) -> UnitReport:
    """The unit's sales from ``start`` to ``end``, by day and by month, and its stock now."""
    month = cast(func.date_trunc("month", Sale.sold_on), Date)
    days = _by(session, unit_id, start, end, Sale.__table__.c.sold_on)
    months = _by(session, unit_id, start, end, month)
    period = _row(None, session.execute(_select(unit_id, start, end)).one())
    return UnitReport(
        start=start,
        end=end,
        days=days,
        months=months,
        period=period,
        best=best_sellers(session, unit_id, start, end),
        stock_value=stock_value(session, unit_id),
    )


def best_sellers(
    session: Session, unit_id: int, start: date, end: date, limit: int = BEST_SELLERS
) -> list[BestSeller]:
    """The unit's products that sold for the most in the period, with how many sold."""
    amount = func.sum(SaleLine.quantity * SaleLine.price)
    rows = session.execute(
        select(GeraiProduct.name, func.sum(SaleLine.quantity), amount)
        .join(SaleLine, SaleLine.product_id == GeraiProduct.id)
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(Sale.unit_id == unit_id, Sale.sold_on >= start, Sale.sold_on <= end)
        .where(sale_not_reversed())
        .group_by(GeraiProduct.id, GeraiProduct.name)
        .order_by(amount.desc(), GeraiProduct.name)
        .limit(limit)
    )
    return [BestSeller(name, int(quantity), int(total)) for name, quantity, total in rows]
