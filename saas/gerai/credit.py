"""Members' purchases on credit: what each owes the shops, and paying it back.

The receivable is the ledger's own: lines on the ``trade_receivables`` account naming the
member. Paying back more than is owed is refused by ``post_entry`` (member_overdrawn) under a
lock on the account, so two cashiers cannot both take the last rupiah owed.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from saas.gerai.models import Sale, SaleMethod, SaleReversal, sale_not_reversed
from saas.ledger import operations as ledger
from saas.ledger.models import Account, EntrySource, JournalLine
from saas.ledger.operations import PostResult
from saas.ledger.rules import Line
from saas.members.models import Member
from saas.savings.models import PaymentMethod

RECEIVABLES = "trade_receivables"


@dataclass(frozen=True)
class Owed:
    member: Member
    amount: int  # rupiah


def list_owed(session: Session) -> list[Owed]:
    """Every member who owes the shops something, by member number."""
    owed = func.sum(JournalLine.debit - JournalLine.credit)
    query = (
        select(Member, owed)
        .join(JournalLine, JournalLine.member_id == Member.id)
        .join(Account, Account.id == JournalLine.account_id)
        .where(Account.role == RECEIVABLES)
        .group_by(Member.id)
        .having(owed > 0)
        .order_by(Member.number)
    )
    return [Owed(member, int(amount)) for member, amount in session.execute(query)]


def owed_by(session: Session, member_id: int) -> int:
    """What one member owes the shops (rupiah)."""
    query = (
        select(func.coalesce(func.sum(JournalLine.debit - JournalLine.credit), 0))
        .join(Account, Account.id == JournalLine.account_id)
        .where(Account.role == RECEIVABLES, JournalLine.member_id == member_id)
    )
    return int(session.scalar(query) or 0)


RECENT_PURCHASES = 10  # on the member's own page; the rest are in the officers' books


@dataclass(frozen=True)
class CreditAccount:
    """A member's purchases on credit at the shops: what they bought, paid back and owe."""

    bought: int  # rupiah: every credit sale not reversed
    owed: int  # rupiah: the receivable's balance
    purchases: list[Sale]  # the latest credit sales, newest first, reversed ones too

    @property
    def paid_back(self) -> int:
        return self.bought - self.owed


def credit_account(session: Session, member_id: int) -> CreditAccount:
    """The member's credit at the shops, for their own page."""
    credit_sales = Sale.member_id == member_id, Sale.method == SaleMethod.CREDIT
    bought = session.scalar(
        select(func.coalesce(func.sum(Sale.total), 0)).where(*credit_sales, sale_not_reversed())
    )
    purchases = session.scalars(
        select(Sale).where(*credit_sales).order_by(Sale.id.desc()).limit(RECENT_PURCHASES)
    )
    return CreditAccount(int(bought or 0), owed_by(session, member_id), list(purchases))


class CreditMovementKind(enum.StrEnum):
    PURCHASE = "purchase"  # bought on credit: the sale's receipt
    TAKEN_BACK = "taken_back"  # a credit sale reversed: the same receipt
    PAYMENT = "payment"  # paid back at the counter: its journal entry


@dataclass(frozen=True)
class CreditMovement:
    entry_date: date
    kind: CreditMovementKind
    reference: str  # the receipt's number; for a payment, the journal entry's
    bought: int  # rupiah added to what is owed
    paid: int  # rupiah taken off what is owed
    owed: int  # rupiah, after this movement


@dataclass(frozen=True)
class CreditStatement:
    """A member's credit at the shops over a period: what they owed at its start, each movement
    with its receipt, and what they owed at its end (rupiah)."""

    opening: int
    movements: list[CreditMovement]

    @property
    def closing(self) -> int:
        return self.movements[-1].owed if self.movements else self.opening


def credit_statement(
    session: Session, member_id: int, start: date, end: date
) -> CreditStatement | None:
    """The member's shop credit between two dates, from the receivable's lines in their name;
    None when they owed nothing at the start and nothing moved in the period."""
    in_name = JournalLine.member_id == member_id, Account.role == RECEIVABLES
    opening = session.scalar(
        select(func.coalesce(func.sum(JournalLine.debit - JournalLine.credit), 0))
        .join(Account, Account.id == JournalLine.account_id)
        .where(*in_name, JournalLine.entry_date < start)
    )
    reversed_sale = aliased(Sale)
    lines = session.execute(
        select(
            JournalLine.entry_date,
            JournalLine.entry_id,
            JournalLine.debit,
            JournalLine.credit,
            Sale.number,
            reversed_sale.number,
        )
        .join(Account, Account.id == JournalLine.account_id)
        .outerjoin(Sale, Sale.entry_id == JournalLine.entry_id)
        .outerjoin(SaleReversal, SaleReversal.entry_id == JournalLine.entry_id)
        .outerjoin(reversed_sale, reversed_sale.id == SaleReversal.sale_id)
        .where(*in_name, JournalLine.entry_date.between(start, end))
        .order_by(JournalLine.entry_date, JournalLine.id)
    )
    owed = int(opening or 0)
    movements = []
    for day, entry_id, debit, credit, sold, taken_back in lines:
        owed += int(debit) - int(credit)
        kind, reference = _credit_movement_kind(entry_id, sold, taken_back)
        movements.append(CreditMovement(day, kind, reference, int(debit), int(credit), owed))
    if not movements and not opening:
        return None
    return CreditStatement(int(opening or 0), movements)


def _credit_movement_kind(
    entry_id: int, sold: str | None, taken_back: str | None
) -> tuple[CreditMovementKind, str]:
    """What a line of the receivable was, and the number it is known by."""
    if sold is not None:
        return CreditMovementKind.PURCHASE, sold
    if taken_back is not None:
        return CreditMovementKind.TAKEN_BACK, taken_back
    return CreditMovementKind.PAYMENT, f"#{entry_id}"


def collect_credit(
    session: Session,
    member: Member,
    *,
    amount: int,
    method: PaymentMethod,
    paid_on: date,
    idempotency_key: uuid.UUID,
    officer_id: int | None,
) -> PostResult:
    """A member pays back purchases on credit: money in, the member's receivable down; once
    per key (raises LedgerError: member_overdrawn with what is owed, period_closed)."""
    money = ledger.account_by_role(session, method.account_role)
    receivables = ledger.account_by_role(session, RECEIVABLES)
    return ledger.post_entry(
        session,
        entry_date=paid_on,
        description=f"Pelunasan piutang gerai {member.number}",
        lines=[
            Line(money.id, debit=amount),
            Line(receivables.id, credit=amount, member_id=member.id),
        ],
        idempotency_key=idempotency_key,
        source=EntrySource.SALE,
        posted_by_id=officer_id,
        member_id=member.id,
    )
