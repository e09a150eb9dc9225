"""The officers' home at a glance: money, members, this month's collection, arrears, trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.ledger import operations as ledger
from saas.ledger.models import Account, JournalEntry, JournalLine
from saas.ledger.queries import account_balances
from saas.members.queries import count_active_members
from saas.savings import bills
from saas.savings.models import SAVINGS_ROLES, Bill, BillItem, SavingsKind


@dataclass(frozen=True)
class MonthPoint:
    year: int
    month: int
    savings: int  # all members' savings at the month's end


@dataclass(frozen=True)
class Overview:
    cash: int
    bank: int
    members: int
    wajib_billed: int  # shares billed this month (0: no bill yet)
    wajib_paid: int
    arrears: list[bills.Arrear]
    recent: list[JournalEntry]
    trend: list[MonthPoint]

    @property
    def collection_rate(self) -> int | None:
        return round(100 * self.wajib_paid / self.wajib_billed) if self.wajib_billed else None


def last_months(today: date, count: int = 12) -> list[tuple[int, int]]:
    """The ``count`` months ending with today's, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def savings_trend(session: Session, today: date) -> list[MonthPoint]:
    """Savings at each of the last twelve month-ends: one query grouping lines by month."""
    roles = list(SAVINGS_ROLES)
    month = func.date_trunc("month", JournalLine.entry_date)
    rows = session.execute(
        select(month, func.sum(JournalLine.credit - JournalLine.debit))
        .join(Account, Account.id == JournalLine.account_id)
        .where(Account.role.in_(roles), JournalLine.entry_date <= today)
        .group_by(month)
        .order_by(month)
    ).all()
    months = last_months(today)
    first = months[0]
    running = sum(int(total) for start, total in rows if (start.year, start.month) < first)
    by_month = {(start.year, start.month): int(total) for start, total in rows}
    points = []
    for year, number in months:
        running += by_month.get((year, number), 0)
        points.append(MonthPoint(year, number, running))
    return points


def overview(session: Session, today: date) -> Overview:
    balances = account_balances(session, today)
    cash = balances.get(ledger.account_by_role(session, "cash").id, 0)
    bank = balances.get(ledger.account_by_role(session, "bank").id, 0)
    billed, paid = session.execute(
        select(func.count(BillItem.id), func.count(BillItem.receipt_id))
        .join(Bill, Bill.id == BillItem.bill_id)
        .where(Bill.kind == SavingsKind.WAJIB, Bill.year == today.year, Bill.month == today.month)
    ).one()
    return Overview(
        cash=cash,
        bank=bank,
        members=count_active_members(session),
        wajib_billed=int(billed),
        wajib_paid=int(paid),
        arrears=bills.arrears(session, as_of_year=today.year, as_of_month=today.month)[:5],
        recent=ledger.recent_entries(session, limit=5),
        trend=savings_trend(session, today),
    )


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    label: str
    value: int


def chart_bars(points: list[MonthPoint], *, width: int = 360, height: int = 120) -> list[Bar]:
    """Bars of a small SVG chart (the template draws them; no JavaScript)."""
    top = max((p.savings for p in points), default=0) or 1
    slot = width // max(len(points), 1)
    bars = []
    for index, point in enumerate(points):
        bar_height = max(0, round((height - 20) * point.savings / top))
        bars.append(
            Bar(
                x=index * slot + 4,
                y=height - 16 - bar_height,
                height=bar_height,
                label=f"{point.month:02d}",
                value=point.savings,
            )
        )
    return bars
