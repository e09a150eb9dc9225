"""Reading the members' meetings: the list, who came, the decisions, the invitations to send,
the last RAT held and the approval the SHU is posted under."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from saas.members.models import Member, MemberStatus
from saas.rat.models import (
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Topic,
)


def list_meetings(session: Session) -> list[Meeting]:
    """Every meeting, the latest first."""
    return list(
        session.scalars(select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc()))
    )


def get_meeting_for_tenant(session: Session, meeting_id: int) -> Meeting | None:
    return session.get(Meeting, meeting_id)


def present_count(session: Session, meeting_id: int) -> int:
    """Members present, in person or by proxy."""
    query = select(func.count()).select_from(Attendance).where(Attendance.meeting_id == meeting_id)
    return int(session.scalar(query) or 0)


def is_present_in_person(session: Session, meeting_id: int, member_id: int) -> bool:
    query = select(Attendance.id).where(
        Attendance.meeting_id == meeting_id,
        Attendance.member_id == member_id,
        Attendance.proxy_id.is_(None),
    )
    return session.scalar(query) is not None


@dataclass(frozen=True)
class Arrival:
    number: str
    name: str
    arrived_at: datetime
    proxy_number: str | None  # the member present who holds this one's proxy
    proxy_name: str | None


def list_arrivals(session: Session, meeting_id: int) -> list[Arrival]:
    """The attendance list by member number: names and numbers only (never the NIK)."""
    holder = aliased(Member)
    query = (
        select(Member.number, Member.name, Attendance.arrived_at, holder.number, holder.name)
        .join(Member, Member.id == Attendance.member_id)
        .outerjoin(holder, holder.id == Attendance.proxy_id)
        .where(Attendance.meeting_id == meeting_id)
        .order_by(Member.number)
    )
    return [Arrival(*row) for row in session.execute(query)]


def list_decisions(session: Session, meeting_id: int) -> list[Decision]:
    query = select(Decision).where(Decision.meeting_id == meeting_id).order_by(Decision.id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Invitee:
    member_id: int
    number: str
    name: str
    phone: str | None
    invited: bool


def list_invitees(session: Session, meeting_id: int) -> list[Invitee]:
    """Every active member with their phone and whether their invitation is ticked off."""
    query = (
        select(Member.id, Member.number, Member.name, Member.phone, Invitation.id.is_not(None))
        .outerjoin(
            Invitation,
            (Invitation.member_id == Member.id) & (Invitation.meeting_id == meeting_id),
        )
        .where(Member.status == MemberStatus.ACTIVE)
        .order_by(Member.number)
    )
    return [Invitee(*row) for row in session.execute(query)]


def shu_approval(session: Session, year: int) -> tuple[Meeting, Decision] | None:
    """The closed annual meeting that approved the SHU split of ``year``, with its decision."""
    query = (
        select(Meeting, Decision)
        .join(Decision, Decision.meeting_id == Meeting.id)
        .where(
            Meeting.status == MeetingStatus.CLOSED,
            Decision.topic == Topic.SHU,
            Decision.shu_year == year,
            Decision.approved.is_(True),
        )
        .order_by(Meeting.held_on.desc(), Decision.id.desc())
        .limit(1)
    )
    row = session.execute(query).first()
    return (row[0], row[1]) if row is not None else None


@dataclass(frozen=True)
class RatHeld:
    """The last annual meeting held: its book year and day (shown on the microsite)."""

    book_year: int
    held_on: date


def last_rat_held(session: Session) -> RatHeld | None:
    query = (
        select(Meeting.book_year, Meeting.held_on)
        .where(Meeting.kind == MeetingKind.ANNUAL, Meeting.status == MeetingStatus.CLOSED)
        .order_by(Meeting.book_year.desc())
        .limit(1)
    )
    row = session.execute(query).first()
    return RatHeld(row[0], row[1]) if row is not None else None


@dataclass(frozen=True)
class Membership:
    """Members who joined and who left in a book year."""

    joined: list[Member]
    left: list[Member]


def membership_changes(session: Session, start: date, end: date) -> Membership:
    joined = select(Member).where(Member.join_date.between(start, end)).order_by(Member.number)
    left = select(Member).where(Member.left_on.between(start, end)).order_by(Member.number)
    return Membership(list(session.scalars(joined)), list(session.scalars(left)))
