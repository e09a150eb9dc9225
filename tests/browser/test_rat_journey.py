"""The annual members' meeting on a phone, once in Indonesian and once in English: the chair
schedules the RAT of a book year, ticks off the invitations, opens it, takes the attendance by a
member card's code and by member numbers (the rest the quorum needs arriving at another desk),
records the approval of the statements, closes it and downloads the RAT pack; the microsite
then says when the RAT was held. Every page fits 360 px, logs no console error and, in
Indonesian, shows no English."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from flask import g
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from saas import clock
from saas.blueprints.member_cards import card_url
from saas.db import get_databases
from saas.members.models import Member, MemberStatus
from saas.rat import operations as rat
from saas.rat import queries
from saas.rat.models import Attendance
from saas.rat.models import Meeting as RatMeeting
from saas.tenants.models import Tenant
from tests.browser.conftest import LiveServer
from tests.browser.test_books_walk import SLUG, fetch_as
from tests.browser.test_loan_journey import CASTS, Walk

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Meeting:
    """What differs between the two walks' meetings: each holds the RAT of its own book year
    (the demo held last year's already), the later year walked last."""

    book_year: int
    held_on: str
    place: str


MEETINGS = {
    "en": Meeting(2026, "2027-01-16", "Village Hall"),
    "id": Meeting(2027, "2028-01-15", "Balai Desa Sukamaju"),
}


@pytest.fixture(params=sorted(MEETINGS))
def walk(request, browser: Browser, live_server: LiveServer) -> Walk:
    return Walk(live_server, browser, CASTS[request.param])


def demo_tenant() -> Tenant:
    with get_databases().platform_session() as platform:
        tenant = platform.scalars(select(Tenant).where(Tenant.slug == SLUG)).one()
        platform.expunge(tenant)
        return tenant


def card_code(live: LiveServer, number: str) -> str:
    """The code on the demo member's card, as the desk's camera or a paste would read it."""
    with live.app.test_request_context("/"):
        tenant = demo_tenant()
        with get_databases().tenant_session(tenant.shard, str(tenant.schema_name)) as session:
            member = session.scalars(select(Member).where(Member.number == number)).one()
            g.tenant = tenant
            return card_url(member)


def the_rest_arrive(live: LiveServer, meeting_id: int) -> None:
    """Other walks register members in the demo (hundreds by import): those the quorum still
    needs arrive at a second desk, recorded as the first records them."""
    with live.app.test_request_context("/"):
        tenant = demo_tenant()
        with get_databases().tenant_session(tenant.shard, str(tenant.schema_name)) as session:
            meeting = session.get(RatMeeting, meeting_id)
            assert meeting is not None
            assert meeting.quorum is not None
            present = set(
                session.scalars(
                    select(Attendance.member_id).where(Attendance.meeting_id == meeting_id)
                )
            )
            active = select(Member).where(Member.status == MemberStatus.ACTIVE).order_by(Member.id)
            for member in session.scalars(active):
                if queries.present_count(session, meeting_id) >= meeting.quorum:
                    break
                if member.id not in present:
                    rat.record_arrival(session, meeting, member, now=clock.now(), user_id=None)
            session.commit()


def quorum_reached(walk: Walk, page: Page) -> bool:
    return walk.t("Quorum reached") in page.locator("#quorum-count").inner_text()


def take_attendance(walk: Walk, page: Page) -> int:
    """The first member by their card's code and two by their numbers at this desk, the rest
    the quorum needs at another; how many are present."""
    page.locator("#member").fill(card_code(walk.live, "0002"))
    walk.press(page, "Record the arrival")
    expect(page.locator("#arrivals")).to_contain_text("0002")
    walk.check(page)
    for number in ("1", "0003"):
        page.locator("#member").fill(number)
        walk.press(page, "Record the arrival")
        expect(page.locator("#arrivals")).to_contain_text(number.zfill(4))
    meeting_id = int(re.search(r"/rat/(\d+)/hadir", page.url).group(1))  # type: ignore[union-attr]
    the_rest_arrive(walk.live, meeting_id)
    page.reload()
    assert quorum_reached(walk, page)
    walk.check(page)
    counted = page.locator("#quorum-count strong").first.inner_text()
    return int(re.match(r"\d+", counted).group())  # type: ignore[union-attr]


def test_the_chair_holds_the_rat_and_the_microsite_says_so(walk: Walk):
    meeting = MEETINGS[walk.cast.language]
    chair = walk.phone("ketua@sukamaju.id")
    walk.follow(chair, "Members' meetings (RAT)")
    walk.check(chair)
    chair.locator("#book_year").fill(str(meeting.book_year))
    chair.locator("#held_on").fill(meeting.held_on)
    chair.locator("#starts_at").fill("09:00")
    chair.locator("#place").fill(meeting.place)
    expect(chair.locator("#agenda")).to_contain_text(walk.t("The split of the SHU"))
    walk.press(chair, "Schedule the meeting")
    walk.see(chair, "The meeting is scheduled.")
    walk.check(chair)

    walk.follow(chair, "Send the invitations")
    expect(chair.locator("#by-whatsapp a[href^='https://wa.me/62']").first).to_be_visible()
    walk.check(chair)
    for box in chair.locator("input[name=member]:not([disabled])").all():
        box.check()
    walk.press(chair, "Tick off the chosen members as invited")
    expect(chair.locator("input[name=member]:not([disabled])")).to_have_count(0)
    walk.check(chair)
    chair.get_by_role("link", name=re.compile("^← ")).click()

    walk.press(chair, "Open the meeting")
    walk.see(chair, "The meeting is open: take the attendance.")
    walk.check(chair)
    walk.follow(chair, "Take the attendance")
    expect(chair.locator("#member")).to_have_attribute("data-scan", "qr_code")
    present = take_attendance(walk, chair)
    chair.get_by_role("link", name=re.compile("^← ")).click()

    chair.locator("#topic").select_option("statements")
    chair.locator("#votes_for").fill(str(present))
    chair.locator("#votes_against").fill("0")
    chair.locator("#votes_abstain").fill("0")
    walk.press(chair, "Record the decision")
    walk.see(chair, "The decision is recorded.")
    expect(chair.locator("#decisions")).to_contain_text(walk.t("Approved"))
    walk.check(chair)
    walk.press(chair, "Close the meeting")
    walk.see(chair, "The meeting is closed and its minutes are in the book of minutes.")
    walk.check(chair)

    pack = chair.get_by_role("link", name=walk.t("The RAT pack (PDF)"))
    kind, body = fetch_as(chair, walk.url(pack.get_attribute("href") or ""))
    assert kind == "application/pdf"
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert walk.t("RAT pack, book year %(year)s", year=meeting.book_year) in " ".join(words.split())

    visitor = walk.phone()
    visitor.goto(walk.url("/"))
    expect(visitor.locator("#rat-held")).to_contain_text(str(meeting.book_year))
    walk.check(visitor)
    assert all(errors == [] for errors in walk.errors)
