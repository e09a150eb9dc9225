"""Reading one account's lines: the general ledger (buku besar), a page at a time.

A cash account of a large cooperative has some 100,000 lines a year, so lines are read newest
first from the index on (account, date), ``limit`` at a time; a page ends at a line, and the
next (older) page starts before it. Balances come from sums over the same index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.orm import Session

from saas.ledger.models import Account, JournalEntry, JournalLine
from saas.ledger.rules import signed_balance
from saas.members.models import Member

PAGE_SIZE = 100


@dataclass(frozen=True)
class LedgerLine:
    line_id: int
    entry_id: int
    entry_date: date
    description: str
    member_number: str | None
    member_name: str | None
    debit: int
    credit: int
    balance: int  # after this line, in rupiah on the account's normal side


@dataclass(frozen=True)
class GeneralLedger:
    """An account's lines in a period (or the newest page of them) with running balances."""

    account: Account
    start: date
    end: date
    opening: int  # before the start, on the account's normal side
    debit: int  # the period's totals
    credit: int
    line_count: int
    lines: list[LedgerLine]  # in date order
    older: int | None  # the first line shown, when the period has lines before it

    @property
    def closing(self) -> int:
        return self.opening + signed_balance(self.account.kind, self.debit, self.credit)

    @property
    def brought_forward(self) -> int:
        """The balance before the first line shown."""
        if not self.lines:
            return self.closing
        first = self.lines[0]
        return first.balance - signed_balance(self.account.kind, first.debit, first.credit)


@dataclass(frozen=True)
class LedgerCursor:
    """Where a page ends: the lines before this one come next."""

    entry_date: date
    line_id: int


def _sums(session: Session, account: Account, *where: ColumnElement[bool]) -> tuple[int, int, int]:
    """The debits, the credits and the number of the account's lines that match ``where``."""
    debit, credit, count = session.execute(
        select(
            func.coalesce(func.sum(JournalLine.debit), 0),
            func.coalesce(func.sum(JournalLine.credit), 0),
            func.count(),
        ).where(JournalLine.account_id == account.id, *where)
    ).one()
    return int(debit), int(credit), int(count)


def _balance(session: Session, account: Account, *where: ColumnElement[bool]) -> int:
    debit, credit, _count = _sums(session, account, *where)
    return signed_balance(account.kind, debit, credit)


def find_cursor(
    session: Session, account: Account, start: date, end: date, line_id: int
) -> LedgerCursor | None:
    """The line ``line_id`` when it is one of the account's lines in the period."""
    day = session.scalar(
        select(JournalLine.entry_date).where(
            JournalLine.id == line_id,
            JournalLine.account_id == account.id,
            JournalLine.entry_date.between(start, end),
        )
    )
    return LedgerCursor(day, line_id) if day is not None else None


def _balance_before(session: Session, account: Account, cursor: LedgerCursor) -> int:
    """The balance of the account's lines before the cursor's, in ledger order."""
    day = cursor.entry_date
    return _balance(session, account, JournalLine.entry_date < day) + _balance(
        session, account, JournalLine.entry_date == day, JournalLine.id < cursor.line_id
    )


def _newest_lines(
    account: Account, start: date, end: date, before: LedgerCursor | None, limit: int
) -> Select[int, int, date, str, str, str, int, int]:
    """The period's lines newest first, before the cursor when given, one more than ``limit``
    (to tell whether older lines remain)."""
    query = (
        select(
            JournalLine.id,
            JournalLine.entry_id,
            JournalLine.entry_date,
            JournalEntry.description,
            Member.number,
            Member.name,
            JournalLine.debit,
            JournalLine.credit,
        )
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .outerjoin(
            Member, Member.id == func.coalesce(JournalLine.member_id, JournalEntry.member_id)
        )
        .where(JournalLine.account_id == account.id, JournalLine.entry_date.between(start, end))
        .order_by(JournalLine.entry_date.desc(), JournalLine.id.desc())
        .limit(limit + 1)
    )
    if before is None:
        return query
    # The date bound on its own lets the index stop the scan; the pair breaks the day's ties.
    day = before.entry_date
    return query.where(
        JournalLine.entry_date <= day,
        tuple_(JournalLine.entry_date, JournalLine.id) < (day, before.line_id),
    )


def general_ledger(
    session: Session,
    account: Account,
    start: date,
    end: date,
    *,
    before: LedgerCursor | None = None,
    limit: int = PAGE_SIZE,
) -> GeneralLedger:
    """The newest ``limit`` lines of the period (before ``before`` when given), each with the
    balance after it, and the period's opening balance and totals."""
    opening = _balance(session, account, JournalLine.entry_date < start)
    debit, credit, count = _sums(session, account, JournalLine.entry_date.between(start, end))
    if before is None:
        balance = opening + signed_balance(account.kind, debit, credit)
    else:
        balance = _balance_before(session, account, before)
    rows = session.execute(_newest_lines(account, start, end, before, limit)).all()
    lines = []
    for row in rows[:limit]:
        line = LedgerLine(*row, balance=balance)
        lines.append(line)
        balance -= signed_balance(account.kind, line.debit, line.credit)
    older = lines[-1].line_id if len(rows) > limit else None
    return GeneralLedger(account, start, end, opening, debit, credit, count, lines[::-1], older)
