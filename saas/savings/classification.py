"""Whether principal and mandatory savings count as equity or as liabilities (docs/domain.md: SAK EP
treats redeemable member shares as liabilities unless the bylaws let the cooperative refuse
redemption). Equity by default.

Each kind has an account of each classification; the one with the kind's role takes new
movements, the other keeps the history. Changing the classification moves every member's
balance across in one entry (a reclassification: nobody's money moves) and swaps the roles.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.ledger import operations as ledger
from saas.ledger.models import Account, AccountKind, EntrySource, JournalLine
from saas.ledger.rules import LedgerError, Line
from saas.savings.models import SavingsKind

CLASSIFIED = (SavingsKind.POKOK, SavingsKind.WAJIB)


def shares_are_liabilities(session: Session) -> bool:
    return ledger.account_by_role(session, SavingsKind.POKOK.account_role).kind is (
        AccountKind.LIABILITY
    )


def moved_accounts(session: Session) -> dict[int, int]:
    """Each pokok/wajib account of the other classification, to the one that now takes that
    kind: a correction of an earlier movement lands where its balance now is."""
    return {
        ledger.account_by_role(session, kind.account_roles[1]).id: ledger.account_by_role(
            session, kind.account_role
        ).id
        for kind in CLASSIFIED
    }


def reclassify(
    session: Session,
    *,
    as_liabilities: bool,
    on: date,
    idempotency_key: uuid.UUID,
    user_id: int,
) -> int:
    """Move principal and mandatory savings to the other classification. How many
    member balances moved. Raises LedgerError: already_classified, later_postings,
    period_closed."""
    if ledger.find_entry_by_key(session, idempotency_key) is not None:
        return 0  # a retry: the first request did it
    # Lock the four accounts and read them afresh: two officers cannot both move the balances.
    roles = [role for kind in CLASSIFIED for role in kind.account_roles]
    locked = session.scalars(
        select(Account)
        .where(Account.role.in_(roles))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if shares_are_liabilities(session) == as_liabilities:
        raise LedgerError("already_classified")
    # The entry moves the balances as they stand on its date: a movement dated later would be
    # moved before it happened, and left behind on the account that no longer takes its kind.
    later = select(JournalLine.id).where(
        JournalLine.account_id.in_([account.id for account in locked]), JournalLine.entry_date > on
    )
    if session.scalar(later.limit(1)) is not None:
        raise LedgerError("later_postings")
    lines: list[Line] = []
    pairs = []
    for kind in CLASSIFIED:
        current = ledger.account_by_role(session, kind.account_role)
        other = ledger.account_by_role(session, kind.account_roles[1])
        pairs.append((kind, current, other))
        held = session.execute(
            select(JournalLine.member_id, func.sum(JournalLine.credit - JournalLine.debit))
            .where(JournalLine.account_id == current.id, JournalLine.member_id.is_not(None))
            .group_by(JournalLine.member_id)
            .order_by(JournalLine.member_id)
        )
        for member_id, total in held:
            if total:
                lines += [
                    Line(current.id, debit=int(total), member_id=member_id),
                    Line(other.id, credit=int(total), member_id=member_id),
                ]
    if lines:
        ledger.post_entry(
            session,
            entry_date=on,
            description="Reklasifikasi simpanan pokok dan wajib ke "
            + ("kewajiban" if as_liabilities else "ekuitas"),
            lines=lines,
            idempotency_key=idempotency_key,
            source=EntrySource.RECLASS,
            posted_by_id=user_id,
        )
    for _kind, current, other in pairs:
        current.role = other.role = None
    session.flush()  # the roles are unique: free them before they change places
    for kind, current, other in pairs:
        current.role, other.role = kind.account_roles[1], kind.account_role
    session.info.pop("guyub.accounts_by_role", None)
    session.flush()
    return len(lines) // 2
