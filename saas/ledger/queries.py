"""Reading the books: balances and the trial balance, straight from the journal lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.ledger.models import Account, JournalLine
from saas.ledger.rules import signed_balance


@dataclass(frozen=True)
class TrialBalanceRow:
    account: Account
    debit: int  # total debits up to the date
    credit: int
    balance: int  # on the account's normal side


def _totals(
    session: Session, *, until: date | None = None, since: date | None = None
) -> dict[int, tuple[int, int]]:
    """Debit and credit totals per account, from the lines alone (one index-only scan)."""
    query = select(
        JournalLine.account_id,
        func.coalesce(func.sum(JournalLine.debit), 0),
        func.coalesce(func.sum(JournalLine.credit), 0),
    ).group_by(JournalLine.account_id)
    if until is not None:
        query = query.where(JournalLine.entry_date <= until)
    if since is not None:
        query = query.where(JournalLine.entry_date >= since)
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
