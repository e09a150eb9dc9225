"""Reading the members' register."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.accounts.models import TenantUser
from saas.members.models import Member, MemberStatus


def count_active_members(session: Session) -> int:
    query = select(func.count()).select_from(Member).where(Member.status == MemberStatus.ACTIVE)
    return int(session.scalar(query) or 0)


def find_user_of_member_number(session: Session, number: str) -> TenantUser | None:
    """The active account of an active member, by member number ("7" finds "0007")."""
    return session.scalar(
        select(TenantUser)
        .join(Member, Member.user_id == TenantUser.id)
        .where(
            Member.number.in_({number, number.zfill(4)}),
            Member.status == MemberStatus.ACTIVE,
            TenantUser.is_active.is_(True),
        )
    )


def member_of_user(session: Session, user_id: int) -> Member | None:
    return session.scalar(select(Member).where(Member.user_id == user_id))
