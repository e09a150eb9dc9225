"""Reading the books: balances, the trial balance and the statements.

Every figure is a sum of journal lines; a counted month's sums per account are read from
``month_totals``, which the database counted from those lines once the month had ended and
keeps as late entries land in it (``saas.ledger.models``), and only the lines of the months
after them are summed here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, func, literal, select, true, tuple_, union_all
from sqlalchemy.orm import Session

from saas.ledger.models import Account, AccountKind, JournalLine, MonthTotal
from saas.ledger.rules import (
    CASH_ROLES,
    FIXED_ASSETS_CODE,
    CashActivity,
    cash_activity,
    month_end,
    signed_balance,
    suggest_child_code,
)

DAY = timedelta(days=1)


@dataclass(frozen=True)
class TrialBalanceRow:
    account: Account
    debit: int  # total debits up to the date
    credit: int
    balance: int  # on the account's normal side


def _line_totals(
    session: Session,
    *where: ColumnElement[bool],
    until: date | None = None,
    since: date | None = None,
) -> dict[int, tuple[int, int]]:
    """Debit and credit totals per account, from the lines alone (one index-only scan)."""
    query = (
        select(
            JournalLine.account_id,
            func.coalesce(func.sum(JournalLine.debit), 0),
            func.coalesce(func.sum(JournalLine.credit), 0),
        )
        .where(*where)
        .group_by(JournalLine.account_id)
    )
    if until is not None:
        query = query.where(JournalLine.entry_date <= until)
    if since is not None:
        query = query.where(JournalLine.entry_date >= since)
    return {account: (int(d), int(c)) for account, d, c in session.execute(query)}


def counted_through(session: Session) -> date | None:
    """The last day of the last counted month (None when none is): the months up to it are
    read from ``month_totals``."""
    row = session.execute(
        select(MonthTotal.year, MonthTotal.month)
        .order_by(MonthTotal.year.desc(), MonthTotal.month.desc())
        .limit(1)
    ).first()
    return None if row is None else month_end(row.year, row.month)


def _counted_by(counted: date | None, day: date | None) -> date | None:
    """The last day of the last counted month that ends on or before ``day`` (every counted
    month when ``day`` is None; None when no month is counted)."""
    if counted is None or day is None:
        return counted
    ended = day if (day + DAY).day == 1 else day.replace(day=1) - DAY
    return min(counted, ended)


def _totals(
    session: Session,
    accounts: Collection[int] | None = None,
    *,
    until: date | None = None,
    since: date | None = None,
) -> dict[int, tuple[int, int]]:
    """Debit and credit totals per account (of ``accounts``, all when None) over the lines
    dated from ``since`` to ``until``: the last counted month read, then one statement.

    What lies up to ``until`` less what lies before ``since``: each is the counted months it
    covers, read from their totals, and the lines after them; so the counted months between
    the two come from their totals and only the days at either end from the lines."""
    counted = counted_through(session)
    before = None if since is None else since - DAY
    high = _counted_by(counted, until)
    low = _counted_by(counted, before) if before is not None else None
    if high is None or high == low:  # no counted month in the range: its lines alone
        rows = _lines_between(accounts, before, until).subquery()
    else:
        parts = [_month_totals(accounts, low, high), _lines_between(accounts, high, until)]
        if before is not None and low != before:
            parts.append(_lines_between(accounts, low, before, sign=-1))
        rows = union_all(*parts).subquery()
    query = select(rows.c.account_id, func.sum(rows.c.debit), func.sum(rows.c.credit))
    found = session.execute(query.group_by(rows.c.account_id))
    # An account with lines in the range has a positive total on one side at least.
    return {account: (int(d), int(c)) for account, d, c in found if d or c}


def _month_totals(
    accounts: Collection[int] | None, after: date | None, through: date
) -> Select[int, int, int]:
    """The counted months' totals after the month of ``after`` (from the first when None) up to
    the month of ``through``."""
    month = tuple_(MonthTotal.year, MonthTotal.month)
    query = select(
        MonthTotal.account_id.label("account_id"),
        MonthTotal.debit.label("debit"),
        MonthTotal.credit.label("credit"),
    ).where(month <= tuple_(literal(through.year), literal(through.month)))
    if accounts is not None:
        query = query.where(MonthTotal.account_id.in_(accounts))
    if after is not None:
        query = query.where(month > tuple_(literal(after.year), literal(after.month)))
    return query


def _lines_between(
    accounts: Collection[int] | None, after: date | None, through: date | None, sign: int = 1
) -> Select[int, int, int]:
    """Each account's lines dated after ``after`` up to ``through`` (None: unbounded), summed
    (negated when ``sign`` is -1): a range of the account-and-date index per account, so a
    month's lines are read without passing over the years before it."""
    sums = select(
        func.sum(JournalLine.debit).label("debit"), func.sum(JournalLine.credit).label("credit")
    ).where(JournalLine.account_id == Account.id)
    if after is not None:
        sums = sums.where(JournalLine.entry_date > after)
    if through is not None:
        sums = sums.where(JournalLine.entry_date <= through)
    found = sums.lateral("found")
    query = (
        select(
            Account.id.label("account_id"),
            (found.c.debit * sign).label("debit"),
            (found.c.credit * sign).label("credit"),
        )
        .join(found, true())
        .where(found.c.debit.is_not(None))
    )
    if accounts is not None:
        query = query.where(Account.id.in_(accounts))
    return query


def account_balances(session: Session, as_of: date | None = None) -> dict[int, int]:
    """Every account's balance on its normal side, up to ``as_of`` (all time when None)."""
    totals = _totals(session, until=as_of)
    return {
        account.id: signed_balance(account.kind, *totals.get(account.id, (0, 0)))
        for account in session.scalars(select(Account))
    }


def balances_of(
    session: Session, accounts: Collection[Account], as_of: date | None = None
) -> dict[int, int]:
    """A few accounts' balances on their normal side at ``as_of`` (all time when None), in
    rupiah, by account id."""
    totals = _totals(session, [a.id for a in accounts], until=as_of)
    return {a.id: signed_balance(a.kind, *totals.get(a.id, (0, 0))) for a in accounts}


def trial_balance(session: Session, as_of: date) -> list[TrialBalanceRow]:
    """Neraca saldo: each account with postings, its totals and balance, by code."""
    totals = _totals(session, until=as_of)
    accounts = session.scalars(select(Account).order_by(Account.code))
    return [
        TrialBalanceRow(account, d, c, signed_balance(account.kind, d, c))
        for account in accounts
        if (d_c := totals.get(account.id)) is not None
        for d, c in [d_c]
    ]


@dataclass(frozen=True)
class StatementLine:
    account: Account
    amount: int  # on the account's normal side


@dataclass(frozen=True)
class Section:
    lines: list[StatementLine]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True)
class BalanceSheet:
    """Laporan posisi keuangan: assets = liabilities + equity.

    Revenue and expense accounts are never closed by entries: the results of earlier years are
    shown in the undistributed SHU line (where sharing out a year's SHU debits them), and the
    current year's result on its own line."""

    as_of: date
    assets: Section
    liabilities: Section
    equity: Section
    year_result: int  # revenue less expenses from 1 January to the date

    @property
    def equity_total(self) -> int:
        return self.equity.total + self.year_result

    @property
    def balanced(self) -> bool:
        return self.assets.total == self.liabilities.total + self.equity_total


@dataclass(frozen=True)
class IncomeStatement:
    """Perhitungan hasil usaha for a period."""

    start: date
    end: date
    revenue: Section
    expenses: Section

    @property
    def result(self) -> int:
        return self.revenue.total - self.expenses.total


def _chart(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.code)))


def _sections(
    chart: list[Account],
    totals: dict[int, tuple[int, int]],
    kinds: tuple[AccountKind, ...],
    adjust: dict[int, int] | None = None,
) -> dict[AccountKind, Section]:
    """Non-zero accounts of each kind, in chart order, with their normal-side balances (plus
    ``adjust``, per account id)."""
    lines: dict[AccountKind, list[StatementLine]] = {kind: [] for kind in kinds}
    adjust = adjust or {}
    for account in chart:
        if account.kind in lines and (account.id in totals or account.id in adjust):
            amount = signed_balance(account.kind, *totals.get(account.id, (0, 0)))
            amount += adjust.get(account.id, 0)
            if amount:
                lines[account.kind].append(StatementLine(account, amount))
    return {kind: Section(found) for kind, found in lines.items()}


def balance_sheet(session: Session, as_of: date) -> BalanceSheet:
    """The chart, and the totals up to the date and those before 1 January of its year (each
    the last counted month read, then the counted months' totals and the later lines)."""
    chart = _chart(session)
    totals = _totals(session, until=as_of)
    results = [a.id for a in chart if a.kind in (AccountKind.REVENUE, AccountKind.EXPENSE)]
    earlier = _result(_totals(session, results, until=date(as_of.year - 1, 12, 31)), chart)
    retained = next((a.id for a in chart if a.role == "retained_shu"), None)
    adjust = {retained: earlier} if retained is not None and earlier else {}
    kinds = (AccountKind.ASSET, AccountKind.LIABILITY, AccountKind.EQUITY)
    sections = _sections(chart, totals, kinds, adjust)
    return BalanceSheet(
        as_of,
        sections[AccountKind.ASSET],
        sections[AccountKind.LIABILITY],
        sections[AccountKind.EQUITY],
        _result(totals, chart) - earlier,
    )


def income_statement(session: Session, start: date, end: date) -> IncomeStatement:
    totals = _totals(session, since=start, until=end)
    sections = _sections(_chart(session), totals, (AccountKind.REVENUE, AccountKind.EXPENSE))
    return IncomeStatement(start, end, sections[AccountKind.REVENUE], sections[AccountKind.EXPENSE])


@dataclass(frozen=True)
class ChartNode:
    account: Account
    balance: int  # on the kind's normal side, all time; a header's sums its sub-accounts'
    children: list[ChartNode]


def chart_tree(session: Session) -> list[ChartNode]:
    """The chart as a tree in code order, every account with its balance."""
    totals = _totals(session)
    accounts = _chart(session)
    children: dict[int | None, list[Account]] = {}
    for account in accounts:
        children.setdefault(account.parent_id, []).append(account)

    def node(account: Account) -> ChartNode:
        below = [node(child) for child in children.get(account.id, [])]
        own = signed_balance(account.kind, *totals.get(account.id, (0, 0)))
        return ChartNode(account, own + sum(n.balance for n in below), below)

    return [node(account) for account in children.get(None, [])]


def find_in_chart(tree: list[ChartNode], account_id: int) -> list[ChartNode]:
    """The path from a top account down to ``account_id`` (empty when it is not in the chart)."""
    for top in tree:
        if top.account.id == account_id:
            return [top]
        if path := find_in_chart(top.children, account_id):
            return [top, *path]
    return []


def suggest_code(session: Session, parent: Account) -> str | None:
    """A free code for a new sub-account of ``parent`` (None when its range is full)."""
    taken = set(session.scalars(select(Account.code)))
    children = session.scalars(select(Account.code).where(Account.parent_id == parent.id))
    return suggest_child_code(parent.code, list(children), taken)


def _result(totals: dict[int, tuple[int, int]], chart: Sequence[Account]) -> int:
    """Revenue less expenses in ``totals``: the credits less the debits of those accounts."""
    results = {a.id for a in chart if a.kind in (AccountKind.REVENUE, AccountKind.EXPENSE)}
    return sum(credit - debit for key, (debit, credit) in totals.items() if key in results)


def _with_subaccounts(chart: Sequence[Account], roots: set[int]) -> set[int]:
    """The ids of ``roots`` and of every account under them, at any depth."""
    found = set(roots)
    while below := {a.id for a in chart if a.parent_id in found} - found:
        found |= below
    return found


@dataclass(frozen=True)
class EquityChange:
    """One component of equity over a period, in rupiah on the credit (normal) side."""

    opening: int
    increase: int
    decrease: int

    @property
    def closing(self) -> int:
        return self.opening + self.increase - self.decrease


@dataclass(frozen=True)
class EquityStatement:
    """Laporan perubahan ekuitas: its closing total is the neraca's equity at the end."""

    start: date
    end: date
    accounts: list[tuple[Account, EquityChange]]
    result: EquityChange  # the SHU (or loss) of the year so far; earlier years' are undistributed

    @property
    def total(self) -> EquityChange:
        changes = [change for _account, change in self.accounts] + [self.result]
        return EquityChange(
            sum(change.opening for change in changes),
            sum(change.increase for change in changes),
            sum(change.decrease for change in changes),
        )


def equity_changes(session: Session, start: date, end: date) -> EquityStatement:
    """Each equity account's opening, credits (increases), debits (decreases) and closing, and
    the result not yet closed into equity."""
    before = _totals(session, until=start - DAY)
    during = _totals(session, since=start, until=end)
    chart = _chart(session)
    # As in the neraca: results of the years before the period's are undistributed SHU; those
    # of its own year before the period open the period's result.
    results = [a.id for a in chart if a.kind in (AccountKind.REVENUE, AccountKind.EXPENSE)]
    earlier = _result(
        _totals(session, results, until=date(start.year - 1, 12, 31)),
        chart,
    )
    accounts = []
    for account in chart:
        if account.kind is AccountKind.EQUITY and not account.is_header:
            debit, credit = during.get(account.id, (0, 0))
            opening = signed_balance(account.kind, *before.get(account.id, (0, 0)))
            opening += earlier if account.role == "retained_shu" else 0
            if account.is_active or opening or debit or credit:
                accounts.append((account, EquityChange(opening, credit, debit)))
    result = _result(during, chart)
    this_year = _result(before, chart) - earlier
    return EquityStatement(
        start, end, accounts, EquityChange(this_year, max(result, 0), max(-result, 0))
    )


@dataclass(frozen=True)
class CashFlowLine:
    """Cash received for (inflow) and paid for (outflow) one counter-account, in rupiah."""

    account: Account
    inflow: int
    outflow: int


@dataclass(frozen=True)
class CashFlowSection:
    activity: CashActivity
    lines: list[CashFlowLine]

    @property
    def receipts(self) -> list[CashFlowLine]:
        return [line for line in self.lines if line.inflow]

    @property
    def payments(self) -> list[CashFlowLine]:
        return [line for line in self.lines if line.outflow]

    @property
    def net(self) -> int:
        return sum(line.inflow - line.outflow for line in self.lines)


@dataclass(frozen=True)
class CashFlowStatement:
    """Laporan arus kas (direct method): the cash and bank accounts' balance at the start, what
    came in and went out by activity and counter-account, and the balance at the end."""

    start: date
    end: date
    opening: int
    closing: int
    sections: list[CashFlowSection]  # operating, investing, financing

    @property
    def net_flow(self) -> int:
        return sum(section.net for section in self.sections)

    @property
    def reconciles(self) -> bool:
        return self.closing - self.opening == self.net_flow


def cash_flow(session: Session, start: date, end: date) -> CashFlowStatement:
    """Every entry of the period that moved cash, read from its other lines: a credit there is
    cash received for that account, a debit cash paid for it. A move between two cash accounts
    has no other line and is no flow. Read: the chart, the cash accounts' totals before and in
    the period, and the other lines of the entries that moved cash."""
    chart = _chart(session)
    cash = _with_subaccounts(chart, {a.id for a in chart if a.role in CASH_ROLES})
    fixed = _with_subaccounts(chart, {a.id for a in chart if a.code == FIXED_ASSETS_CODE})
    opening = sum(d - c for d, c in _totals(session, cash, until=start - DAY).values())
    moved = sum(d - c for d, c in _totals(session, cash, since=start, until=end).values())
    cash_entries = select(JournalLine.entry_id).where(
        JournalLine.account_id.in_(cash), JournalLine.entry_date.between(start, end)
    )
    counter = _line_totals(
        session,
        JournalLine.entry_id.in_(cash_entries),
        JournalLine.account_id.not_in(cash),
        since=start,
        until=end,
    )
    lines: dict[CashActivity, list[CashFlowLine]] = {activity: [] for activity in CashActivity}
    for account in chart:
        if account.id in counter:
            debit, credit = counter[account.id]
            activity = cash_activity(account.kind, fixed_asset=account.id in fixed)
            lines[activity].append(CashFlowLine(account, inflow=credit, outflow=debit))
    sections = [CashFlowSection(activity, found) for activity, found in lines.items()]
    return CashFlowStatement(start, end, opening, opening + moved, sections)
