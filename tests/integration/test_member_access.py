"""A member access link only ever sets the password of a fresh member account."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from saas.accounts import operations as accounts
from saas.accounts.models import TenantUser
from saas.accounts.roles import GRANTS, Permission, Role
from saas.members.models import Member
from saas.members.operations import MemberDetails, register_member
from tests.factories import PASSWORD, books_of, csrf_token, login, text

MANAGERS = sorted(GRANTS[Permission.MANAGE_MEMBERS])
TARGET_PHONE = "+6281377770001"
LINK = re.compile(r'value="http://alpha\.localhost(/akses/[^"]+)"')


def _add_user(session, role: Role, key: str, phone: str | None = None) -> TenantUser:
    return accounts.create_tenant_user(
        session,
        name=f"Uji {key}",
        email=f"{key}@uji.id",
        role=role,
        password=PASSWORD,
        phone=phone,
    )


def _register(session, phone: str | None, nik: str = "3273014507900101"):
    details = MemberDetails(
        nik=nik,
        name="Anggota Baru",
        gender=None,
        birth_date=None,
        address=None,
        village=None,
        phone=phone,
        join_date=date(2026, 1, 5),
    )
    return register_member(session, details)


def _ask_for_link(client, member_id: int):
    path = f"/kelola/anggota/{member_id}"
    return client.post(f"{path}/akses", data={"csrf_token": csrf_token(client, path)})


def _set_password(client, path: str):
    new = {"password": "kebun-kopi-2026", "confirm": "kebun-kopi-2026"}
    return client.post(path, data={**new, "csrf_token": csrf_token(client, path)})


@pytest.mark.parametrize("target_role", list(Role))
@pytest.mark.parametrize("actor_role", MANAGERS)
def test_an_access_link_for_a_member_with_a_colleagues_phone_never_opens_that_account(
    client_for, db, tenants, actor_role, target_role
):
    with books_of(db, tenants.a) as session:
        _add_user(session, actor_role, "actor")
        target = _add_user(session, target_role, "target", phone=TARGET_PHONE)
        target_id, target_hash = target.id, target.password_hash
        member = _register(session, TARGET_PHONE)
        member_id = member.id
    officer = client_for("alpha")
    assert login(officer, "actor@uji.id").status_code == 302
    response = _ask_for_link(officer, member_id)
    assert response.status_code == 200
    path = LINK.search(text(response)).group(1)

    stranger = client_for("alpha")
    assert _set_password(stranger, path).status_code == 302
    with books_of(db, tenants.a) as session:
        target = session.get_one(TenantUser, target_id)
        assert target.password_hash == target_hash
        (opened,) = session.scalars(select(TenantUser).where(TenantUser.name == "Anggota Baru"))
        assert opened.id != target_id
        assert opened.role == Role.ANGGOTA
    home = stranger.get("/anggota")
    assert home.status_code == 200
    assert "Uji target" not in text(home)
    # The colleague still signs in with their own password, and only they do.
    assert login(client_for("alpha"), TARGET_PHONE).status_code == 302
    assert login(client_for("alpha"), TARGET_PHONE, password="kebun-kopi-2026").status_code == 422


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ANGGOTA])
def test_no_access_link_is_made_for_a_member_linked_to_an_officer_account(
    client_for, db, tenants, role
):
    with books_of(db, tenants.a) as session:
        officer = _add_user(session, role, "linked")
        member = _register(session, None)
        member.user_id = officer.id
        session.commit()
        member_id = member.id
    chair = client_for("alpha")
    login(chair, "ana@kopalpha.id")
    response = _ask_for_link(chair, member_id)
    assert response.status_code == 409
    assert "Only its holder can change its password" in text(response)
    assert "/akses/" not in text(response)


def test_no_access_link_is_made_for_a_member_who_has_chosen_a_password(client_for, db, tenants):
    with books_of(db, tenants.a) as session:
        member = _register(session, None)
        member_id = member.id
    chair = client_for("alpha")
    login(chair, "ana@kopalpha.id")
    path = LINK.search(text(_ask_for_link(chair, member_id))).group(1)
    assert _set_password(client_for("alpha"), path).status_code == 302

    again = _ask_for_link(chair, member_id)
    assert again.status_code == 409
    assert "has already chosen a password" in text(again)
    assert "/akses/" not in text(again)


def test_an_earlier_link_stops_working_once_its_account_becomes_an_officer(client_for, db, tenants):
    with books_of(db, tenants.a) as session:
        member = _register(session, None)
        member_id = member.id
    chair = client_for("alpha")
    login(chair, "ana@kopalpha.id")
    path = LINK.search(text(_ask_for_link(chair, member_id))).group(1)
    with books_of(db, tenants.a) as session:
        user = session.scalars(select(TenantUser).where(TenantUser.name == "Anggota Baru")).one()
        user.role = Role.BENDAHARA
        session.commit()
    assert client_for("alpha").get(path).status_code == 410


# -- linking a member to an account that exists ------------------------------------------------


def _link(client, member_id: int, identifier: str, password: str):
    path = f"/kelola/anggota/{member_id}/tautkan-akun"
    data = {"identifier": identifier, "password": password}
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_the_chair_links_a_member_to_an_officer_account_its_holder_confirms(
    client_for, db, tenants
):
    sri = tenants.a.members[0]
    chair = client_for("alpha")
    login(chair, "ana@kopalpha.id")
    refused = _link(chair, sri.id, "bambang@kopalpha.id", "not-his-password")
    assert refused.status_code == 422
    assert "password is not right" in text(refused)
    with books_of(db, tenants.a) as session:
        assert session.get_one(Member, sri.id).user_id is None

    assert _link(chair, sri.id, "bambang@kopalpha.id", PASSWORD).status_code == 302
    with books_of(db, tenants.a) as session:
        assert session.get_one(Member, sri.id).user_id == tenants.a.users["bendahara"].id
    # The officer's account is never handed out as an access link.
    assert _ask_for_link(chair, sri.id).status_code == 409


def test_an_account_serves_one_member_only(client_for, db, tenants):
    sri, joko = tenants.a.members
    chair = client_for("alpha")
    login(chair, "ana@kopalpha.id")
    assert _link(chair, sri.id, "bambang@kopalpha.id", PASSWORD).status_code == 302
    again = _link(chair, joko.id, "bambang@kopalpha.id", PASSWORD)
    assert again.status_code == 409
    assert "already belongs to another member" in text(again)


@pytest.mark.parametrize("role", ["pengawas", "anggota"])  # not of the board (docs/permissions.md)
def test_only_those_who_manage_the_team_may_link_accounts(client_for, tenants, role):
    sri = tenants.a.members[0]
    client = client_for("alpha")
    login(client, tenants.a.users[role].email)
    path = f"/kelola/anggota/{sri.id}/tautkan-akun"
    assert client.get(path).status_code == 403


def test_a_member_signs_in_with_the_number_written_with_any_leading_zeros(client_for, db, tenants):
    with books_of(db, tenants.a) as session:
        member = _register(session, None)
        member_id, number = member.id, int(member.number)
    chair = client_for("alpha")
    login(chair, "ana@kopalpha.id")
    path = LINK.search(text(_ask_for_link(chair, member_id))).group(1)
    _set_password(client_for("alpha"), path)
    for spelling in (str(number), f"{number:04d}", f"{number:06d}"):
        response = login(client_for("alpha"), spelling, password="kebun-kopi-2026")
        assert response.status_code == 302, spelling
