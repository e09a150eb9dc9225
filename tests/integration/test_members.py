"""The members' register: NIK checks, numbering, search, masking, the KTP photo, exits."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from saas.accounts import operations as accounts
from saas.accounts.roles import Role
from saas.ledger import operations as ledger
from saas.ledger.queries import account_balances
from saas.members.models import Gender, Member, MemberStatus
from saas.members.rules import check_nik, mask_nik
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from tests.clock import TODAY
from tests.factories import PASSWORD, books_of, csrf_token, hidden, jpeg, login, text

NEW = {
    "nik": "3273 0165 0895 0003",  # a woman (day 25 + 40) born 25 August 1995
    "name": "  Rina   Marlina ",
    "phone": "0812-3456-7010",
    "address": "RT 02 RW 05",
    "village": "Sukamaju",
    "join_date": "2026-11-02",
}


@pytest.fixture
def ketua(alpha):
    login(alpha, "ana@kopalpha.id")
    return alpha


def post(client, path, data, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)}, **kwargs)


def alpha_members(db, tenants):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        return {m.nik: m for m in session.scalars(select(Member))}


def test_a_member_is_registered_with_the_next_number_and_what_the_nik_tells(
    ketua, db, tenants, client_for
):
    response = post(ketua, "/kelola/anggota/baru", NEW)
    assert response.status_code == 302
    member = alpha_members(db, tenants)["3273016508950003"]
    assert member.number == "0003"  # after the two members alpha already has
    assert member.name == "Rina Marlina"
    assert (member.gender, member.birth_date.isoformat()) == (Gender.FEMALE, "1995-08-25")
    assert member.phone == "+6281234567010"
    assert "Member 0003 saved." in text(ketua.get(response.headers["Location"]))
    home = text(client_for("alpha").get("/"))
    assert re.search(r"<strong>3</strong><span>members</span>", home)


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("327301650895000", "A NIK has exactly 16 digits."),
        ("3273016508950000", "The last four digits of a NIK cannot be 0000."),
        ("3273019913950003", "The birth date in this NIK (digits 7 to 12) is not a real date."),
        ("0073016508950003", "The first two digits of this NIK are not a province code."),
        ("<script>alert(1)</script>", "A NIK has exactly 16 digits."),
    ],
)
def test_a_wrong_nik_is_refused_next_to_the_field_and_nothing_is_saved(
    ketua, db, tenants, nik, message
):
    response = post(ketua, "/kelola/anggota/baru", {**NEW, "nik": nik})
    assert response.status_code == 422
    assert message in text(response)
    assert "<script>alert" not in text(response)
    assert len(alpha_members(db, tenants)) == 2


def test_a_nik_registered_once_cannot_be_registered_again(ketua, db, tenants):
    response = post(ketua, "/kelola/anggota/baru", {**NEW, "nik": "3273014507900001"})
    assert response.status_code == 422
    assert "A member with this NIK is already registered." in text(response)
    assert len(alpha_members(db, tenants)) == 2


def test_an_old_region_code_warns_but_does_not_block(ketua, db, tenants):
    response = post(ketua, "/kelola/anggota/baru", {**NEW, "nik": "3299016508950003"})
    assert response.status_code == 302
    page = text(ketua.get(response.headers["Location"]))
    assert "not in the current Kemendagri list" in page
    assert "3299016508950003" in alpha_members(db, tenants)


def test_a_join_date_in_the_future_is_refused(ketua):
    response = post(ketua, "/kelola/anggota/baru", {**NEW, "join_date": "2999-01-01"})
    assert response.status_code == 422
    assert "The join date cannot be in the future." in text(response)


def test_the_list_finds_by_name_number_or_phone_and_masks_the_nik(ketua):
    post(ketua, "/kelola/anggota/baru", NEW)
    for query in ("rina", "MARLINA", "0003", "3", "0812 3456 7010", "6281234567010"):
        listing = text(ketua.get("/kelola/anggota", query_string={"q": query}))
        assert "Rina Marlina" in listing, query
        assert "Sri Wahyuni Alpha" not in listing, query
    listing = text(ketua.get("/kelola/anggota"))
    assert "3273••••••••0003" in listing
    assert "3273016508950003" not in listing
    assert "No member matches" in text(ketua.get("/kelola/anggota", query_string={"q": "zzz%"}))


def test_only_the_chair_secretary_and_treasurer_see_the_nik_and_ktp_photo(alpha, db, tenants):
    joko = tenants.a.members[-1]
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        accounts.create_tenant_user(
            session, name="Kasir", email="kasir@kopalpha.id", role=Role.STAFF, password=PASSWORD
        )
    login(alpha, "kasir@kopalpha.id")
    page = text(alpha.get(f"/kelola/anggota/{joko.id}"))
    assert "3273011208850002" not in page
    assert mask_nik("3273011208850002") in page
    assert 'name="ktp_photo"' not in page
    assert alpha.get(f"/kelola/anggota/{joko.id}/ktp").status_code == 403
    # A cashier's edit keeps the NIK they cannot see.
    response = post(alpha, f"/kelola/anggota/{joko.id}", {**NEW, "nik": "", "name": "Joko Susilo"})
    assert response.status_code == 302
    assert alpha_members(db, tenants)["3273011208850002"].name == "Joko Susilo"
    alpha.post("/keluar", data={"csrf_token": csrf_token(alpha, "/kelola")})
    login(alpha, "ana@kopalpha.id")
    photo = alpha.get(f"/kelola/anggota/{joko.id}/ktp")
    assert photo.status_code == 200
    assert photo.headers["Cache-Control"] == "private, no-store"
    assert "3273011208850002" in text(alpha.get(f"/kelola/anggota/{joko.id}"))


def test_supervisors_and_members_cannot_open_the_register(alpha):
    login(alpha, "dedi@kopalpha.id")
    assert alpha.get("/kelola/anggota").status_code == 403


def test_a_ktp_photo_that_is_not_an_image_is_refused(ketua, db, tenants):
    sri = tenants.a.members[0]
    path = f"/kelola/anggota/{sri.id}"
    response = ketua.post(
        path,
        content_type="multipart/form-data",
        data={
            **NEW,
            "nik": sri.nik,
            "csrf_token": csrf_token(ketua, path),
            "ktp_photo": (io.BytesIO(b"<?php system($_GET['c']); ?>"), "ktp.jpg"),
        },
    )
    assert response.status_code == 422
    assert "Choose a JPEG or PNG photo." in text(response)
    assert alpha_members(db, tenants)[sri.nik].ktp_photo_key is None
    ok = ketua.post(
        path,
        content_type="multipart/form-data",
        data={
            **NEW,
            "nik": sri.nik,
            "csrf_token": csrf_token(ketua, path),
            "ktp_photo": (io.BytesIO(jpeg((1200, 760))), "ktp.jpg"),
        },
    )
    assert ok.status_code == 302
    key = alpha_members(db, tenants)[sri.nik].ktp_photo_key
    assert key.startswith(f"{tenants.a.tenant.schema_name}/")  # the private folder, not _pub


def test_an_exit_is_recorded_once_and_not_before_joining(ketua, db, tenants, client_for):
    sri = tenants.a.members[0]
    path = f"/kelola/anggota/{sri.id}/keluar"
    edit = f"/kelola/anggota/{sri.id}"
    early = ketua.post(
        path,
        data={
            "left_on": "2025-01-01",
            "reason": "Pindah",
            "method": "cash",
            "csrf_token": csrf_token(ketua, edit),
        },
    )
    assert early.status_code == 422
    assert "cannot leave before the day they joined" in text(early)
    done = ketua.post(
        path,
        data={
            "left_on": "2026-11-20",
            "reason": "Pindah",
            "method": "cash",
            "csrf_token": csrf_token(ketua, edit),
        },
    )
    assert done.status_code == 302
    member = alpha_members(db, tenants)[sri.nik]
    assert (member.status, member.exit_reason) == (MemberStatus.LEFT, "Pindah")
    again = ketua.post(
        path,
        data={
            "left_on": "2026-11-21",
            "reason": "Pindah lagi",
            "method": "cash",
            "csrf_token": csrf_token(ketua, edit),
        },
    )
    assert again.status_code == 422
    home = text(client_for("alpha").get("/"))
    assert re.search(r"<strong>1</strong><span>members</span>", home)


def test_nik_rules_read_gender_and_birth_date():
    man = check_nik("3273011208850002")
    assert (man.valid, man.gender, man.birth_date.isoformat()) == (True, Gender.MALE, "1985-08-12")
    assert man.region == "Kota Bandung, Sukasari"
    assert check_nik("3273 0145.0790-0001").nik == "3273014507900001"
    assert mask_nik("3273014507900001") == "3273••••••••0001"


def test_a_member_card_qr_opens_a_check_page_with_nothing_personal(ketua, client_for, tenants):
    sri = tenants.a.members[0]
    card = text(ketua.get(f"/kelola/anggota/{sri.id}/kartu"))
    url = re.search(r"<title>(http://alpha\.localhost/kartu/[^<]+)</title>", card).group(1)
    check = client_for("alpha").get(url.removeprefix("http://alpha.localhost"))
    assert check.status_code == 200
    page = text(check)
    assert "An active member of Koperasi Desa Merah Putih Alpha." in page
    assert sri.name in page
    assert sri.nik not in page
    assert client_for("beta").get(url.removeprefix("http://alpha.localhost")).status_code == 404
    assert client_for("alpha").get("/kartu/forged-token").status_code == 404


def test_a_leaving_member_is_paid_back_every_savings_in_one_entry(ketua, db, tenants):
    sri = tenants.a.members[0]
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        for kind, amount in ((SavingsKind.WAJIB, 25_000), (SavingsKind.SUKARELA, 50_000)):
            savings.deposit(
                session,
                savings.Movement(
                    member=session.merge(sri),
                    kind=kind,
                    amount=amount,
                    method=PaymentMethod.CASH,
                    paid_on=date(2026, 11, 3),
                    idempotency_key=uuid.uuid4(),
                    officer_id=tenants.a.users["bendahara"].id,
                    officer_name="Bambang Alpha",
                ),
            )
        cash_before = account_balances(session)[ledger.account_by_role(session, "cash").id]
    edit = f"/kelola/anggota/{sri.id}"
    response = ketua.post(
        f"{edit}/keluar",
        data={
            "left_on": "2026-11-25",
            "reason": "Pindah kota",
            "method": "cash",
            "key": str(uuid.uuid4()),
            "csrf_token": csrf_token(ketua, edit),
        },
    )
    assert response.status_code == 302
    assert "Rp75,000 of savings paid back." in text(ketua.get(response.headers["Location"]))
    with db.tenant_session(a.shard, a.schema_name) as session:
        assert all(v == 0 for v in savings.balances(session, sri.id).values())
        cash = account_balances(session)[ledger.account_by_role(session, "cash").id]
        assert cash_before - cash == 75_000


def test_an_exit_is_confirmed_on_a_page_that_shows_what_is_paid_back(ketua, db, tenants):
    sri = tenants.a.members[0]
    with books_of(db, tenants.a) as session:
        savings.deposit(
            session,
            savings.Movement(
                member=session.merge(sri),
                kind=SavingsKind.SUKARELA,
                amount=40_000,
                method=PaymentMethod.CASH,
                paid_on=date(2026, 11, 3),
                idempotency_key=uuid.uuid4(),
                officer_id=tenants.a.users["bendahara"].id,
                officer_name="Bambang Alpha",
            ),
        )
    edit = text(ketua.get(f"/kelola/anggota/{sri.id}"))
    assert f'href="/kelola/anggota/{sri.id}/keluar"' in edit
    assert f'action="/kelola/anggota/{sri.id}/keluar"' not in edit  # no one-tap exit
    page = ketua.get(f"/kelola/anggota/{sri.id}/keluar")
    assert page.status_code == 200
    assert "Rp40,000" in text(page)
    without_reason = ketua.post(
        f"/kelola/anggota/{sri.id}/keluar",
        data={
            "left_on": TODAY.isoformat(),
            "reason": " ",
            "method": "cash",
            "key": hidden(text(page), "key"),
            "csrf_token": hidden(text(page), "csrf_token"),
        },
    )
    assert without_reason.status_code == 422
    assert "Say why the member leaves." in text(without_reason)
    assert alpha_members(db, tenants)[sri.nik].status == MemberStatus.ACTIVE


def test_a_member_who_left_can_be_readmitted_with_the_same_number(ketua, db, tenants):
    sri = tenants.a.members[0]
    edit = f"/kelola/anggota/{sri.id}"
    left = ketua.post(
        f"{edit}/keluar",
        data={
            "left_on": TODAY.isoformat(),
            "reason": "Pindah",
            "method": "cash",
            "key": str(uuid.uuid4()),
            "csrf_token": csrf_token(ketua, edit),
        },
    )
    assert left.status_code == 302
    active_only = ketua.post(
        f"/kelola/anggota/{tenants.a.members[1].id}/aktifkan",
        data={"csrf_token": csrf_token(ketua, edit)},
    )
    assert "only a member who left can be re-admitted" in text(ketua.get(active_only.location))
    back = ketua.post(f"{edit}/aktifkan", data={"csrf_token": csrf_token(ketua, edit)})
    assert back.status_code == 302
    member = alpha_members(db, tenants)[sri.nik]
    assert (member.status, member.number, member.join_date) == (
        MemberStatus.ACTIVE,
        sri.number,
        TODAY,
    )
    assert member.left_on is None
