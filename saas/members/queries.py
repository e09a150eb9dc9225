"""Reading the members' register."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.members.models import Member, MemberStatus


def count_active_members(session: Session) -> int:
    query = select(func.count()).select_from(Member).where(Member.status == MemberStatus.ACTIVE)
    return int(session.scalar(query) or 0)
