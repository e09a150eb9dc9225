"""A member without email who forgot their password asks on the sign-in pages; an officer's
access link then replaces the password once. Nobody else's password is ever replaced."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError

from saas.accounts.models import PasswordResetAsk, TenantUser
from saas.members.models import Member
from saas.members.operations import MemberDetails, register_member
from tests.clock import NOW
from tests.factories import books_of, csrf_token, login, text

MEMBER_PHONE = "+6281377770101"
NEW_PASSWORD = "sawah-padi-2027"
LINK = re.compile(r'value="http://alpha\.localhost(/akses/[^"]+)"')
FLASH = re.compile(r'<p class="flash flash-\w+" role="status">(.*?)</p>', re.S)
ASKED = "This member asked for a new password"


def _access_link(officer, member_id: int):
    path = f"/kelola/anggota/{member_id}"
    return officer.post(f"{path}/akses", data={"csrf_token": csrf_token(officer, path)})


def _choose_password(client, path: str, password: str):
    data = {"password": password, "confirm": password}
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def _forgot(client, identifier: str):
    token = csrf_token(client, "/lupa-sandi")
    return client.post("/lupa-sandi", data={"email": identifier, "csrf_token": token})


def _asks(db, tenants) -> int:
    with books_of(db, tenants.a) as session:
        return session.scalar(select(func.count()).select_from(PasswordResetAsk)) or 0


@pytest.fixture
def member(client_for, db, tenants):
    """A member without email who chose a password through an officer's access link: the
    member's id, number and account id."""
    with books_of(db, tenants.a) as session:
        registered = register_member(
            session,
            MemberDetails(
                nik="3273014507900777",
                name="Wati Lupa",
                gender=None,
                birth_date=None,
                address=None,
                village=None,
                phone=MEMBER_PHONE,
                join_date=date(2026, 1, 5),
            ),
        )
        member_id, number = registered.id, registered.number
    chair = client_for("alpha")
    login(chair, "ana@kopalpha.id")
    path = LINK.search(text(_access_link(chair, member_id))).group(1)
    assert _choose_password(client_for("alpha"), path, "kebun-kopi-2026").status_code == 302
    with books_of(db, tenants.a) as session:
        user_id = session.get_one(Member, member_id).user_id
    return member_id, number, user_id


def test_a_member_who_asked_gets_a_new_password_through_the_officers_link(
    client_for, db, tenants, member
):
    member_id, _number, user_id = member
    signed_in = client_for("alpha")
    assert login(signed_in, MEMBER_PHONE, password="kebun-kopi-2026").status_code == 302
    assert signed_in.get("/anggota").status_code == 200

    asking = client_for("alpha")
    assert _forgot(asking, MEMBER_PHONE).status_code == 302
    assert "Ask an officer of your cooperative" in text(asking.get("/masuk"))

    chair = client_for("alpha")
    login(chair, "ana@kopalpha.id")
    assert ASKED in text(chair.get(f"/kelola/anggota/{member_id}"))
    response = _access_link(chair, member_id)
    assert response.status_code == 200
    path = LINK.search(text(response)).group(1)

    # The old password and every session of the member end when the officer makes the link.
    assert signed_in.get("/anggota").status_code == 302
    assert login(client_for("alpha"), MEMBER_PHONE, password="kebun-kopi-2026").status_code == 422
    assert _choose_password(client_for("alpha"), path, NEW_PASSWORD).status_code == 302
    assert login(client_for("alpha"), MEMBER_PHONE, password=NEW_PASSWORD).status_code == 302

    # The ask is used: the page no longer shows it and a second link is refused.
    assert ASKED not in text(chair.get(f"/kelola/anggota/{member_id}"))
    again = _access_link(chair, member_id)
    assert again.status_code == 409
    assert "/akses/" not in text(again)
    with books_of(db, tenants.a) as session:
        (ask,) = session.scalars(
            select(PasswordResetAsk).where(PasswordResetAsk.user_id == user_id)
        )
        assert ask.used_at is not None


def test_a_member_may_ask_with_their_member_number(client_for, db, tenants, member):
    _member_id, number, user_id = member
    assert _forgot(client_for("alpha"), number).status_code == 302
    with books_of(db, tenants.a) as session:
        asked = session.scalars(select(PasswordResetAsk.user_id)).all()
    assert asked == [user_id]


def test_without_an_ask_the_link_for_a_member_with_a_password_stays_refused(
    client_for, db, tenants, member
):
    member_id, _number, _user_id = member
    chair = client_for("alpha")
    login(chair, "ana@kopalpha.id")
    response = _access_link(chair, member_id)
    assert response.status_code == 409
    assert "has already chosen a password" in text(response)
    assert login(client_for("alpha"), MEMBER_PHONE, password="kebun-kopi-2026").status_code == 302


def test_an_expired_ask_opens_no_link(client_for, db, tenants, member):
    member_id, _number, user_id = member
    with books_of(db, tenants.a) as session:
        session.add(
            PasswordResetAsk(
                user_id=user_id,
                asked_at=NOW - timedelta(hours=25),
                expires_at=NOW - timedelta(hours=1),
            )
        )
    chair = client_for("alpha")
    login(chair, "ana@kopalpha.id")
    assert ASKED not in text(chair.get(f"/kelola/anggota/{member_id}"))
    response = _access_link(chair, member_id)
    assert response.status_code == 409
    assert login(client_for("alpha"), MEMBER_PHONE, password="kebun-kopi-2026").status_code == 302


@pytest.mark.parametrize(
    "identifier",
    ["+6281100000001", "+6281100000003"],  # the chair's phone; a member's account with email
    ids=["officer", "member-with-email"],
)
def test_an_ask_for_an_account_that_can_reset_otherwise_records_nothing(
    client_for, db, tenants, identifier
):
    response = _forgot(client_for("alpha"), identifier)
    assert response.status_code == 302
    assert _asks(db, tenants) == 0


def test_the_page_answers_the_same_whether_or_not_the_account_exists(client_for, member):
    _member_id, number, _user_id = member
    answers = set()
    for identifier in (MEMBER_PHONE, "+6281399990000", number, "9999"):
        client = client_for("alpha")
        response = _forgot(client, identifier)
        answers.add(
            (
                response.status_code,
                response.headers["Location"],
                *FLASH.findall(text(client.get("/masuk"))),
            )
        )
    assert len(answers) == 1
    assert "Ask an officer of your cooperative" in str(answers)


def test_asks_are_throttled_like_reset_requests(client_for, member):
    client = client_for("alpha")
    statuses = [_forgot(client, MEMBER_PHONE).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_the_forgot_page_says_how_a_member_without_email_asks(client_for):
    page = text(client_for("alpha").get("/lupa-sandi"))
    assert "phone number or member number" in page


def test_the_database_refuses_an_ask_for_an_officers_account(db, tenants):
    with books_of(db, tenants.a) as session:
        chair_id = session.scalar(
            select(TenantUser.id).where(TenantUser.email == "ana@kopalpha.id")
        )
        with pytest.raises(IntegrityError, match="only for a member's account without email"):
            session.execute(
                sql(
                    f'INSERT INTO "{tenants.a.tenant.schema_name}".password_reset_asks '
                    "(user_id, asked_at, expires_at) "
                    "VALUES (:user, now(), now() + interval '1 day')"
                ),
                {"user": chair_id},
            )


def test_the_database_refuses_an_ask_that_expires_before_it_was_made(db, tenants, member):
    _member_id, _number, user_id = member
    with (
        books_of(db, tenants.a) as session,
        pytest.raises(IntegrityError, match="expires_after_asked"),
    ):
        session.execute(
            sql(
                f'INSERT INTO "{tenants.a.tenant.schema_name}".password_reset_asks '
                "(user_id, asked_at, expires_at) "
                "VALUES (:user, now(), now() - interval '1 hour')"
            ),
            {"user": user_id},
        )
