"""The annual members' meeting (RAT) in each tenant's schema: the meeting, who was invited, who
came, and what the members decided.

The database keeps what must never happen: a decision recorded while the meeting lacks its
quorum or with more votes than members present, a member attending twice or holding two
proxies, anything changed once the meeting is closed, a meeting or a decision recorded twice
from one form (its idempotency key).
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import TenantBase, create_guards_with, value_enum
from saas.tenants.models import utcnow

PLACE_LENGTH = 200
AGENDA_LENGTH = 2000
TITLE_LENGTH = 200
# Rows written before the forms carried a key, or by a tool that gives none, get a random one.
NEW_KEY_SQL = "gen_random_uuid()"


class MeetingKind(enum.StrEnum):
    ANNUAL = "rat"  # one per book year
    EXTRAORDINARY = "rat-lb"  # rapat anggota luar biasa, as many as the members call


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"  # attendance is taken, decisions recorded
    CLOSED = "closed"  # frozen: its minutes are in the registers


class Topic(enum.StrEnum):
    STATEMENTS = "statements"  # the annual statements (the board's accountability)
    SHU = "shu"  # the SHU split of the book year
    OFFICERS = "officers"  # officer and supervisor changes
    WORK_PLAN = "work_plan"  # next year's work plan and budget (RAPB)
    OTHER = "other"


class Meeting(TenantBase):
    """One members' meeting: when and where, its agenda, the bylaws' quorum (more than
    ``quorum_numerator``/``quorum_denominator`` of the members entitled to attend, counted
    when the meeting opens)."""

    __tablename__ = "rat_meetings"
    __table_args__ = (
        Index(
            "uq_rat_meetings_annual_year",
            "book_year",
            unique=True,
            postgresql_where=text("kind = 'rat'"),
        ),
        CheckConstraint(
            "quorum_numerator > 0 AND quorum_numerator < quorum_denominator",
            name="quorum_a_fraction",
        ),
        CheckConstraint("status = 'scheduled' OR entitled IS NOT NULL", name="entitled_counted"),
        CheckConstraint("status <> 'closed' OR closed_at IS NOT NULL", name="closed_when"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    kind: Mapped[MeetingKind] = mapped_column(value_enum(MeetingKind, "rat_kind", native=False))
    book_year: Mapped[int] = mapped_column(SmallInteger)
    held_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(PLACE_LENGTH))
    agenda: Mapped[str] = mapped_column(String(AGENDA_LENGTH))  # one item a line
    quorum_numerator: Mapped[int] = mapped_column(SmallInteger, default=1)
    quorum_denominator: Mapped[int] = mapped_column(SmallInteger, default=2)
    proxies_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[MeetingStatus] = mapped_column(
        value_enum(MeetingStatus, "rat_status", native=False), default=MeetingStatus.SCHEDULED
    )
    entitled: Mapped[int | None] = mapped_column(Integer)  # active members when it opened
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    invitation_letter_id: Mapped[int | None] = mapped_column(
        ForeignKey("letters.id", ondelete="RESTRICT"), unique=True
    )
    minutes_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("register_entries.id", ondelete="RESTRICT"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The schedule form's: extraordinary meetings have no natural key to stop a form sent twice.
    idempotency_key: Mapped[uuid.UUID] = mapped_column(
        Uuid, unique=True, server_default=text(NEW_KEY_SQL)
    )

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]

    @property
    def quorum(self) -> int | None:
        """How many must be present (in person or by proxy), once the meeting is open."""
        if self.entitled is None:
            return None
        return quorum_of(self.entitled, self.quorum_numerator, self.quorum_denominator)


def quorum_of(entitled: int, numerator: int, denominator: int) -> int:
    """More than ``numerator``/``denominator`` of ``entitled``: the smallest whole count."""
    return entitled * numerator // denominator + 1


class Invitation(TenantBase):
    """A member's invitation ticked off as sent (by WhatsApp or on paper)."""

    __tablename__ = "rat_invitations"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("rat_meetings.id", ondelete="RESTRICT"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))


class Attendance(TenantBase):
    """A member present, in person or through the member holding their proxy (kuasa)."""

    __tablename__ = "rat_attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        Index(
            "uq_rat_attendance_one_proxy",
            "meeting_id",
            "proxy_id",
            unique=True,
            postgresql_where=text("proxy_id IS NOT NULL"),
        ),
        CheckConstraint("proxy_id <> member_id", name="not_own_proxy"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("rat_meetings.id", ondelete="RESTRICT"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    # The member present in person who holds this member's proxy; None for one who came.
    proxy_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    arrived_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))


class Decision(TenantBase):
    """A decision put to the vote, with the votes and whether it carried (more for than
    against). Approving the SHU split names the year and the plan's fingerprint."""

    __tablename__ = "rat_decisions"
    __table_args__ = (
        CheckConstraint(
            "votes_for >= 0 AND votes_against >= 0 AND votes_abstain >= 0", name="votes_counted"
        ),
        CheckConstraint("approved = (votes_for > votes_against)", name="majority_carries"),
        CheckConstraint(
            "(topic = 'shu') = (shu_fingerprint IS NOT NULL AND shu_year IS NOT NULL)",
            name="shu_names_its_plan",
        ),
        # A topic is approved once; a motion voted down may be put again, amended.
        Index(
            "uq_rat_decisions_approved_topic",
            "meeting_id",
            "topic",
            unique=True,
            postgresql_where=text("approved AND topic <> 'other'"),
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("rat_meetings.id", ondelete="RESTRICT"), index=True
    )
    topic: Mapped[Topic] = mapped_column(value_enum(Topic, "rat_topic", native=False))
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    votes_for: Mapped[int] = mapped_column(Integer)
    votes_against: Mapped[int] = mapped_column(Integer)
    votes_abstain: Mapped[int] = mapped_column(Integer)
    approved: Mapped[bool] = mapped_column(Boolean)
    shu_year: Mapped[int | None] = mapped_column(SmallInteger)
    shu_fingerprint: Mapped[str | None] = mapped_column(String(32))
    shu_amount: Mapped[int | None] = mapped_column(BigInteger)  # the SHU shared, rupiah
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # The decision form's: a motion voted down, or of other matters, may be put again, so only
    # the key tells a form sent twice from a second vote.
    idempotency_key: Mapped[uuid.UUID] = mapped_column(
        Uuid, unique=True, server_default=text(NEW_KEY_SQL)
    )


# -- the database's own guards -------------------------------------------------------------------
# As the ledger's: functions in the tenant's schema, run with their search_path set to it.

RAT_FUNCTIONS = """
CREATE FUNCTION {schema}.rat_meeting_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'closed' THEN
        RAISE EXCEPTION 'members'' meeting % is closed: nothing of it changes', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'scheduled' THEN
            RAISE EXCEPTION 'members'' meeting % was held: it is never deleted', OLD.id
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.entitled IS NOT NULL AND NEW.entitled IS DISTINCT FROM OLD.entitled THEN
        RAISE EXCEPTION 'the members entitled to attend meeting % were counted when it opened',
            OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status = 'open' AND NEW.status = 'scheduled' THEN
        RAISE EXCEPTION 'members'' meeting % is open already', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status = 'scheduled' AND NEW.status = 'closed' THEN
        RAISE EXCEPTION 'members'' meeting % is closed once it was held', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION {schema}.rat_part_of_meeting() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    meeting rat_meetings%ROWTYPE;
    present integer;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'a members'' meeting''s records are kept'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'a members'' meeting''s record is never changed or removed'
            USING ERRCODE = 'restrict_violation';
    END IF;
    SELECT * INTO meeting FROM rat_meetings WHERE id = NEW.meeting_id FOR SHARE;
    IF meeting.status = 'closed' THEN
        RAISE EXCEPTION 'members'' meeting % is closed: nothing of it changes', meeting.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_TABLE_NAME = 'rat_invitations' THEN
        RETURN NEW;
    END IF;
    IF meeting.status <> 'open' THEN
        RAISE EXCEPTION 'members'' meeting % has not opened', meeting.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_TABLE_NAME = 'rat_attendance' THEN
        IF NOT EXISTS (SELECT FROM members WHERE id = NEW.member_id AND status = 'active') THEN
            RAISE EXCEPTION 'only active members attend: member %', NEW.member_id
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.proxy_id IS NOT NULL AND (NOT meeting.proxies_allowed OR NOT EXISTS (
                SELECT FROM rat_attendance WHERE meeting_id = meeting.id
                AND member_id = NEW.proxy_id AND proxy_id IS NULL)) THEN
            RAISE EXCEPTION 'a proxy is held by a member present in person, where the bylaws allow'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    SELECT count(*) INTO present FROM rat_attendance WHERE meeting_id = meeting.id;
    IF present < meeting.entitled * meeting.quorum_numerator / meeting.quorum_denominator + 1 THEN
        RAISE EXCEPTION 'members'' meeting % has no quorum: its decisions cannot be taken',
            meeting.id USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.votes_for + NEW.votes_against + NEW.votes_abstain > present THEN
        RAISE EXCEPTION 'more votes than members present at meeting %', meeting.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
"""

MEETINGS_KEPT = """
CREATE TRIGGER rat_meetings_kept BEFORE UPDATE OR DELETE ON {schema}.rat_meetings
    FOR EACH ROW EXECUTE FUNCTION {schema}.rat_meeting_kept();
"""
PART_KEPT = """
CREATE TRIGGER {table}_kept BEFORE INSERT OR UPDATE OR DELETE ON {schema}.{table}
    FOR EACH ROW EXECUTE FUNCTION {schema}.rat_part_of_meeting();
CREATE TRIGGER {table}_truncate BEFORE TRUNCATE ON {schema}.{table}
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.rat_part_of_meeting();
"""
create_guards_with(Meeting.__table__, RAT_FUNCTIONS + MEETINGS_KEPT)
for _table in (Invitation, Attendance, Decision):
    create_guards_with(_table.__table__, PART_KEPT.replace("{table}", _table.__tablename__))
