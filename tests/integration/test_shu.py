"""Sharing out a closed year's SHU: the plan, one entry that balances, retries, the members'
shares paid into savings, cancelling, bad input and the other tenant."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from saas.ledger import operations as ledger
from saas.ledger.models import JournalEntry
from saas.ledger.queries import balance_sheet
from saas.ledger.rules import LedgerError, Line
from saas.members.models import Member
from saas.savings import operations as savings
from saas.savings.models import SavingsKind
from saas.shu import operations as shu
from saas.shu.models import ShuAllocation
from tests.factories import (
    book_closed_2025,
    books_of,
    hidden,
    hold_rat_2025,
    login,
    share_out_2025,
    text,
)


@pytest.fixture
def closed_2025(db, tenants):
    """2025 closed, and its RAT held: it approved the SHU split as planned."""
    members = book_closed_2025(db, tenants.a)
    hold_rat_2025(db, tenants.a)
    return members


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


def post_plan(client, year=2025, **fields):
    page = text(client.get(f"/kelola/shu/{year}"))
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "key": hidden(page, "key"),
        "figures": hidden(page, "figures"),
        "decided_on": "2026-03-15",
        **fields,
    }
    return client.post(f"/kelola/shu/{year}", data=data)


def test_the_plan_follows_the_bylaws_and_keeps_non_members_shu_out(bendahara, closed_2025):
    page = text(bendahara.get("/kelola/shu/2025"))
    assert "Rp500,000" in page  # the year's SHU
    # 20% jasa usaha = 100,000, half of it earned from non-members: 50,000 to the members,
    # shared 3:1 by their loan interest; 20% jasa modal by savings 220,000 : 100,000.
    for share in ("Rp37,500", "Rp12,500", "Rp68,750", "Rp31,250"):
        assert share in page
    assert "Rp250,000" in page  # reserve: 40% plus the 50,000 from non-members
    assert "goes to the reserve: Rp50,000" in page


def test_posting_makes_one_balanced_entry_and_a_retry_posts_nothing(
    bendahara, db, tenants, closed_2025
):
    first, second = closed_2025
    page = text(bendahara.get("/kelola/shu/2025"))
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "key": hidden(page, "key"),
        "figures": hidden(page, "figures"),
        "decided_on": "2026-03-15",
    }
    done = bendahara.post("/kelola/shu/2025", data=data)
    assert done.status_code == 302
    again = bendahara.post("/kelola/shu/2025", data=data)  # the double tap
    assert again.status_code == 302
    assert again.location == done.location
    with books_of(db, tenants.a) as session:
        allocation = session.scalar(select(ShuAllocation))
        assert session.scalar(select(func.count()).select_from(ShuAllocation)) == 1
        entry = ledger.get_entry_for_tenant(session, allocation.entry_id)
        assert sum(line.debit for line in entry.lines) == sum(line.credit for line in entry.lines)
        assert entry.entry_date == date(2026, 3, 15)
        rows = {r.member_id: r for r in shu.share_rows(session, allocation)}
        assert (rows[first].total, rows[second].total) == (37_500 + 68_750, 12_500 + 31_250)
        sheet = balance_sheet(session, date(2026, 3, 31))
        assert sheet.balanced
        equity = {line.account.code: line.amount for line in sheet.equity.lines}
        liabilities = {line.account.code: line.amount for line in sheet.liabilities.lines}
        assert equity["3-105"] == 250_000  # the reserve
        assert "3-106" not in equity  # 2025's result is shared out: nothing left undistributed
        assert liabilities["2-105"] == 150_000  # the members' SHU payable
        assert liabilities["2-106"] == liabilities["2-109"] == 25_000
    page = text(bendahara.get(done.location))
    assert "Rp106,250" in page
    book = load_workbook(io.BytesIO(bendahara.get(done.location + ".xlsx").data), read_only=True)
    totals = [row[-1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert sorted(totals) == [43_750, 106_250]


def test_a_year_is_shared_out_once(bendahara, closed_2025):
    assert post_plan(bendahara).status_code == 302
    page = text(bendahara.get("/kelola/shu/2025"))
    assert "already been shared out" in page
    assert 'name="decided_on"' not in page


def test_two_treasurers_posting_the_same_year_make_one_allocation(db, tenants, closed_2025):
    user = tenants.a.users["bendahara"].id
    with books_of(db, tenants.a) as session:
        planned = shu.plan(session, 2025, shu.get_percentages(session))
        shu.post_allocation(
            session,
            planned,
            decided_on=date(2026, 3, 15),
            idempotency_key=uuid.uuid4(),
            user_id=user,
        )
        with pytest.raises(LedgerError) as refused:
            shu.post_allocation(
                session,
                planned,
                decided_on=date(2026, 3, 15),
                idempotency_key=uuid.uuid4(),
                user_id=user,
            )
        assert refused.value.code == "already_allocated"
        assert (
            session.scalar(
                select(func.count())
                .select_from(JournalEntry)
                .where(JournalEntry.description.like("Pembagian SHU%"))
            )
            == 1
        )


def test_an_open_year_or_a_meeting_inside_the_year_is_refused(bendahara, closed_2025):
    assert bendahara.get("/kelola/shu/2026").status_code == 404
    assert bendahara.get("/kelola/shu/abc").status_code == 404
    early = post_plan(bendahara, decided_on="2025-12-20")
    assert early.status_code == 422
    assert "held after the year" in text(early)
    future = post_plan(bendahara, decided_on="2099-01-01")
    assert future.status_code == 422


def test_a_year_without_surplus_has_nothing_to_share(bendahara, db, tenants):
    with books_of(db, tenants.a) as session:
        expense, cash = (ledger.account_by_role(session, r).id for r in ("other_expense", "cash"))
        ledger.post_entry(
            session,
            entry_date=date(2025, 9, 1),
            description="rugi",
            lines=[Line(expense, debit=1_000), Line(cash, credit=1_000)],
            idempotency_key=uuid.uuid4(),
        )
        session.commit()
        ledger.close_period(
            session, 2025, 12, user_id=tenants.a.users["bendahara"].id, today=date(2026, 11, 29)
        )
    page = text(bendahara.get("/kelola/shu/2025"))
    assert "no SHU to share" in page
    assert 'name="decided_on"' not in page


def test_the_shares_are_paid_into_voluntary_savings_once(bendahara, db, tenants, closed_2025):
    first, _second = closed_2025
    location = post_plan(bendahara).location
    page = text(bendahara.get(location))
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "key": hidden(page, "key"),
        "paid_on": "2026-04-01",
    }
    assert bendahara.post(location + "/bayar", data=data).status_code == 302
    assert bendahara.post(location + "/bayar", data=data).status_code == 302  # a retry
    with books_of(db, tenants.a) as session:
        assert savings.balances(session, first)[SavingsKind.SUKARELA] == 106_250
        liabilities = {
            line.account.code: line.amount
            for line in balance_sheet(session, date(2026, 4, 30)).liabilities.lines
        }
        assert "2-105" not in liabilities  # nothing payable left
    page = text(bendahara.get(location))
    assert "paid into their voluntary savings" in page
    cancel = bendahara.post(
        location + "/batal",
        data={"csrf_token": hidden(page, "csrf_token"), "key": str(uuid.uuid4()), "reason": "x"},
    )
    assert cancel.status_code == 422
    assert "cannot be cancelled" in text(cancel)


def test_shares_are_not_paid_before_the_meeting_and_the_journal_leaves_the_entry_alone(
    bendahara, db, tenants, closed_2025
):
    location = post_plan(bendahara).location
    page = text(bendahara.get(location))
    early = bendahara.post(
        location + "/bayar",
        data={
            "csrf_token": hidden(page, "csrf_token"),
            "key": hidden(page, "key"),
            "paid_on": "2026-03-01",  # the meeting was on 15 March
        },
    )
    assert early.status_code == 422
    assert "on or after the day of the members" in text(early)
    with books_of(db, tenants.a) as session:
        allocation = session.scalar(select(ShuAllocation))
        entry = ledger.get_entry_for_tenant(session, allocation.entry_id)
        with pytest.raises(LedgerError) as refused:
            ledger.reverse_entry(
                session,
                entry,
                entry_date=date(2026, 11, 1),
                reason="x",
                idempotency_key=uuid.uuid4(),
            )
        assert refused.value.code == "owned_entry"


def test_a_cancelled_allocation_is_reversed_and_the_year_can_be_shared_again(
    bendahara, db, tenants, closed_2025, today
):
    location = post_plan(bendahara).location
    page = text(bendahara.get(location))
    cancel = bendahara.post(
        location + "/batal",
        data={
            "csrf_token": hidden(page, "csrf_token"),
            "key": hidden(page, "key"),
            "reason": "Salah persentase",
        },
    )
    assert cancel.status_code == 302
    with books_of(db, tenants.a) as session:
        allocation = session.scalar(select(ShuAllocation))
        assert allocation.cancelled_at is not None
        entry = ledger.get_entry_for_tenant(session, allocation.entry_id)
        assert ledger.find_reversal(session, entry) is not None
        sheet = balance_sheet(session, today)  # the reversal is dated today
        assert sheet.balanced
        assert "2-105" not in {line.account.code for line in sheet.liabilities.lines}
    assert post_plan(bendahara).status_code == 302


def test_the_bylaws_split_must_add_up_to_100(bendahara, closed_2025):
    page = text(bendahara.get("/kelola/shu"))
    split = {
        "cadangan": "50",
        "jasa_usaha": "30",
        "jasa_modal": "20",
        "pengurus": "0",
        "karyawan": "0",
        "pendidikan": "0",
        "sosial": "0",
    }
    bad = bendahara.post(
        "/kelola/shu/pembagian",
        data={"csrf_token": hidden(page, "csrf_token"), **split, "sosial": "5"},
    )
    assert bad.status_code == 422
    assert "add up to 100" in text(bad)
    absurd = bendahara.post(
        "/kelola/shu/pembagian",
        data={"csrf_token": hidden(page, "csrf_token"), **split, "sosial": "lima"},
    )
    assert absurd.status_code == 422
    saved = bendahara.post(
        "/kelola/shu/pembagian", data={"csrf_token": hidden(page, "csrf_token"), **split}
    )
    assert saved.status_code == 302
    page = text(bendahara.get("/kelola/shu/2025"))
    assert "(50%)" in page
    assert "Rp325,000" in page  # the reserve: half, plus half of the 30% jasa usaha


def test_only_the_treasurer_shares_out_and_other_officers_can_read(alpha, closed_2025):
    login(alpha, "ana@kopalpha.id")  # the chair
    assert alpha.get("/kelola/shu").status_code == 200
    assert alpha.get("/kelola/shu/2025").status_code == 403


def test_another_cooperatives_allocation_is_not_found(bendahara, db, tenants):
    book_closed_2025(db, tenants.b)
    allocation_id = share_out_2025(db, tenants.b)
    assert bendahara.get(f"/kelola/shu/hasil/{allocation_id}").status_code == 404
    assert bendahara.get(f"/kelola/shu/hasil/{allocation_id}.xlsx").status_code == 404


def test_figures_that_changed_after_the_page_was_shown_are_not_posted(bendahara, closed_2025):
    page = text(bendahara.get("/kelola/shu/2025"))
    split = {"cadangan": "50", "jasa_usaha": "30", "jasa_modal": "20"}
    split |= dict.fromkeys(("pengurus", "karyawan", "pendidikan", "sosial"), "0")
    bendahara.post(
        "/kelola/shu/pembagian", data={"csrf_token": hidden(page, "csrf_token"), **split}
    )
    stale = bendahara.post(
        "/kelola/shu/2025",
        data={
            "csrf_token": hidden(page, "csrf_token"),
            "key": hidden(page, "key"),
            "figures": hidden(page, "figures"),
            "decided_on": "2026-03-15",
        },
    )
    assert stale.status_code == 422
    assert "figures changed since this page was opened" in text(stale)
    # Seen again, the new figures are still not the ones the RAT approved.
    fresh = post_plan(bendahara)
    assert fresh.status_code == 422
    assert "These figures are not the ones the" in text(fresh)


def test_a_member_named_like_a_formula_comes_out_of_the_shu_sheet_as_text(
    bendahara, db, tenants, closed_2025
):
    first, _second = closed_2025
    with books_of(db, tenants.a) as session:
        session.get(Member, first).name = '=HYPERLINK("http://evil.example","klik")'
        session.commit()
    done = post_plan(bendahara)
    assert done.status_code == 302
    book = load_workbook(io.BytesIO(bendahara.get(done.location + ".xlsx").data))
    names = [row[1] for row in book.active.iter_rows(min_row=2)]
    named = next(cell for cell in names if "HYPERLINK" in str(cell.value))
    assert named.data_type == "s"
    assert named.value == '\'=HYPERLINK("http://evil.example","klik")'
