"""The quality of the loans: collectibility as the clock advances, the daily job in each
cooperative's own time zone, the portfolio's figures and the month's PPAP reserve."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from saas import daily
from saas.ledger import operations as ledger
from saas.ledger.models import JournalEntry
from saas.ledger.rules import LedgerError
from saas.loans import collectibility, repayments, restructuring
from saas.loans import operations as loans
from saas.loans.models import Collectibility, Loan, PpapRun
from saas.loans.repayments import standing
from saas.loans.schedule import Frequency
from tests.clock import TODAY
from tests.factories import books_of
from tests.integration.lending import FLAT, active_loan, pay

WEEKLY = loans.ProductTerms(
    **{**vars(FLAT), "name": "Pinjaman Mingguan", "frequency": Frequency.WEEKLY}
)


@pytest.fixture
def books(db, tenants) -> Iterator:
    with books_of(db, tenants.a) as session:
        yield session


def grade(session, loan, on) -> tuple[Collectibility, int]:
    collectibility.assess(session, on)
    session.refresh(loan)
    return loan.collectibility, loan.days_overdue


def test_a_monthly_loan_left_unpaid_slips_class_by_class_as_the_clock_advances(books, tenants):
    loan = active_loan(books, tenants)  # first instalment due 10 August 2026
    assert grade(books, loan, date(2026, 8, 10)) == (Collectibility.LANCAR, 0)
    assert grade(books, loan, date(2026, 11, 8)) == (Collectibility.LANCAR, 90)
    assert grade(books, loan, date(2026, 11, 9)) == (Collectibility.KURANG_LANCAR, 91)
    assert grade(books, loan, date(2027, 2, 7)) == (Collectibility.DIRAGUKAN, 181)
    assert grade(books, loan, date(2027, 8, 6)) == (Collectibility.MACET, 361)


def test_paying_the_arrears_brings_a_loan_back_to_lancar(books, tenants):
    loan = active_loan(books, tenants)
    assert grade(books, loan, TODAY)[0] is Collectibility.KURANG_LANCAR
    pay(books, loan, standing(books, loan, TODAY).due_now, TODAY)
    assert grade(books, loan, TODAY) == (Collectibility.LANCAR, 0)


def test_weekly_loans_slip_after_one_month_of_arrears(books, tenants):
    loan = active_loan(books, tenants, WEEKLY, principal=600_000, instalments=12)
    first_due = date(2026, 7, 17)
    assert grade(books, loan, date(2026, 8, 16)) == (Collectibility.LANCAR, 30)
    assert grade(books, loan, date(2026, 8, 17)) == (Collectibility.KURANG_LANCAR, 31)
    assert (date(2026, 8, 17) - first_due).days == 31


def test_the_cooperative_sets_its_own_thresholds(books, tenants):
    loan = active_loan(books, tenants)
    loans.save_settings(
        books,
        approver_roles=["ketua", "bendahara"],
        approvals_required=2,
        arrears_days={"monthly": [30, 60, 90], "weekly": [30, 60, 90], "daily": [30, 60, 90]},
    )
    assert grade(books, loan, date(2026, 9, 10)) == (Collectibility.KURANG_LANCAR, 31)


def test_the_daily_job_assesses_each_cooperative_as_its_own_day_begins(db, books, tenants):
    loan = active_loan(books, tenants)
    books.commit()
    # Tenant A is in WIB: 17:30 UTC is 00:30 WIB on the 16th; 10:00 UTC is 17:00 WIB.
    assert daily.begin_days(db, datetime(2026, 12, 15, 10, 0, tzinfo=UTC)) == 0
    assessed = daily.begin_days(db, datetime(2026, 12, 15, 17, 30, tzinfo=UTC))
    assert assessed >= 1
    with books_of(db, tenants.a) as session:
        fresh = session.get_one(Loan, loan.id)
        assert (fresh.assessed_on, fresh.collectibility) == (
            date(2026, 12, 16),
            Collectibility.KURANG_LANCAR,
        )
        assert fresh.days_overdue == (date(2026, 12, 16) - date(2026, 8, 10)).days


def test_the_portfolio_shows_what_is_owed_by_class_age_product_and_officer(books, tenants):
    late = active_loan(books, tenants)  # six instalments unpaid since August: kurang lancar
    current = active_loan(books, tenants, member=1, on=date(2026, 11, 20))
    book = collectibility.portfolio(books, TODAY)
    assert book.total.count == 2
    assert book.total.outstanding == 2 * 1_200_000
    assert book.by_class[Collectibility.KURANG_LANCAR].outstanding == 1_200_000
    assert book.by_class[Collectibility.LANCAR].outstanding == 1_200_000
    assert book.npl_bp == 5_000
    assert book.risky == 600_000
    assert book.health == "unhealthy"
    assert book.by_age[(91, 180)].count == 1
    assert book.by_product[late.product_id][Collectibility.KURANG_LANCAR].count == 1
    assert book.by_officer[current.officer_id][Collectibility.LANCAR].count == 1


MID_DECEMBER = date(2026, 12, 15)  # the day the reserve is posted on: November has ended


def test_the_months_reserve_is_brought_to_what_the_portfolio_needs_once(books, tenants):
    active_loan(books, tenants)
    user = tenants.a.users["bendahara"].id
    # On 30 November the loan is 112 days late: kurang lancar, 10% of 1,200,000.
    run = collectibility.post_reserve(books, 2026, 11, today=MID_DECEMBER, user_id=user)
    assert (run.required, run.change) == (120_000, 120_000)
    entry = books.get_one(JournalEntry, run.entry_id)
    reserve = ledger.account_by_role(books, "ppap").id
    expense = ledger.account_by_role(books, "ppap_expense").id
    assert {(line.account_id, line.debit, line.credit) for line in entry.lines} == {
        (expense, 120_000, 0),
        (reserve, 0, 120_000),
    }
    with pytest.raises(LedgerError, match="reserve_posted"):
        collectibility.post_reserve(books, 2026, 11, today=MID_DECEMBER, user_id=user)
    with pytest.raises(LedgerError, match="period_not_ended"):
        collectibility.post_reserve(books, 2026, 12, today=MID_DECEMBER, user_id=user)
    assert collectibility.reserve_held(books, MID_DECEMBER) == 120_000


def test_a_smaller_need_releases_part_of_the_reserve(books, tenants):
    loan = active_loan(books, tenants)
    user = tenants.a.users["bendahara"].id
    collectibility.post_reserve(
        books, 2026, 10, today=MID_DECEMBER, user_id=user
    )  # 81 days: lancar
    # On 31 October: lancar, 0.5% of 1,200,000.
    october = books.scalar(select(PpapRun).where(PpapRun.month == 10))
    assert october.required == 6_000
    paid_on = date(2026, 11, 5)
    pay(books, loan, standing(books, loan, paid_on).total_left, paid_on)  # all, with late fees
    november = collectibility.post_reserve(books, 2026, 11, today=MID_DECEMBER, user_id=user)
    assert (november.required, november.change) == (0, -6_000)
    assert collectibility.reserve_held(books, MID_DECEMBER) == 0


AUGUST_END = date(2026, 8, 31)  # the first instalment (10 August) is 21 days late


def test_a_past_days_positions_count_only_the_payments_made_by_then(books, tenants):
    loan = active_loan(books, tenants)
    paid_on = date(2026, 9, 5)
    pay(books, loan, standing(books, loan, paid_on).due_now, paid_on)  # August's, late
    [then] = collectibility.positions(books, AUGUST_END)
    assert (then.loan_id, then.outstanding, then.days_overdue) == (loan.id, 1_200_000, 21)
    [after] = collectibility.positions(books, paid_on)
    assert (after.outstanding, after.days_overdue) == (1_000_000, 0)


def test_a_loan_paid_off_since_is_in_the_portfolio_of_a_day_before(books, tenants):
    loan = active_loan(books, tenants)
    paid_on = date(2026, 9, 5)
    pay(books, loan, standing(books, loan, paid_on).payoff, paid_on, payoff=True)
    books.refresh(loan)
    assert loan.status.value == "paid_off"
    before = collectibility.portfolio(books, AUGUST_END)
    assert (before.total.count, before.total.outstanding) == (1, 1_200_000)
    assert collectibility.portfolio(books, paid_on).total.count == 0
    assert collectibility.assess(books, AUGUST_END) == 0  # its class stays as it was paid off


def test_a_loan_paid_out_after_the_day_is_not_in_its_portfolio(books, tenants):
    active_loan(books, tenants, on=date(2026, 11, 20))
    assert collectibility.portfolio(books, date(2026, 11, 19)).total.count == 0
    assert collectibility.portfolio(books, date(2026, 11, 20)).total.count == 1


def test_a_payment_reversed_later_still_counts_on_the_days_between(books, tenants):
    loan = active_loan(books, tenants)
    paid_on = date(2026, 8, 10)
    payment = pay(books, loan, standing(books, loan, paid_on).due_now, paid_on).repayment
    repayments.reverse(
        books,
        payment,
        on=date(2026, 9, 1),
        reason="Salah catat",
        idempotency_key=uuid.uuid4(),
        user_id=tenants.a.users["bendahara"].id,
    )
    assert collectibility.positions(books, AUGUST_END)[0].outstanding == 1_000_000
    assert collectibility.positions(books, date(2026, 9, 1))[0].outstanding == 1_200_000


def test_the_months_reserve_ignores_payments_made_after_the_month(books, tenants):
    loan = active_loan(books, tenants)
    pay(books, loan, standing(books, loan, MID_DECEMBER).total_left, MID_DECEMBER)  # all of it
    user = tenants.a.users["bendahara"].id
    # On 30 November the loan was still owed in full, 112 days late: kurang lancar, 10%.
    run = collectibility.post_reserve(books, 2026, 11, today=MID_DECEMBER, user_id=user)
    assert run.required == 120_000


def test_a_past_days_positions_read_the_schedule_in_force_that_day(books, tenants):
    loan = active_loan(books, tenants)  # unpaid since 10 August
    restructuring.restructure(
        books,
        loan,
        instalments=12,
        rate_bp=None,
        on=date(2026, 11, 1),
        reason="Gagal panen",
        user_id=tenants.a.users["bendahara"].id,
    )
    [before] = collectibility.positions(books, date(2026, 10, 31))
    assert (before.outstanding, before.days_overdue) == (1_200_000, 82)  # since 10 August
    [after] = collectibility.positions(books, date(2026, 11, 2))
    assert (after.outstanding, after.days_overdue) == (1_200_000, 0)  # the new schedule
