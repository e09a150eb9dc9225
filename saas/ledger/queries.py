"""Reading the books: balances, the trial balance and the statements, from the journal lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.ledger.models import Account, AccountKind, JournalLine
from saas.ledger.rules import signed_balance, suggest_child_code


@dataclass(frozen=True)
class TrialBalanceRow:
    account: Account
    debit: int  # total debits up to the date
    credit: int
    balance: int  # on the account's normal side


def _totals(
    session: Session,
    *,
    until: date | None = None,
    since: date | None = None,
    accounts: list[int] | None = None,
) -> dict[int, tuple[int, int]]:
    """Debit and credit totals per account (all, or ``accounts``), from the lines alone (one
    index-only scan)."""
    query = select(
        JournalLine.account_id,
        func.coalesce(func.sum(JournalLine.debit), 0),
        func.coalesce(func.sum(JournalLine.credit), 0),
    ).group_by(JournalLine.account_id)
    if until is not None:
        query = query.where(JournalLine.entry_date <= until)
    if since is not None:
        query = query.where(JournalLine.entry_date >= since)
    if accounts is not None:
        query = query.where(JournalLine.account_id.in_(accounts))
    return {account: (int(d), int(c)) for account, d, c in session.execute(query)}


def account_balances(session: Session, as_of: date | None = None) -> dict[int, int]:
    """Every account's balance on its normal side, up to ``as_of`` (all time when None)."""
    totals = _totals(session, until=as_of)
    return {
        account.id: signed_balance(account.kind, *totals.get(account.id, (0, 0)))
        for account in session.scalars(select(Account))
    }


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


def _result(chart: list[Account], totals: dict[int, tuple[int, int]]) -> int:
    """Revenue less expenses over the lines behind ``totals``."""
    return sum(
        -signed_balance(account.kind, *totals[account.id])
        if account.kind is AccountKind.EXPENSE
        else signed_balance(account.kind, *totals[account.id])
        for account in chart
        if account.id in totals and account.kind in (AccountKind.REVENUE, AccountKind.EXPENSE)
    )


def balance_sheet(session: Session, as_of: date) -> BalanceSheet:
    """Three queries: the totals up to the date and those before 1 January of its year (both
    index scans), and the chart."""
    chart = _chart(session)
    totals = _totals(session, until=as_of)
    results = [a.id for a in chart if a.kind in (AccountKind.REVENUE, AccountKind.EXPENSE)]
    earlier = _result(chart, _totals(session, until=date(as_of.year - 1, 12, 31), accounts=results))
    retained = next((a.id for a in chart if a.role == "retained_shu"), None)
    adjust = {retained: earlier} if retained is not None and earlier else {}
    kinds = (AccountKind.ASSET, AccountKind.LIABILITY, AccountKind.EQUITY)
    sections = _sections(chart, totals, kinds, adjust)
    return BalanceSheet(
        as_of,
        sections[AccountKind.ASSET],
        sections[AccountKind.LIABILITY],
        sections[AccountKind.EQUITY],
        _result(chart, totals) - earlier,
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
    """The chart as a tree in code order, every account with its balance (two queries)."""
    totals = _totals(session)
    accounts = session.scalars(select(Account).order_by(Account.code)).all()
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
