"""A member signs in with the link an officer sent and sees their own accounts, nobody else's."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest

from saas.ledger import operations as ledger
from saas.ledger.models import JournalEntry
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from tests.factories import book_closed_2025, csrf_token, login, share_out_2025, text


@pytest.fixture
def sri_link(alpha, db, tenants):
    """Sri has 50,000 of voluntary savings; the chair sends her an access link."""
    sri, joko = tenants.a.members
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        for member, amount in ((sri, 50_000), (joko, 70_000)):
            savings.deposit(
                session,
                savings.Movement(
                    member=session.merge(member),
                    kind=SavingsKind.SUKARELA,
                    amount=amount,
                    method=PaymentMethod.CASH,
                    paid_on=date(2026, 11, 3),
                    idempotency_key=uuid.uuid4(),
                    officer_id=tenants.a.users["bendahara"].id,
                    officer_name="Bambang Alpha",
                ),
            )
    login(alpha, "ana@kopalpha.id")
    page = text(
        alpha.post(
            f"/kelola/anggota/{sri.id}/akses",
            data={"csrf_token": csrf_token(alpha, f"/kelola/anggota/{sri.id}")},
        )
    )
    alpha.post("/keluar", data={"csrf_token": csrf_token(alpha, "/kelola")})
    return re.search(r'value="(http://alpha\.localhost/akses/[^"]+)"', page).group(1)


def test_a_member_sets_a_password_from_the_link_and_sees_only_their_savings(
    alpha, client_for, sri_link
):
    member = client_for("alpha")
    path = sri_link.removeprefix("http://alpha.localhost")
    response = member.post(
        path,
        data={
            "password": "kebun-kopi-2026",
            "confirm": "kebun-kopi-2026",
            "csrf_token": csrf_token(member, path),
        },
    )
    assert response.status_code == 302
    home = text(member.get(response.headers["Location"]))
    assert "Member 0001 of Koperasi Desa Merah Putih Alpha" in home
    assert "Rp50,000" in home
    assert "Rp70,000" not in home  # Joko's savings
    assert "Joko" not in home
    assert member.get("/kelola").status_code == 403
    assert member.get("/kelola/anggota").status_code == 403
    # The link was for one use.
    assert member.get(path).status_code == 410  # gone: the password it set has changed it


def test_a_member_signs_in_with_the_member_number(alpha, client_for, sri_link):
    member = client_for("alpha")
    path = sri_link.removeprefix("http://alpha.localhost")
    member.post(
        path,
        data={
            "password": "kebun-kopi-2026",
            "confirm": "kebun-kopi-2026",
            "csrf_token": csrf_token(member, path),
        },
    )
    other = client_for("alpha")
    response = login(other, "1", password="kebun-kopi-2026")
    assert response.status_code == 302
    assert "Rp50,000" in text(other.get("/anggota"))
    wrong = client_for("alpha")
    assert login(wrong, "0002", password="kebun-kopi-2026").status_code == 422


def test_the_link_does_not_work_on_another_cooperative(client_for, sri_link):
    path = sri_link.removeprefix("http://alpha.localhost")
    assert client_for("beta").get(path).status_code == 404


def test_a_member_sees_their_own_shu_only(alpha, client_for, db, tenants, sri_link):
    book_closed_2025(db, tenants.a)  # Sri's share: 106,250; Joko's: 43,750
    share_out_2025(db, tenants.a)
    member = client_for("alpha")
    path = sri_link.removeprefix("http://alpha.localhost")
    password = {"password": "kebun-kopi-2026", "confirm": "kebun-kopi-2026"}
    member.post(path, data={**password, "csrf_token": csrf_token(member, path)})
    home = text(member.get("/anggota"))
    assert "Book year 2025" in home
    assert "Rp106,250" in home
    assert "to be paid" in home
    assert "Rp43,750" not in home


def test_a_member_sees_a_reversed_deposit_as_cancelled(client_for, db, tenants, sri_link):
    sri = tenants.a.members[0]
    with db.tenant_session(tenants.a.tenant.shard, tenants.a.tenant.schema_name) as session:
        (receipt,) = savings.history(session, sri.id)
        entry = session.get_one(JournalEntry, receipt.entry_id)
        reversal = ledger.reverse_entry(
            session,
            entry,
            entry_date=date(2026, 11, 4),
            reason="salah catat",
            idempotency_key=uuid.uuid4(),
        ).entry
        session.commit()
    member = client_for("alpha")
    path = sri_link.removeprefix("http://alpha.localhost")
    password = {"password": "kebun-kopi-2026", "confirm": "kebun-kopi-2026"}
    member.post(path, data={**password, "csrf_token": csrf_token(member, path)})
    home = text(member.get("/anggota"))
    assert f"Cancelled on Nov 4, 2026 by journal entry #{reversal.id}." in home
    assert "<s>+Rp50,000</s>" in home
    assert f'href="/kuitansi/{receipt.token}"' in home  # checked by its token, not its number
