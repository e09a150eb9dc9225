"""A member signs in with the link an officer sent and sees their own accounts, nobody else's."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest

from saas.ledger import operations as ledger
from saas.ledger.models import JournalEntry
from saas.savings import bills
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from tests.clock import TODAY
from tests.factories import book_closed_2025, books_of, csrf_token, login, share_out_2025, text


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


def test_a_member_of_three_years_sees_this_years_shares_and_a_line_for_each_earlier_year(
    alpha, db, tenants
):
    """Sri joined three years ago and owes a share of wajib every month since: this year's
    months are listed open, each earlier year folds into one line of what was paid and owed."""
    sri, citra = tenants.a.members[0], tenants.a.users["anggota"]
    joined = TODAY.replace(year=TODAY.year - 3, day=1)
    months = [
        (joined.year + (joined.month - 1 + n) // 12, (joined.month - 1 + n) % 12 + 1)
        for n in range(37)
    ]
    with books_of(db, tenants.a) as session:
        member = session.merge(sri)
        member.join_date = joined
        member.user_id = citra.id
        for year, month in months:
            bills.create_bill(
                session,
                kind=SavingsKind.WAJIB,
                year=year,
                month=month,
                amount=10_000,
                member_ids=[sri.id],
            )
        bills.record_deposit(
            session,
            savings.Movement(
                member=member,
                kind=SavingsKind.WAJIB,
                amount=12 * 10_000,
                method=PaymentMethod.CASH,
                paid_on=TODAY,
                idempotency_key=uuid.uuid4(),
                officer_id=tenants.a.users["bendahara"].id,
                officer_name="Bambang Alpha",
            ),
            months[:12],
        )
    login(alpha, "citra@kopalpha.id")
    home = alpha.get("/anggota").get_data(as_text=True)

    years = re.findall(r"<details( open)?>\s*<summary><strong>(\d{4})</strong> · ([^<]+)", home)
    by_year = {int(year): (bool(is_open), summary.strip()) for is_open, year, summary in years}
    first = 13 - joined.month  # the months of the year Sri joined
    assert by_year == {
        TODAY.year: (True, f"paid: 0, not paid: {TODAY.month}, total Rp{TODAY.month * 10_000:,}"),
        TODAY.year - 1: (False, "paid: 0, not paid: 12, total Rp120,000"),
        TODAY.year - 2: (False, f"paid: {12 - first}, not paid: {first}, total Rp120,000"),
        TODAY.year - 3: (False, f"paid: {first}, not paid: 0, total Rp{first * 10_000:,}"),
    }
    assert home.count(f"/{TODAY.year - 2}") == 12  # every month is still there, folded


def test_a_members_home_lists_the_latest_receipts_and_leads_to_the_statement_for_the_rest(
    alpha, db, tenants
):
    sri, citra = tenants.a.members[0], tenants.a.users["anggota"]
    with books_of(db, tenants.a) as session:
        member = session.merge(sri)
        member.user_id = citra.id
        numbers = [
            savings.deposit(
                session,
                savings.Movement(
                    member=member,
                    kind=SavingsKind.SUKARELA,
                    amount=1_000 * (n + 1),
                    method=PaymentMethod.CASH,
                    paid_on=TODAY,
                    idempotency_key=uuid.uuid4(),
                    officer_id=tenants.a.users["bendahara"].id,
                    officer_name="Bambang Alpha",
                ),
            )[0].number
            for n in range(12)
        ]
    login(alpha, "citra@kopalpha.id")
    home = text(alpha.get("/anggota"))
    assert [number in home for number in numbers] == [False] * 2 + [True] * 10
    assert 'href="/anggota/rekening"' in home
