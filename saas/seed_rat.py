"""A members' meeting held and closed, as the demo cooperative holds last year's RAT before its
SHU is posted (and as fixtures and benchmarks that post an SHU do)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas import clock
from saas.ledger import operations as ledger
from saas.members.models import Member, MemberStatus
from saas.rat import operations as rat
from saas.rat.models import Meeting, MeetingKind, Topic

DEMO_AGENDA = (
    "Pembukaan",
    "Laporan pertanggungjawaban pengurus tahun buku",
    "Laporan pengawas",
    "Laporan keuangan tahunan",
    "Pembagian SHU",
    "Rencana kerja dan anggaran (RAPB) tahun berikutnya",
    "Lain-lain",
    "Penutup",
)
STARTS_AT = time(9, 0)


def hold_rat(
    session: Session,
    *,
    book_year: int,
    held_on: date,
    letter_code: str,
    user_id: int | None,
    place: str = "Balai desa",
) -> Meeting:
    """A closed annual meeting of ``book_year`` that every active member attended and that
    approved the statements and, when the year's books show one, the SHU split, unanimously."""
    meeting = rat.schedule_meeting(
        session,
        rat.Schedule(
            kind=MeetingKind.ANNUAL,
            book_year=book_year,
            held_on=held_on,
            starts_at=STARTS_AT,
            place=place,
            agenda="\n".join(DEMO_AGENDA),
        ),
        letter_code=letter_code,
        today=held_on,
        user_id=user_id,
        idempotency_key=uuid.uuid4(),
    )
    started = datetime.combine(held_on, STARTS_AT, tzinfo=clock.WIB)
    rat.open_meeting(session, meeting, now=started)
    present = list(session.scalars(select(Member).where(Member.status == MemberStatus.ACTIVE)))
    for member in present:
        rat.record_arrival(session, meeting, member, now=started, user_id=user_id)
    votes = rat.Votes(len(present), 0, 0)
    topics = [(Topic.STATEMENTS, "Pengesahan laporan keuangan tahunan")]
    if book_year in ledger.closed_years(session):
        topics.append((Topic.SHU, "Pengesahan pembagian SHU"))
    for topic, title in topics:
        try:
            rat.record_decision(
                session,
                meeting,
                topic=topic,
                title=title,
                votes=votes,
                user_id=user_id,
                idempotency_key=uuid.uuid4(),
            )
        except rat.RatRefused as refused:
            if refused.code != "no_shu_plan":  # a year closed without a surplus
                raise
    rat.close_meeting(session, meeting, now=started, user_id=user_id)
    return meeting


def seed_rat(
    session: Session, *, book_year: int, held_on: date, slug: str, user_id: int
) -> Iterator[str]:
    """The demo's RAT of last year, held early this year."""
    hold_rat(
        session,
        book_year=book_year,
        held_on=held_on,
        letter_code=f"KDMP-{slug.upper()}",
        user_id=user_id,
    )
    session.commit()
    yield f"held the RAT of {book_year} on {held_on.isoformat()}"
