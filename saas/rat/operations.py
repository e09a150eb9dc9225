"""The only writers of the members' meetings. They flush and never commit: the request commits.

A meeting is scheduled (its invitation numbered as an outgoing letter), opened (the members
entitled to attend counted and frozen), attended (each member once, a proxy held by a member
present), decided (only with its quorum, never more votes than members present) and closed
(its minutes written to the registers' book of minutes; nothing of it changes after).
Scheduling and deciding are made once per form: the form's idempotency key is kept under a
unique constraint, and a form sent again returns what the first made.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from typing import TypeVar

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saas.ledger.rules import LedgerError
from saas.members.models import Member, MemberStatus
from saas.rat import queries
from saas.rat.models import (
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Topic,
)
from saas.registers import operations as registers
from saas.registers.models import TEXT_LENGTH, Kind
from saas.shu import operations as shu

Row = TypeVar("Row", Meeting, Decision)


class RatRefused(Exception):
    """What the meeting does not take; ``code`` names the message the page shows."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Schedule:
    """When and where a meeting is held, its agenda and the bylaws' quorum and proxies."""

    kind: MeetingKind
    book_year: int
    held_on: date
    starts_at: time
    place: str
    agenda: str
    quorum_numerator: int = 1
    quorum_denominator: int = 2
    proxies_allowed: bool = False


@contextmanager
def _refusing(code: str, constraint: str) -> Iterator[None]:
    """Insert in a savepoint: a unique ``constraint`` broken (a colleague a moment ago too)
    is refused with ``code`` without losing the caller's transaction."""
    try:
        yield
    except IntegrityError as error:
        if constraint not in str(error.orig):
            raise
        raise RatRefused(code) from error


def _insert_once(
    session: Session, row: Row, first: Callable[[], Row | None], refusals: dict[str, str]
) -> Row:
    """Insert ``row`` in a savepoint; the row ``first`` finds when the same key won a race (the
    unique index made this insert wait for it), else a broken constraint of ``refusals`` is
    refused with its code."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as error:
        if (found := first()) is not None:
            return found
        for constraint, code in refusals.items():
            if constraint in str(error.orig):
                raise RatRefused(code) from error
        raise
    return row


def _meeting_by_key(session: Session, key: uuid.UUID) -> Meeting | None:
    return session.scalar(select(Meeting).where(Meeting.idempotency_key == key))


def _decision_by_key(session: Session, key: uuid.UUID) -> Decision | None:
    return session.scalar(select(Decision).where(Decision.idempotency_key == key))


def schedule_meeting(
    session: Session,
    plan: Schedule,
    *,
    letter_code: str,
    today: date,
    user_id: int | None,
    idempotency_key: uuid.UUID,
) -> Meeting:
    """A new meeting, its invitation numbered as an outgoing letter of ``today``; once per key,
    so a form sent twice makes one meeting and one letter (raises RatRefused: year_not_over,
    annual_exists)."""
    if (first := _meeting_by_key(session, idempotency_key)) is not None:
        return first
    if plan.kind == MeetingKind.ANNUAL and plan.held_on.year <= plan.book_year:
        raise RatRefused("year_not_over")
    row = Meeting(**asdict(plan), created_by_id=user_id, idempotency_key=idempotency_key)
    meeting = _insert_once(
        session,
        row,
        lambda: _meeting_by_key(session, idempotency_key),
        {"uq_rat_meetings_annual_year": "annual_exists"},
    )
    if meeting is not row:
        return meeting  # the same form, sent again at the same moment, made it
    with force_locale("id"):  # the letter goes to the members, in the cooperative's language
        subject = _(
            "Invitation to the members' meeting for book year %(year)s on %(date)s",
            year=plan.book_year,
            date=plan.held_on.strftime("%d-%m-%Y"),
        )
        counterpart = _("All members")
    letter = registers.send_letter(
        session,
        code=letter_code,
        letter_date=today,
        counterpart=counterpart,
        subject=subject,
        recorded_by_id=user_id,
    )
    meeting.invitation_letter_id = letter.id
    session.flush()
    return meeting


def reschedule_meeting(session: Session, meeting: Meeting, plan: Schedule) -> None:
    """Change the date, place, agenda or the bylaws' rules of a meeting not yet opened."""
    _lock(session, meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise RatRefused("already_open")
    if plan.kind == MeetingKind.ANNUAL and plan.held_on.year <= plan.book_year:
        raise RatRefused("year_not_over")
    for name, value in asdict(plan).items():
        setattr(meeting, name, value)
    with _refusing("annual_exists", "uq_rat_meetings_annual_year"), session.begin_nested():
        session.flush()


def mark_invited(
    session: Session, meeting: Meeting, member_ids: list[int], *, user_id: int | None
) -> int:
    """Tick off active members as invited (once each); how many were new."""
    if meeting.status == MeetingStatus.CLOSED:
        raise RatRefused("closed")
    active = session.scalars(
        select(Member.id).where(Member.id.in_(member_ids), Member.status == MemberStatus.ACTIVE)
    ).all()
    if not active:
        return 0
    statement = (
        insert(Invitation)
        .values(
            [
                {
                    "meeting_id": meeting.id,
                    "member_id": m,
                    "sent_by_id": user_id,
                    "sent_at": datetime.now(UTC),
                }
                for m in active
            ]
        )
        .on_conflict_do_nothing(index_elements=["meeting_id", "member_id"])
        .returning(Invitation.id)
    )
    added = len(session.execute(statement).all())
    session.flush()
    return added


def open_meeting(session: Session, meeting: Meeting, *, now: datetime) -> None:
    """Open the meeting: the active members now are those entitled to attend, for good."""
    _lock(session, meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise RatRefused("already_open")
    meeting.entitled = int(
        session.scalar(
            select(func.count()).select_from(Member).where(Member.status == MemberStatus.ACTIVE)
        )
        or 0
    )
    meeting.status = MeetingStatus.OPEN
    meeting.opened_at = now
    session.flush()


def record_arrival(
    session: Session,
    meeting: Meeting,
    member: Member,
    *,
    proxy_for: Member | None = None,
    now: datetime,
    user_id: int | None,
) -> Attendance:
    """``member`` is present; with ``proxy_for``, they also hold that member's proxy (kuasa),
    one at most. Raises RatRefused: not_open, not_active, already_present, no_proxies,
    proxy_held, holder_absent."""
    if meeting.status != MeetingStatus.OPEN:
        raise RatRefused("not_open")
    if member.status != MemberStatus.ACTIVE:
        raise RatRefused("not_active")
    if proxy_for is None:
        return _attend(session, meeting, member.id, proxy_id=None, now=now, user_id=user_id)
    if not meeting.proxies_allowed:
        raise RatRefused("no_proxies")
    if proxy_for.status != MemberStatus.ACTIVE:
        raise RatRefused("not_active")
    if not queries.is_present_in_person(session, meeting.id, member.id):
        _attend(session, meeting, member.id, proxy_id=None, now=now, user_id=user_id)
    with _refusing("proxy_held", "uq_rat_attendance_one_proxy"):
        return _attend(session, meeting, proxy_for.id, proxy_id=member.id, now=now, user_id=user_id)


def _attend(
    session: Session,
    meeting: Meeting,
    member_id: int,
    *,
    proxy_id: int | None,
    now: datetime,
    user_id: int | None,
) -> Attendance:
    row = Attendance(
        meeting_id=meeting.id,
        member_id=member_id,
        proxy_id=proxy_id,
        arrived_at=now,
        recorded_by_id=user_id,
    )
    with (
        _refusing("already_present", "uq_rat_attendance_meeting_id_member_id"),
        session.begin_nested(),
    ):
        session.add(row)
        session.flush()
    return row


@dataclass(frozen=True)
class Votes:
    votes_for: int
    votes_against: int
    votes_abstain: int

    @property
    def total(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain


def record_decision(
    session: Session,
    meeting: Meeting,
    *,
    topic: Topic,
    title: str,
    votes: Votes,
    user_id: int | None,
    idempotency_key: uuid.UUID,
) -> Decision:
    """A decision put to the vote and its outcome, once per key: a form sent again returns the
    first decision. Approving the SHU split names the plan of the book year as it stands (its
    fingerprint), which is the plan the treasurer may post. Raises RatRefused: not_open,
    no_quorum, too_many_votes, already_decided, no_shu_plan."""
    if (first := _decision_by_key(session, idempotency_key)) is not None:
        return first
    _lock(session, meeting)
    if (first := _decision_by_key(session, idempotency_key)) is not None:
        return first  # recorded while this one waited for the meeting
    if meeting.status != MeetingStatus.OPEN:
        raise RatRefused("not_open")
    present = queries.present_count(session, meeting.id)
    if meeting.quorum is None or present < meeting.quorum:
        raise RatRefused("no_quorum")
    if votes.total > present:
        raise RatRefused("too_many_votes")
    decision = Decision(
        meeting_id=meeting.id,
        topic=topic,
        title=title.strip(),
        votes_for=votes.votes_for,
        votes_against=votes.votes_against,
        votes_abstain=votes.votes_abstain,
        approved=votes.votes_for > votes.votes_against,
        recorded_by_id=user_id,
        idempotency_key=idempotency_key,
    )
    if topic == Topic.SHU:
        try:
            planned = shu.plan(session, meeting.book_year, shu.get_percentages(session))
        except LedgerError as error:
            raise RatRefused("no_shu_plan") from error
        decision.shu_year = planned.year
        decision.shu_fingerprint = planned.fingerprint
        decision.shu_amount = planned.shu
    return _insert_once(
        session,
        decision,
        lambda: _decision_by_key(session, idempotency_key),
        {"uq_rat_decisions_approved_topic": "already_decided"},
    )


def close_meeting(
    session: Session, meeting: Meeting, *, now: datetime, user_id: int | None
) -> None:
    """Close the meeting and write its minutes in the registers' book of minutes; from then on
    the database keeps everything of it as it is."""
    _lock(session, meeting)
    if meeting.status != MeetingStatus.OPEN:
        raise RatRefused("not_open")
    present = queries.present_count(session, meeting.id)
    decisions = queries.list_decisions(session, meeting.id)
    with force_locale("id"):  # the registers are kept in the cooperative's language
        values = {
            "entry_date": meeting.held_on,
            "category": "anggota",
            "name": minutes_title(meeting),
            "place": meeting.place,
            "count": present,
            "body": "\n".join(meeting.agenda_items)[:TEXT_LENGTH],
            "outcome": minutes_outcome(meeting, present, decisions)[:TEXT_LENGTH],
        }
    entry = registers.add_entry(session, Kind.MINUTES, values, recorded_by_id=user_id)
    meeting.minutes_entry_id = entry.id
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = now
    session.flush()


def minutes_title(meeting: Meeting) -> str:
    if meeting.kind == MeetingKind.EXTRAORDINARY:
        return _(
            "Extraordinary members' meeting (RAT-LB), book year %(year)s", year=meeting.book_year
        )
    return _("Annual members' meeting (RAT), book year %(year)s", year=meeting.book_year)


def minutes_outcome(meeting: Meeting, present: int, decisions: list[Decision]) -> str:
    """The minutes' decisions: the attendance against the quorum, then each vote."""
    lines = [
        _(
            "Present: %(present)s of %(entitled)s members entitled to attend; quorum %(quorum)s.",
            present=present,
            entitled=meeting.entitled,
            quorum=meeting.quorum,
        )
    ]
    for decision in decisions:
        outcome = _("approved") if decision.approved else _("not approved")
        lines.append(
            _(
                "%(title)s: %(outcome)s (for %(for)s, against %(against)s, abstained %(abstain)s).",
                title=decision.title,
                outcome=outcome,
                **{
                    "for": decision.votes_for,
                    "against": decision.votes_against,
                    "abstain": decision.votes_abstain,
                },
            )
        )
    return "\n".join(lines)


def _lock(session: Session, meeting: Meeting) -> None:
    """Lock the meeting's row and read it afresh: two officers cannot open, close or decide
    past each other."""
    session.refresh(meeting, with_for_update=True)
