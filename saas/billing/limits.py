"""A plan's limits, counted in the cooperative's own schema and checked where rows are added.

Limits only ever refuse adding more: nothing already kept is hidden or locked, money received
is always recorded, and statements, receipts and exports are never limited.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.accounts.models import Invitation, TenantUser
from saas.accounts.roles import Role
from saas.billing.rules import over_limit
from saas.members.models import Member, MemberStatus


class PlanLimitError(Exception):
    """Adding this would go past the plan's limit; ``what`` is "members" or "officers"."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(what)
        self.what = what
        self.limit = limit


def active_members(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Member).where(Member.status == MemberStatus.ACTIVE)
        )
        or 0
    )


def officer_seats(session: Session) -> int:
    """Active officer accounts and open invitations (an invitation holds its seat)."""
    officers = session.scalar(
        select(func.count())
        .select_from(TenantUser)
        .where(TenantUser.is_active.is_(True), TenantUser.role != Role.ANGGOTA)
    )
    invited = session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.role != Role.ANGGOTA,
        )
    )
    return int(officers or 0) + int(invited or 0)


def check_member_room(session: Session, limit: int | None, adding: int = 1) -> None:
    """Refuse registering ``adding`` more members past ``limit`` active ones."""
    if limit is not None and over_limit(active_members(session) + adding - 1, limit):
        raise PlanLimitError("members", limit)


def check_officer_room(session: Session, limit: int | None) -> None:
    """Refuse inviting one more officer past ``limit`` seats."""
    if limit is not None and over_limit(officer_seats(session), limit):
        raise PlanLimitError("officers", limit)
