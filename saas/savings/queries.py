"""Reading the members' savings for reports: the summary (rekap simpanan) at a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.ledger import operations as ledger
from saas.ledger.queries import balances_of
from saas.members.models import Member
from saas.savings.models import SavingsKind
from saas.savings.operations import balances_by_member


@dataclass(frozen=True)
class MemberSavings:
    member: Member
    balances: dict[SavingsKind, int]  # rupiah

    @property
    def total(self) -> int:
        return sum(self.balances.values())


@dataclass(frozen=True)
class SavingsSummary:
    """Each member's pokok, wajib and sukarela at a date, and the savings accounts' balances."""

    as_of: date
    members: list[MemberSavings]
    ledger: dict[SavingsKind, int]  # each savings account's balance in the books

    @property
    def totals(self) -> dict[SavingsKind, int]:
        return {kind: sum(row.balances[kind] for row in self.members) for kind in SavingsKind}

    @property
    def unattributed(self) -> dict[SavingsKind, int]:
        """What the accounts hold on lines that name no member (a manual entry, say)."""
        totals = self.totals
        return {kind: self.ledger[kind] - totals[kind] for kind in SavingsKind}


def savings_summary(session: Session, as_of: date) -> SavingsSummary:
    """The members at the date and anyone else with savings then, by number; in rupiah."""
    found = balances_by_member(session, as_of)
    rows = []
    for member in session.scalars(select(Member).order_by(Member.number)):
        balances = {kind: found.get(member.id, {}).get(kind.value, 0) for kind in SavingsKind}
        was_member = member.join_date <= as_of and (
            member.left_on is None or member.left_on > as_of
        )
        if was_member or any(balances.values()):
            rows.append(MemberSavings(member, balances))
    accounts = {
        kind: [ledger.account_by_role(session, role) for role in kind.account_roles]
        for kind in SavingsKind
    }
    in_books = balances_of(session, [a for held in accounts.values() for a in held], as_of)
    return SavingsSummary(
        as_of,
        rows,
        {kind: sum(in_books[account.id] for account in held) for kind, held in accounts.items()},
    )
