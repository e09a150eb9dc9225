"""The annual members' meeting (RAT): scheduled with its invitation numbered, members invited by
WhatsApp or on paper, attendance by number or card against the bylaws' quorum, decisions with
votes only while the quorum holds, closed for good with its minutes in the registers, the SHU
posted only after the RAT that approved it, and the RAT pack as one PDF."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest
from flask import g
from pypdf import PdfReader
from sqlalchemy import select

from saas.blueprints.member_cards import card_url
from saas.dashboard import queries as national
from saas.dashboard.models import TenantSummary
from saas.ledger.rules import LedgerError
from saas.members import operations as members
from saas.members.models import Member
from saas.members.operations import MemberDetails
from saas.rat import operations as rat
from saas.rat.models import Attendance, Decision, Meeting, MeetingKind, MeetingStatus, Topic
from saas.registers.models import Kind, Letter, RegisterEntry
from saas.seed import DEMO_SLUG, seed_demo
from saas.shu import operations as shu
from saas.tenants.models import Tenant
from tests.factories import (
    book_closed_2025,
    books_of,
    csrf_from,
    hidden,
    login,
    refused_by_database,
    text,
)
from tests.integration.test_pages_in_indonesian import english_on

BASE = "/kelola/rat"
HELD_ON = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


def schedule_form(**fields: str) -> dict[str, str]:
    return {
        "kind": "rat",
        "book_year": "2025",
        "held_on": HELD_ON.isoformat(),
        "starts_at": "09:00",
        "place": "Balai Desa Alpha",
        "agenda": "Pembukaan\nLaporan pengurus\nPembagian SHU\nPenutup",
        "quorum": "1/2",
        **fields,
    }


def post(client, path: str, data: dict[str, str], page: str | None = None):
    """Post ``data`` with the CSRF token of ``page`` (the path itself by default), and its form's
    idempotency key where it has one."""
    shown = text(client.get(page or path))
    token = hidden(shown, "csrf_token")
    keyed = {"key": hidden(shown, "key")} if 'name="key"' in shown else {}
    return client.post(path, data={**keyed, **data, "csrf_token": token})


@pytest.fixture
def ketua(alpha):
    assert login(alpha, "ana@kopalpha.id").status_code == 302
    return alpha


def schedule(ketua, **fields: str) -> int:
    done = post(ketua, f"{BASE}/baru", schedule_form(**fields), page=BASE)
    assert done.status_code == 302, text(done)
    return int(done.headers["Location"].rsplit("/", 1)[1])


def meeting_of(db, tenants, meeting_id: int) -> Meeting:
    with books_of(db, tenants.a) as session:
        found = session.get(Meeting, meeting_id)
        assert found is not None
        session.expunge(found)
        return found


def card_code(app, tenants, member: Member) -> str:
    with app.test_request_context("/"):
        g.tenant = tenants.a.tenant
        return card_url(member)


def pdf_text(body: bytes) -> str:
    pages = (page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return " ".join(" ".join(pages).split())


def add_member(session, name: str, nik: str, phone: str | None = None) -> Member:
    return members.register_member(
        session,
        MemberDetails(
            nik=nik,
            name=name,
            gender=None,
            birth_date=None,
            address=None,
            village=None,
            phone=phone,
            join_date=date(2025, 9, 1),
        ),
    )


def open_meeting(db, tenants, *, proxies: bool = False) -> Meeting:
    """An annual meeting of 2025 opened with alpha's active members entitled to attend."""
    with books_of(db, tenants.a) as session:
        meeting = rat.schedule_meeting(
            session,
            rat.Schedule(
                kind=MeetingKind.ANNUAL,
                book_year=2025,
                held_on=HELD_ON,
                starts_at=NOW.time(),
                place="Balai desa",
                agenda="Pembukaan",
                proxies_allowed=proxies,
            ),
            letter_code="KDMP-ALPHA",
            today=HELD_ON,
            user_id=tenants.a.users["ketua"].id,
            idempotency_key=uuid.uuid4(),
        )
        rat.open_meeting(session, meeting, now=NOW)
        session.commit()
        session.expunge(meeting)
        return meeting


VOTES = rat.Votes(2, 0, 0)


def test_the_whole_rat_from_schedule_to_the_shu_posted(app, ketua, client_for, db, tenants):
    sri, joko = book_closed_2025(db, tenants.a)
    with books_of(db, tenants.a) as session:
        session.get(Member, sri).phone = "+6281100000099"
        session.commit()
    treasurer = client_for("alpha")
    login(treasurer, "bambang@kopalpha.id")
    # Before the RAT: the SHU page says why it cannot be posted, and links to the meetings.
    plan = text(treasurer.get("/kelola/shu/2025"))
    assert "no closed RAT of this book year approved its split" in plan
    assert f'href="{BASE}"' in plan
    refused = post(
        treasurer,
        "/kelola/shu/2025",
        {
            "key": hidden(plan, "key"),
            "figures": hidden(plan, "figures"),
            "decided_on": "2026-03-15",
        },
    )
    assert refused.status_code == 422

    meeting_id = schedule(ketua)
    with books_of(db, tenants.a) as session:
        letter = session.scalars(select(Letter).where(Letter.direction == "out")).one()
        assert letter.number.endswith("/KDMP-ALPHA/XII/2026")
        assert "2025" in letter.subject

    invitations = text(ketua.get(f"{BASE}/{meeting_id}/undangan"))
    link = re.search(r'href="(https://wa\.me/6281100000099\?text=[^"]+)"', invitations)
    assert link, "Sri has a phone: a WhatsApp link"
    message = unquote(link.group(1))
    assert "Yth. Sri Wahyuni Alpha" in message
    assert "Balai Desa Alpha" in message
    assert "Pembagian SHU" in message
    assert "http://alpha.localhost/anggota/rat" in message
    assert letter.number in message
    assert "Joko OnlyAlpha" in invitations.split('id="on-paper"', 1)[1]  # no phone: on paper
    letters = ketua.get(f"{BASE}/{meeting_id}/undangan.pdf")
    assert letters.mimetype == "application/pdf"
    assert "Joko OnlyAlpha" in pdf_text(letters.data)
    ticked = post(ketua, f"{BASE}/{meeting_id}/undangan", {"member": [str(sri), str(joko)]})
    assert ticked.status_code == 302
    assert "2 of the active members are ticked off" in text(ketua.get(f"{BASE}/{meeting_id}"))

    assert (
        post(ketua, f"{BASE}/{meeting_id}/buka", {}, page=f"{BASE}/{meeting_id}").status_code == 302
    )
    desk = text(ketua.get(f"{BASE}/{meeting_id}/hadir"))
    assert 'data-scan="qr_code"' in desk
    assert "data-scan-button" in desk
    # Sri by her member number typed short, Joko by his card's code pasted whole.
    assert post(ketua, f"{BASE}/{meeting_id}/hadir", {"member": "1"}).status_code == 302
    early = post(
        ketua,
        f"{BASE}/{meeting_id}/keputusan",
        {"topic": "statements", "votes_for": "1", "votes_against": "0", "votes_abstain": "0"},
        page=f"{BASE}/{meeting_id}",
    )
    assert early.status_code == 422
    assert "The quorum is not reached" in text(early)
    with books_of(db, tenants.a) as session:
        joko_card = card_code(app, tenants, session.get(Member, joko))
    assert post(ketua, f"{BASE}/{meeting_id}/hadir", {"member": joko_card}).status_code == 302
    count = text(ketua.get(f"{BASE}/{meeting_id}/hadir/jumlah"))
    assert "2 present" in count
    assert "Quorum reached" in count

    for topic in ("statements", "shu"):
        decided = post(
            ketua,
            f"{BASE}/{meeting_id}/keputusan",
            {"topic": topic, "votes_for": "2", "votes_against": "0", "votes_abstain": "0"},
            page=f"{BASE}/{meeting_id}",
        )
        assert decided.status_code == 302, text(decided)
    closed = post(ketua, f"{BASE}/{meeting_id}/tutup", {}, page=f"{BASE}/{meeting_id}")
    assert closed.status_code == 302

    with books_of(db, tenants.a) as session:
        minutes = session.scalars(
            select(RegisterEntry).where(RegisterEntry.kind == Kind.MINUTES)
        ).one()
        assert minutes.category == "anggota"
        assert minutes.count == 2
        assert minutes.entry_date == HELD_ON
        assert "Pengesahan pembagian SHU: disetujui (setuju 2" in minutes.outcome
    # After it: the meeting leads the treasurer to the SHU, whose page names the RAT, the date
    # defaults to the RAT's, and it is posted.
    assert 'href="/kelola/shu/2025"' in text(treasurer.get(f"{BASE}/{meeting_id}"))
    plan = text(treasurer.get("/kelola/shu/2025"))
    assert f'href="{BASE}/{meeting_id}"' in plan
    assert 'value="2026-03-15"' in plan
    posted = treasurer.post(
        "/kelola/shu/2025",
        data={
            "csrf_token": hidden(plan, "csrf_token"),
            "key": hidden(plan, "key"),
            "figures": hidden(plan, "figures"),
            "decided_on": hidden(plan, "decided_on"),
        },
    )
    assert posted.status_code == 302

    pack = ketua.get(f"{BASE}/{meeting_id}/paket.pdf")
    assert pack.mimetype == "application/pdf"
    words = pdf_text(pack.data)
    for heading in (
        "RAT pack, book year 2025",
        "Agenda",
        "Statement of financial position (neraca)",
        "Operating results (PHU)",
        "Statement of changes in equity",
        "Statement of cash flows",
        "The split of the SHU",
        "As posted after the meeting approved it.",
        "Membership changes in the book year",
        "Minutes",
        "Attendance list",
        "0001 Sri Wahyuni Alpha; 0002 Joko OnlyAlpha",
    ):
        assert heading in words, heading
    assert "3273014507900001" not in words  # names and numbers, never the NIK


def test_the_shu_is_refused_before_a_closed_rat_approved_it(db, tenants):
    book_closed_2025(db, tenants.a)
    meeting = open_meeting(db, tenants)
    with books_of(db, tenants.a) as session:
        planned = shu.plan(session, 2025, shu.get_percentages(session))

        def post_it(on: date = HELD_ON) -> None:
            shu.post_allocation(
                session, planned, decided_on=on, idempotency_key=uuid.uuid4(), user_id=None
            )

        with pytest.raises(LedgerError) as refused:
            post_it()
        assert refused.value.code == "rat_not_held"
        held = session.get(Meeting, meeting.id)
        for member in session.scalars(select(Member)):
            rat.record_arrival(session, held, member, now=NOW, user_id=None)
        rat.record_decision(
            session,
            held,
            topic=Topic.SHU,
            title="SHU",
            votes=VOTES,
            user_id=None,
            idempotency_key=uuid.uuid4(),
        )
        with pytest.raises(LedgerError) as still:
            post_it()  # approved, but the meeting is still open
        assert still.value.code == "rat_not_held"
        rat.close_meeting(session, held, now=NOW, user_id=None)
        with pytest.raises(LedgerError) as early:
            post_it(date(2026, 3, 1))
        assert early.value.code == "decided_before_rat"
        post_it()


def test_a_voted_down_shu_split_does_not_let_the_shu_be_posted(db, tenants):
    book_closed_2025(db, tenants.a)
    meeting = open_meeting(db, tenants)
    with books_of(db, tenants.a) as session:
        held = session.get(Meeting, meeting.id)
        for member in session.scalars(select(Member)):
            rat.record_arrival(session, held, member, now=NOW, user_id=None)
        votes = rat.Votes(0, 2, 0)
        decision = rat.record_decision(
            session,
            held,
            topic=Topic.SHU,
            title="SHU",
            votes=votes,
            user_id=None,
            idempotency_key=uuid.uuid4(),
        )
        assert decision.approved is False
        rat.close_meeting(session, held, now=NOW, user_id=None)
        planned = shu.plan(session, 2025, shu.get_percentages(session))
        with pytest.raises(LedgerError) as refused:
            shu.post_allocation(
                session, planned, decided_on=HELD_ON, idempotency_key=uuid.uuid4(), user_id=None
            )
        assert refused.value.code == "rat_not_held"


def test_decisions_without_the_quorum_are_refused_by_the_operation_and_the_database(db, tenants):
    meeting = open_meeting(db, tenants)
    assert meeting.entitled == 2
    assert meeting.quorum == 2  # more than half of 2
    with books_of(db, tenants.a) as session:
        held = session.get(Meeting, meeting.id)
        rat.record_arrival(
            session, held, session.get(Member, tenants.a.members[0].id), now=NOW, user_id=None
        )
        with pytest.raises(rat.RatRefused) as refused:
            rat.record_decision(
                session,
                held,
                topic=Topic.STATEMENTS,
                title="Laporan",
                votes=rat.Votes(1, 0, 0),
                user_id=None,
                idempotency_key=uuid.uuid4(),
            )
        assert refused.value.code == "no_quorum"
        schema = tenants.a.tenant.schema_name
        error = refused_by_database(
            session,
            schema,
            "INSERT INTO rat_decisions (meeting_id, topic, title, votes_for, votes_against,"
            " votes_abstain, approved, recorded_at) VALUES (:m, 'statements', 'x', 1, 0, 0, true,"
            " now())",
            m=meeting.id,
        )
        assert "has no quorum" in error


def test_votes_are_bounded_by_the_members_present(ketua, db, tenants):
    meeting = open_meeting(db, tenants)
    with books_of(db, tenants.a) as session:
        held = session.get(Meeting, meeting.id)
        for member in session.scalars(select(Member)):
            rat.record_arrival(session, held, member, now=NOW, user_id=None)
        session.commit()
        error = refused_by_database(
            session,
            tenants.a.tenant.schema_name,
            "INSERT INTO rat_decisions (meeting_id, topic, title, votes_for, votes_against,"
            " votes_abstain, approved, recorded_at) VALUES (:m, 'other', 'x', 2, 1, 0, true,"
            " now())",
            m=meeting.id,
        )
        assert "more votes than members present" in error
    page = f"{BASE}/{meeting.id}"
    too_many = post(
        ketua,
        f"{page}/keputusan",
        {
            "topic": "other",
            "title": "Iuran",
            "votes_for": "2",
            "votes_against": "1",
            "votes_abstain": "0",
        },
        page=page,
    )
    assert too_many.status_code == 422
    assert "more votes than members present" in text(too_many)
    negative = post(
        ketua,
        f"{page}/keputusan",
        {"topic": "other", "votes_for": "-1", "votes_against": "0", "votes_abstain": "x"},
        page=page,
    )
    assert negative.status_code == 422
    assert "Enter a whole number of votes." in text(negative)


def test_a_member_is_present_once_and_only_active_members_attend(ketua, db, tenants, today):
    meeting = open_meeting(db, tenants)
    desk = f"{BASE}/{meeting.id}/hadir"
    assert post(ketua, desk, {"member": "0001"}).status_code == 302
    again = post(ketua, desk, {"member": "0001"})
    assert again.status_code == 422
    assert "recorded as present already" in text(again)
    unknown = post(ketua, desk, {"member": "9999"})
    assert unknown.status_code == 422
    assert "No member has that number or card" in text(unknown)
    assert post(ketua, desk, {"member": "http://beta.localhost/kartu/abc.def"}).status_code == 422
    with books_of(db, tenants.a) as session:
        sri = tenants.a.members[0].id
        error = refused_by_database(
            session,
            tenants.a.tenant.schema_name,
            "INSERT INTO rat_attendance (meeting_id, member_id, arrived_at) VALUES (:m, :s, now())",
            m=meeting.id,
            s=sri,
        )
        assert "uq_rat_attendance_meeting_id_member_id" in error
        joko = session.get(Member, tenants.a.members[-1].id)
        session.execute(
            Member.__table__.update()
            .where(Member.id == joko.id)
            .values(status="left", left_on=today)
        )
        error = refused_by_database(
            session,
            tenants.a.tenant.schema_name,
            "INSERT INTO rat_attendance (meeting_id, member_id, arrived_at) VALUES (:m, :j, now())",
            m=meeting.id,
            j=joko.id,
        )
        assert "only active members attend" in error


def test_a_proxy_is_held_by_a_member_present_once_each_where_the_bylaws_allow(ketua, db, tenants):
    with books_of(db, tenants.a) as session:
        third = add_member(session, "Tuti Alpha", "3273014507900003")
        session.commit()
        third_number = third.number
    closed_to_proxies = open_meeting(db, tenants)
    refused = post(
        ketua, f"{BASE}/{closed_to_proxies.id}/hadir", {"member": "0001", "proxy_for": "0002"}
    )
    assert refused.status_code == 422
    with books_of(db, tenants.a) as session:
        # Only one annual meeting a year: the second test meeting is an extraordinary one.
        meeting = rat.schedule_meeting(
            session,
            rat.Schedule(
                kind=MeetingKind.EXTRAORDINARY,
                book_year=2025,
                held_on=HELD_ON,
                starts_at=NOW.time(),
                place="Balai desa",
                agenda="Pembukaan",
                proxies_allowed=True,
            ),
            letter_code="KDMP-ALPHA",
            today=HELD_ON,
            user_id=None,
            idempotency_key=uuid.uuid4(),
        )
        rat.open_meeting(session, meeting, now=NOW)
        session.commit()
        meeting_id = meeting.id
    desk = f"{BASE}/{meeting_id}/hadir"
    assert post(ketua, desk, {"member": "0001", "proxy_for": "0002"}).status_code == 302
    second = post(ketua, desk, {"member": "0001", "proxy_for": third_number})
    assert second.status_code == 422
    assert "holds a proxy already" in text(second)
    arrivals = text(ketua.get(desk))
    assert "by proxy, held by Sri Wahyuni Alpha (0001)" in arrivals
    assert "2 present" in arrivals
    with books_of(db, tenants.a) as session:
        error = refused_by_database(
            session,
            tenants.a.tenant.schema_name,
            "INSERT INTO rat_attendance (meeting_id, member_id, proxy_id, arrived_at)"
            " VALUES (:m, :t, :j, now())",
            m=closed_to_proxies.id,
            t=third.id,
            j=tenants.a.members[-1].id,
        )
        assert "a proxy is held by a member present in person" in error


def test_a_closed_meeting_is_kept_as_it_is_by_the_database(ketua, db, tenants):
    meeting = open_meeting(db, tenants)
    with books_of(db, tenants.a) as session:
        held = session.get(Meeting, meeting.id)
        for member in session.scalars(select(Member)):
            rat.record_arrival(session, held, member, now=NOW, user_id=None)
        rat.record_decision(
            session,
            held,
            topic=Topic.STATEMENTS,
            title="Laporan",
            votes=VOTES,
            user_id=None,
            idempotency_key=uuid.uuid4(),
        )
        rat.close_meeting(session, held, now=NOW, user_id=None)
        session.commit()
        schema = tenants.a.tenant.schema_name
        for statement in (
            "UPDATE rat_meetings SET place = 'Lain' WHERE id = :m",
            "UPDATE rat_meetings SET status = 'open' WHERE id = :m",
            "DELETE FROM rat_meetings WHERE id = :m",
            "UPDATE rat_decisions SET votes_for = 0 WHERE meeting_id = :m",
            "DELETE FROM rat_attendance WHERE meeting_id = :m",
            "INSERT INTO rat_invitations (meeting_id, member_id, sent_at) VALUES (:m, 1, now())",
        ):
            error = refused_by_database(session, schema, statement, m=meeting.id)
            assert "closed" in error or "never changed" in error, statement
        with pytest.raises(rat.RatRefused):
            rat.record_arrival(
                session, held, session.get(Member, tenants.a.members[0].id), now=NOW, user_id=None
            )
    page = f"{BASE}/{meeting.id}"
    again = post(ketua, f"{page}/tutup", {}, page=page)
    assert again.status_code == 422
    assert "The meeting is not open." in text(again)


def test_a_meeting_is_closed_only_after_it_was_open(db, tenants):
    with books_of(db, tenants.a) as session:
        meeting = rat.schedule_meeting(
            session,
            rat.Schedule(
                kind=MeetingKind.ANNUAL,
                book_year=2025,
                held_on=HELD_ON,
                starts_at=NOW.time(),
                place="Balai desa",
                agenda="Pembukaan",
            ),
            letter_code="KDMP-ALPHA",
            today=HELD_ON,
            user_id=None,
            idempotency_key=uuid.uuid4(),
        )
        with pytest.raises(rat.RatRefused) as refused:
            rat.close_meeting(session, meeting, now=NOW, user_id=None)
        assert refused.value.code == "not_open"
        error = refused_by_database(
            session,
            tenants.a.tenant.schema_name,
            "UPDATE rat_meetings SET status = 'closed', entitled = 0, closed_at = now()"
            " WHERE id = :m",
            m=meeting.id,
        )
        assert "is closed once it was held" in error


def test_an_annual_meeting_per_book_year_held_after_it(ketua, db, tenants):
    early = post(ketua, f"{BASE}/baru", schedule_form(held_on="2025-12-20"), page=BASE)
    assert early.status_code == 422
    assert "held after the year has ended" in text(early)
    schedule(ketua)
    twice = post(ketua, f"{BASE}/baru", schedule_form(), page=BASE)
    assert twice.status_code == 422
    assert "has its annual meeting already" in text(twice)
    blank = post(ketua, f"{BASE}/baru", schedule_form(place="", starts_at="late"), page=BASE)
    assert blank.status_code == 422
    with books_of(db, tenants.a) as session:
        assert len(session.scalars(select(Meeting)).all()) == 1
        assert len(session.scalars(select(Letter)).all()) == 1  # nothing half-written


def test_the_schedule_changes_until_the_meeting_opens(ketua, db, tenants):
    meeting_id = schedule(ketua)
    page = f"{BASE}/{meeting_id}"
    changed = post(
        ketua, f"{page}/ubah", schedule_form(place="Aula Sekolah", quorum="2/3"), page=page
    )
    assert changed.status_code == 302
    assert meeting_of(db, tenants, meeting_id).place == "Aula Sekolah"
    assert meeting_of(db, tenants, meeting_id).quorum_numerator == 2
    post(ketua, f"{page}/buka", {}, page=page)
    late = post(ketua, f"{page}/ubah", schedule_form(place="Lain"), page=page)
    assert late.status_code == 422
    assert "no longer changes" in text(late)
    held = meeting_of(db, tenants, meeting_id)
    assert held.status == MeetingStatus.OPEN
    assert held.entitled == 2
    assert held.quorum == 2  # more than two thirds of 2


def test_who_runs_the_meeting_takes_attendance_and_reads_it(client_for, db, tenants):
    meeting = open_meeting(db, tenants)
    page = f"{BASE}/{meeting.id}"
    treasurer, supervisor, member = client_for("alpha"), client_for("alpha"), client_for("alpha")
    login(treasurer, "bambang@kopalpha.id")
    login(supervisor, "dedi@kopalpha.id")
    login(member, "citra@kopalpha.id")
    assert treasurer.get(f"{page}/hadir").status_code == 200
    assert post(treasurer, f"{page}/hadir", {"member": "0001"}).status_code == 302
    token = csrf_from(treasurer.get(page))
    assert treasurer.post(f"{page}/tutup", data={"csrf_token": token}).status_code == 403
    assert supervisor.get(page).status_code == 200
    assert supervisor.get(f"{page}/paket.pdf").status_code == 200
    assert supervisor.get(f"{page}/hadir").status_code == 403
    assert member.get(page).status_code == 403
    own = text(member.get("/anggota/rat"))
    assert "Balai desa" in own


def test_the_meeting_pages_in_indonesian_show_no_translated_english(client_for, db, tenants):
    book_closed_2025(db, tenants.a)
    meeting = open_meeting(db, tenants)
    client = client_for("alpha", lang="id")
    login(client, "ana@kopalpha.id")
    page = f"{BASE}/{meeting.id}"
    post(client, f"{page}/hadir", {"member": "0001"})
    refused = post(
        client,
        f"{page}/keputusan",
        {"topic": "statements", "votes_for": "1", "votes_against": "0", "votes_abstain": "0"},
        page=page,
    )
    assert refused.status_code == 422
    assert "Kuorum belum tercapai" in text(refused)
    for url in (BASE, page, f"{page}/hadir", f"{page}/undangan", "/anggota/rat"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_on(text(response)) == [], url
    assert english_on(text(refused)) == []


def test_the_microsite_and_the_national_dashboard_show_the_last_rat_held(
    ketua, client_for, db, tenants
):
    meeting = open_meeting(db, tenants)
    visitor = client_for("alpha")
    assert "RAT for book year" not in text(visitor.get("/"))
    with books_of(db, tenants.a) as session:
        held = session.get(Meeting, meeting.id)
        for member in session.scalars(select(Member)):
            rat.record_arrival(session, held, member, now=NOW, user_id=None)
        session.commit()
    page = f"{BASE}/{meeting.id}"
    assert post(ketua, f"{page}/tutup", {}, page=page).status_code == 302
    home = text(client_for("alpha").get("/"))
    assert "RAT for book year 2025 held on March 15, 2026" in home
    in_indonesian = text(client_for("alpha", lang="id").get("/"))
    assert "RAT tahun buku 2025 diselenggarakan pada 15 Maret 2026" in in_indonesian
    with db.platform_session() as platform:
        platform.get(Tenant, tenants.a.tenant.id).region_code = "32.73.01.2001"
        platform.flush()
        rows = national.region_figures(platform)
    assert [(r.code, r.rat_held) for r in rows] == [("32", 1)]
    assert national.total_figures(rows).rat_held == 1
    dashboard = text(client_for(None).get("/dasbor"))
    assert 'id="rat-held"' in dashboard


def test_the_demo_held_last_years_rat_and_posted_the_shu_it_approved(app, db, client_for, today):
    list(seed_demo(db, app.extensions["guyub.settings"], "demo-seed-2026"))
    last_year = today.year - 1
    with db.platform_session() as session:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
        summary = session.get(TenantSummary, tenant.id)
        assert summary.rat_year == last_year
    with db.tenant_session(tenant.shard, tenant.schema_name) as session:
        meeting = session.scalars(select(Meeting)).one()
        assert meeting.status == MeetingStatus.CLOSED
        assert meeting.quorum is not None
        assert len(session.scalars(select(Attendance)).all()) >= meeting.quorum
        assert {d.topic for d in session.scalars(select(Decision)) if d.approved} == {
            Topic.STATEMENTS,
            Topic.SHU,
        }
        allocation = shu.live_allocation(session, last_year)
        assert allocation is not None
        assert allocation.decided_on == meeting.held_on
    home = text(client_for(DEMO_SLUG).get("/"))
    assert f"RAT for book year {last_year} held on" in home


def test_the_pack_shows_the_loan_portfolio_and_the_units_that_sold_in_the_book_year(
    app, db, client_for, today
):
    list(seed_demo(db, app.extensions["guyub.settings"], "demo-seed-2026"))
    with db.platform_session() as session:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
    with db.tenant_session(tenant.shard, tenant.schema_name) as session:
        # This year's loans and the gerai's sales of this month: an extraordinary meeting now.
        meeting = rat.schedule_meeting(
            session,
            rat.Schedule(
                kind=MeetingKind.EXTRAORDINARY,
                book_year=today.year,
                held_on=today,
                starts_at=NOW.time(),
                place="Balai desa",
                agenda="Pembukaan",
            ),
            letter_code="KDMP-DEMO",
            today=today,
            user_id=None,
            idempotency_key=uuid.uuid4(),
        )
        session.commit()
        meeting_id = meeting.id
    chair = client_for(DEMO_SLUG)
    assert login(chair, "ketua@sukamaju.id", "demo-seed-2026").status_code == 302
    words = pdf_text(chair.get(f"{BASE}/{meeting_id}/paket.pdf").data)
    assert "Loan portfolio quality on" in words
    assert "The business units' results" in words
    assert "The meeting has not opened yet." in words
