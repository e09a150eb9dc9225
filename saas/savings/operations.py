"""Deposits and withdrawals of members' savings, each a journal entry with its receipt.

A movement is one transaction: the journal entry (under the form's idempotency key), the receipt
with the next number, and, for a withdrawal, a row lock on the member so two cashiers cannot both
pay out the same balance. A retried request returns the first receipt and posts nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    case,
    cast,
    extract,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, selectinload

from saas.db import attach_inserted
from saas.ledger import operations as ledger
from saas.ledger.models import Account, EntrySource, JournalEntry, JournalLine
from saas.ledger.rules import LedgerError, Line
from saas.members.models import Counter, Member, MemberStatus
from saas.savings.models import (
    SAVINGS_ROLES,
    PaymentMethod,
    Receipt,
    SavingsKind,
    SavingsSettings,
)

RECEIPT_COUNTER = "receipt"
RECEIPT_TOKEN_RE = re.compile(r"[0-9a-f]{32}")


class SavingsError(LedgerError):
    """A savings movement the rules refuse (``code``; ``details`` for the message)."""


@dataclass(frozen=True)
class Movement:
    member: Member
    kind: SavingsKind
    amount: int  # rupiah, positive
    method: PaymentMethod
    paid_on: date
    idempotency_key: uuid.UUID
    officer_id: int
    officer_name: str
    note: str = ""  # why an amount differs from the bylaws', kept in the entry


def get_settings(session: Session) -> SavingsSettings:
    return session.get(SavingsSettings, 1) or SavingsSettings(
        id=1, pokok_amount=100_000, wajib_amount=10_000, sukarela_interest_bp=0
    )


def save_settings(
    session: Session, *, pokok_amount: int, wajib_amount: int, sukarela_interest_bp: int = 0
) -> None:
    settings = session.get(SavingsSettings, 1)
    if settings is None:
        settings = SavingsSettings(id=1)
        session.add(settings)
    settings.pokok_amount, settings.wajib_amount = pokok_amount, wajib_amount
    settings.sukarela_interest_bp = sukarela_interest_bp
    session.flush()


def _by_kind(rows: Iterable[Any]) -> dict[SavingsKind, int]:
    """Totals per account role added up per savings kind (a kind may sit on two accounts)."""
    found = dict.fromkeys(SavingsKind, 0)
    for role, total in rows:
        if role:
            found[SAVINGS_ROLES[role]] += int(total)
    return found


def balances(session: Session, member_id: int) -> dict[SavingsKind, int]:
    """The member's balance of each kind: credits minus debits on its savings accounts."""
    roles = SAVINGS_ROLES
    rows = session.execute(
        select(Account.role, func.coalesce(func.sum(JournalLine.credit - JournalLine.debit), 0))
        .join(JournalLine, JournalLine.account_id == Account.id)
        .where(JournalLine.member_id == member_id, Account.role.in_(roles))
        .group_by(Account.role)
    )
    return _by_kind(rows)


def balances_by_member(session: Session, as_of: date | None = None) -> dict[int, dict[str, int]]:
    """Every member's savings balances by kind, up to ``as_of`` (all time when None; one query)."""
    roles = SAVINGS_ROLES
    query = (
        select(
            JournalLine.member_id,
            Account.role,
            func.sum(JournalLine.credit - JournalLine.debit),
        )
        .join(Account, Account.id == JournalLine.account_id)
        .where(JournalLine.member_id.is_not(None), Account.role.in_(roles))
        .group_by(JournalLine.member_id, Account.role)
    )
    if as_of is not None:
        query = query.where(JournalLine.entry_date <= as_of)
    rows = session.execute(query)
    found: dict[int, dict[str, int]] = {}
    for member_id, role, total in rows:
        if member_id is not None and role:
            own = found.setdefault(member_id, {})
            own[roles[role].value] = own.get(roles[role].value, 0) + int(total)
    return found


def history(session: Session, member_id: int, limit: int = 100) -> list[Receipt]:
    """The member's receipts, newest first, each with the entry that cancelled it if any."""
    query = (
        select(Receipt)
        .options(selectinload(Receipt.reversal))
        .where(Receipt.member_id == member_id)
        .order_by(Receipt.paid_on.desc(), Receipt.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def get_receipt_by_number(session: Session, number: str) -> Receipt | None:
    """A receipt by its printed number: for officers only, since numbers can be guessed."""
    return session.scalar(select(Receipt).where(Receipt.number == number))


def find_receipt_by_token(session: Session, token: str) -> Receipt | None:
    """The receipt a QR code points at; None for anything that is not a well-formed token."""
    if not RECEIPT_TOKEN_RE.fullmatch(token):
        return None
    return session.scalar(select(Receipt).where(Receipt.token == token))


def deposit(session: Session, movement: Movement) -> tuple[Receipt, bool]:
    """Record a deposit; (receipt, True) when new, (the first receipt, False) on a retry. The
    caller commits, at once: the receipt counter stays locked until then."""
    if (refusal := _deposit_refusal(session, movement)) is not None:
        return _first_receipt(session, movement.idempotency_key, refusal), False
    return _post(session, movement, withdrawal=False)


def withdraw(session: Session, movement: Movement) -> tuple[Receipt, bool]:
    """Pay out voluntary savings; never more than the balance (checked under a row lock)."""
    if (refusal := _withdrawal_refusal(session, movement)) is not None:
        return _first_receipt(session, movement.idempotency_key, refusal), False
    return _post(session, movement, withdrawal=True)


def _deposit_refusal(session: Session, movement: Movement) -> SavingsError | None:
    if movement.member.status != MemberStatus.ACTIVE:
        return SavingsError("member_left")
    if movement.kind == SavingsKind.POKOK:
        lock_member(session, movement.member)
        if balances(session, movement.member.id)[SavingsKind.POKOK] > 0:
            return SavingsError("pokok_paid")
    return None


def _withdrawal_refusal(session: Session, movement: Movement) -> SavingsError | None:
    if movement.kind != SavingsKind.SUKARELA:
        return SavingsError("locked_savings")
    lock_member(session, movement.member)
    balance = balances(session, movement.member.id)[SavingsKind.SUKARELA]
    if movement.amount > balance:
        return SavingsError("overdraft", balance=balance)
    return None


def _first_receipt(session: Session, key: uuid.UUID, refusal: SavingsError) -> Receipt:
    """The receipt of the movement first posted under ``key``, else raise ``refusal``: a retry
    gets its receipt even when the rules would refuse the movement now (the principal is paid,
    the balance spent)."""
    first = find_receipt_by_key(session, key)
    if first is None:
        raise refusal
    return first


def find_receipt_by_key(session: Session, key: uuid.UUID) -> Receipt | None:
    """The receipt of the movement posted under an idempotency key, if any."""
    return session.scalar(
        select(Receipt)
        .join(JournalEntry, JournalEntry.id == Receipt.entry_id)
        .where(JournalEntry.idempotency_key == key)
    )


def lock_member(session: Session, member: Member) -> None:
    """Queue the member's movements behind this transaction (a row lock on the member)."""
    session.execute(select(Member.id).where(Member.id == member.id).with_for_update())


def _post(session: Session, movement: Movement, *, withdrawal: bool) -> tuple[Receipt, bool]:
    savings = ledger.account_by_role(session, movement.kind.account_role)
    money = ledger.account_by_role(session, movement.method.account_role)
    amount, member_id = movement.amount, movement.member.id
    if withdrawal:
        lines = [Line(savings.id, debit=amount, member_id=member_id), Line(money.id, credit=amount)]
    else:
        lines = [Line(money.id, debit=amount), Line(savings.id, credit=amount, member_id=member_id)]
    verb = "Penarikan" if withdrawal else "Setoran"
    what = f"{verb} simpanan {movement.kind.value} {movement.member.number}"
    note = " ".join(movement.note.split())[:200]
    result = ledger.post_entry(
        session,
        entry_date=movement.paid_on,
        description=f"{what} {note}".rstrip(),
        lines=lines,
        idempotency_key=movement.idempotency_key,
        source=EntrySource.SAVINGS,
        posted_by_id=movement.officer_id,
        member_id=member_id,
    )
    if not result.created:  # a retry: nothing was posted, and its first receipt is the answer
        return _first_receipt(
            session, movement.idempotency_key, SavingsError("retry_pending")
        ), False
    fields = {
        "entry_id": result.entry.id,
        "member_id": member_id,
        "kind": movement.kind,
        "method": movement.method,
        "is_withdrawal": withdrawal,
        "amount": amount,
        "paid_on": movement.paid_on,
        "officer_name": movement.officer_name,
        "created_at": datetime.now(UTC),
    }
    receipt_id, number, token = session.connection().execute(RECEIPT, fields).one()
    receipt = Receipt(id=receipt_id, number=number, token=token, **fields)
    return attach_inserted(session, receipt), True


def _receipt_statement() -> Select[int, str, str]:
    """Take the next receipt number and insert the receipt under it, ``KW-<year>-<number>``
    with at least six digits, in one statement; the database draws its token. The counter's
    row stays locked until commit, so the numbers run without gaps and concurrent cashiers
    queue on it: it is taken last."""
    number = (
        insert(Counter)
        .values(name=RECEIPT_COUNTER, value=1)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
        .returning(Counter.value)
        .cte("number")
    )
    digits = cast(number.c.value, Text)
    paid_on = bindparam("paid_on", type_=Date)
    given = select(
        func.concat(
            "KW-",
            extract("year", paid_on).cast(Integer),
            "-",
            func.lpad(digits, func.greatest(6, func.length(digits)), "0"),
        ).label("number"),
        bindparam("entry_id", type_=BigInteger),
        bindparam("member_id", type_=BigInteger),
        bindparam("kind", type_=Receipt.__table__.c.kind.type),
        bindparam("method", type_=Receipt.__table__.c.method.type),
        bindparam("is_withdrawal", type_=Boolean),
        bindparam("amount", type_=BigInteger),
        paid_on,
        bindparam("officer_name", type_=String),
        bindparam("created_at", type_=DateTime(timezone=True)),
    ).select_from(number)
    receipt = (
        insert(Receipt)
        .from_select(given.selected_columns.keys(), given)
        .returning(Receipt.id, Receipt.number, Receipt.token)
        .cte("receipt")
    )
    return select(receipt.c.id, receipt.c.number, receipt.c.token)


RECEIPT = _receipt_statement()


def totals(session: Session) -> dict[SavingsKind, int]:
    """All members' savings of each kind (the savings summary)."""
    roles = SAVINGS_ROLES
    amount = case((JournalLine.credit > 0, JournalLine.credit), else_=-JournalLine.debit)
    rows = session.execute(
        select(Account.role, func.coalesce(func.sum(amount), 0))
        .join(JournalLine, JournalLine.account_id == Account.id)
        .where(Account.role.in_(roles))
        .group_by(Account.role)
    )
    return _by_kind(rows)


@dataclass(frozen=True)
class StatementRow:
    entry_date: date
    description: str
    kind: SavingsKind
    paid_in: int
    paid_out: int
    balance: int  # of that kind, after this row


def member_statement(
    session: Session, member_id: int, start: date, end: date
) -> tuple[dict[SavingsKind, int], list[StatementRow]]:
    """The member's savings between two dates: opening balances and each movement, from the
    journal lines (two queries, both on the member's index)."""
    roles = SAVINGS_ROLES
    opening_rows = session.execute(
        select(Account.role, func.coalesce(func.sum(JournalLine.credit - JournalLine.debit), 0))
        .join(JournalLine, JournalLine.account_id == Account.id)
        .where(
            JournalLine.member_id == member_id,
            Account.role.in_(roles),
            JournalLine.entry_date < start,
        )
        .group_by(Account.role)
    )
    running = dict.fromkeys(SavingsKind, 0)
    for role, total in opening_rows:
        if role:
            running[roles[role]] += int(total)
    opening = dict(running)
    rows = []
    movements = session.execute(
        select(
            JournalLine.entry_date,
            JournalEntry.description,
            Account.role,
            JournalLine.credit,
            JournalLine.debit,
        )
        .join(Account, Account.id == JournalLine.account_id)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(
            JournalLine.member_id == member_id,
            Account.role.in_(roles),
            JournalLine.entry_date.between(start, end),
            JournalEntry.source != EntrySource.RECLASS,  # nets to nothing within a kind
        )
        .order_by(JournalLine.entry_date, JournalLine.id)
    )
    for day, description, role, credit, debit in movements:
        kind = roles[str(role)]
        running[kind] += int(credit) - int(debit)
        rows.append(StatementRow(day, description, kind, int(credit), int(debit), running[kind]))
    return opening, rows


def settle_savings(
    session: Session,
    member: Member,
    *,
    paid_on: date,
    method: PaymentMethod,
    idempotency_key: uuid.UUID,
    officer_id: int,
) -> int:
    """Pay a leaving member all their savings in one entry (the caller commits with the exit);
    the amount paid out, 0 when there was nothing to pay."""
    lock_member(session, member)
    owed = {kind: amount for kind, amount in balances(session, member.id).items() if amount > 0}
    if not owed:
        return 0
    total = sum(owed.values())
    lines = [
        Line(
            ledger.account_by_role(session, kind.account_role).id, debit=amount, member_id=member.id
        )
        for kind, amount in owed.items()
    ]
    lines.append(Line(ledger.account_by_role(session, method.account_role).id, credit=total))
    ledger.post_entry(
        session,
        entry_date=paid_on,
        description=f"Pengembalian simpanan anggota keluar {member.number}",
        lines=lines,
        idempotency_key=idempotency_key,
        source=EntrySource.SAVINGS,
        posted_by_id=officer_id,
        member_id=member.id,
    )
    return total
