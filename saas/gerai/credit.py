"""Members' purchases on credit: what each owes the shops, and paying it back.

The receivable is the ledger's own: lines on the ``trade_receivables`` account naming the
member. Paying back more than is owed is refused by ``post_entry`` (member_overdrawn) under a
lock on the account, so two cashiers cannot both take the last rupiah owed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.gerai.models import Sale, SaleMethod, sale_not_reversed
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
