"""A members' meeting and its decisions are recorded once per form: a double tap, a form sent
again, or the same form racing itself makes one meeting (with one invitation letter) and one
decision, and the database refuses a second row with the key."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from saas.members.models import Member
from saas.rat import operations as rat
from saas.rat.models import Decision, Meeting, MeetingKind, Topic
from saas.registers.models import Letter
from tests.factories import books_of, hidden, refused_by_database, text
from tests.integration.committed import OFFICERS, Books, at_once, committed_books
from tests.integration.test_rat import (
    BASE,
    HELD_ON,
    NOW,
    VOTES,
    ketua,
    open_meeting,
    schedule_form,
)

__all__ = ["ketua"]  # the fixture, used here by name

EXTRAORDINARY = rat.Schedule(
    kind=MeetingKind.EXTRAORDINARY,
    book_year=2026,
    held_on=HELD_ON,
    starts_at=NOW.time(),
    place="Balai desa",
    agenda="Perubahan anggaran dasar",
)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def schedule_extraordinary(session, key: uuid.UUID) -> Meeting:
    return rat.schedule_meeting(
        session,
        EXTRAORDINARY,
        letter_code="KDMP",
        today=HELD_ON,
        user_id=None,
        idempotency_key=key,
    )


def decide_other(session, meeting: Meeting, key: uuid.UUID) -> Decision:
    return rat.record_decision(
        session,
        meeting,
        topic=Topic.OTHER,
        title="Iuran kebersihan pasar",
        votes=VOTES,
        user_id=None,
        idempotency_key=key,
    )


@pytest.fixture
def quorate(db, tenants) -> Meeting:
    """An open annual meeting that every member of alpha attends."""
    meeting = open_meeting(db, tenants)
    with books_of(db, tenants.a) as session:
        held = session.get_one(Meeting, meeting.id)
        for member in session.scalars(select(Member)):
            rat.record_arrival(session, held, member, now=NOW, user_id=None)
    return meeting


def test_an_extraordinary_meeting_scheduled_twice_with_one_key_is_one_meeting(db, tenants):
    key = uuid.uuid4()
    with books_of(db, tenants.a) as session:
        first = schedule_extraordinary(session, key)
        again = schedule_extraordinary(session, key)
        another = schedule_extraordinary(session, uuid.uuid4())  # several a year are allowed
        assert again.id == first.id
        assert another.id != first.id
        assert count(session, Meeting) == 2
        assert count(session, Letter) == 2  # one invitation each, none for the repeat


def test_a_decision_recorded_twice_with_one_key_is_one_decision(db, tenants, quorate):
    key = uuid.uuid4()
    with books_of(db, tenants.a) as session:
        held = session.get_one(Meeting, quorate.id)
        first = decide_other(session, held, key)
        again = decide_other(session, held, key)
        second_motion = decide_other(session, held, uuid.uuid4())  # other matters: any number
        assert again.id == first.id
        assert second_motion.id != first.id
        assert count(session, Decision) == 2


def test_a_decision_sent_again_after_the_meeting_closed_returns_the_first(db, tenants, quorate):
    key = uuid.uuid4()
    with books_of(db, tenants.a) as session:
        held = session.get_one(Meeting, quorate.id)
        first = decide_other(session, held, key)
        rat.close_meeting(session, held, now=NOW, user_id=None)
        assert decide_other(session, held, key).id == first.id
        with pytest.raises(rat.RatRefused) as refused:
            decide_other(session, held, uuid.uuid4())
        assert refused.value.code == "not_open"


def test_the_schedule_form_sent_twice_makes_one_meeting_and_one_letter(ketua, db, tenants):
    page = text(ketua.get(BASE))
    form = {
        **schedule_form(kind="rat-lb", book_year="2026"),
        "key": hidden(page, "key"),
        "csrf_token": hidden(page, "csrf_token"),
    }
    first = ketua.post(f"{BASE}/baru", data=form)
    again = ketua.post(f"{BASE}/baru", data=form)
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    with books_of(db, tenants.a) as session:
        assert count(session, Meeting) == 1
        assert count(session, Letter) == 1
    assert hidden(text(ketua.get(BASE)), "key") != form["key"]  # the next meeting is another


def test_the_decision_form_sent_twice_records_one_decision(ketua, db, tenants, quorate):
    url = f"{BASE}/{quorate.id}"
    page = text(ketua.get(url))
    form = {
        "topic": "other",
        "title": "Iuran kebersihan pasar",
        "votes_for": "2",
        "votes_against": "0",
        "votes_abstain": "0",
        "key": hidden(page, "key"),
        "csrf_token": hidden(page, "csrf_token"),
    }
    assert ketua.post(f"{url}/keputusan", data=form).status_code == 302
    assert ketua.post(f"{url}/keputusan", data=form).status_code == 302
    with books_of(db, tenants.a) as session:
        assert count(session, Decision) == 1
    assert text(ketua.get(url)).count("Iuran kebersihan pasar") == 1


def test_a_form_without_a_valid_key_is_sent_back_with_a_new_one(ketua, db, tenants):
    page = text(ketua.get(BASE))
    form = {**schedule_form(), "key": "not-a-key", "csrf_token": hidden(page, "csrf_token")}
    refused = ketua.post(f"{BASE}/baru", data=form)
    assert refused.status_code == 422
    assert "This form is out of date. Open it again." in text(refused)
    assert uuid.UUID(hidden(text(refused), "key"))  # sending it again now works
    with books_of(db, tenants.a) as session:
        assert count(session, Meeting) == 0


def test_the_database_refuses_a_second_meeting_or_decision_with_one_key(db, tenants, quorate):
    schema = tenants.a.tenant.schema_name
    with books_of(db, tenants.a) as session:
        meeting = session.get_one(Meeting, quorate.id)
        decision = decide_other(session, meeting, uuid.uuid4())
        meeting_error = refused_by_database(
            session,
            schema,
            "INSERT INTO rat_meetings (kind, book_year, held_on, starts_at, place, agenda,"
            " quorum_numerator, quorum_denominator, proxies_allowed, status, created_at,"
            " idempotency_key) VALUES ('rat-lb', 2026, '2026-03-15', '09:00', 'x', 'x', 1, 2,"
            " false, 'scheduled', now(), :key)",
            key=meeting.idempotency_key,
        )
        decision_error = refused_by_database(
            session,
            schema,
            "INSERT INTO rat_decisions (meeting_id, topic, title, votes_for, votes_against,"
            " votes_abstain, approved, recorded_at, idempotency_key) VALUES (:m, 'other', 'x',"
            " 1, 0, 0, true, now(), :key)",
            m=meeting.id,
            key=decision.idempotency_key,
        )
    assert "uq_rat_meetings_idempotency_key" in meeting_error
    assert "uq_rat_decisions_idempotency_key" in decision_error


# -- the same form racing itself, each request on its own connection -----------------------------


@pytest.fixture
def committed(app) -> Iterator[Books]:
    with committed_books(app) as books:
        yield books


def test_one_schedule_sent_by_every_officer_at_once_makes_one_meeting(committed):
    key = uuid.uuid4()
    ids = at_once(committed, lambda session: schedule_extraordinary(session, key).id)
    assert len(ids) == OFFICERS
    assert len(set(ids)) == 1
    with committed.session() as session:
        assert count(session, Meeting) == 1
        assert count(session, Letter) == 1


def test_one_decision_sent_by_every_officer_at_once_is_recorded_once(committed):
    with committed.session() as session:
        meeting = schedule_extraordinary(session, uuid.uuid4())
        rat.open_meeting(session, meeting, now=NOW)
        rat.record_arrival(
            session, meeting, session.get_one(Member, committed.member_id), now=NOW, user_id=None
        )
        session.commit()
        meeting_id = meeting.id
    key = uuid.uuid4()

    def decide(session) -> int:
        held = session.get_one(Meeting, meeting_id)
        return rat.record_decision(
            session,
            held,
            topic=Topic.OTHER,
            title="Iuran",
            votes=rat.Votes(1, 0, 0),
            user_id=None,
            idempotency_key=key,
        ).id

    ids = at_once(committed, decide)
    assert len(set(ids)) == 1
    with committed.session() as session:
        assert count(session, Decision) == 1
