"""Schedules for every interest method: whole rupiah, exact totals, known figures."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.loans.schedule import (
    MIN_PER_INSTALMENT,
    Frequency,
    InterestMethod,
    Terms,
    annuity_payment,
    build,
    effective_annual_rate_bp,
)

START = date(2026, 1, 31)


@st.composite
def terms(draw: st.DrawFn) -> Terms:
    frequency = draw(st.sampled_from(Frequency))
    count = draw(st.integers(1, 120 if frequency is Frequency.MONTHLY else 400))
    principal = draw(st.integers(count * MIN_PER_INSTALMENT, 5_000_000_000))
    return Terms(
        principal=principal,
        rate_bp=draw(st.integers(0, 6_000)),
        instalments=count,
        method=draw(st.sampled_from(InterestMethod)),
        frequency=frequency,
    )


@given(terms())
def test_principal_parts_sum_to_the_principal_and_every_instalment_is_positive(loan):
    schedule = build(loan, START)
    assert sum(row.principal for row in schedule) == loan.principal
    assert all(row.amount > 0 and row.principal >= 0 and row.interest >= 0 for row in schedule)
    assert [row.number for row in schedule] == list(range(1, loan.instalments + 1))
    assert all(a.due_date < b.due_date for a, b in itertools.pairwise(schedule))


@given(terms())
def test_a_flat_loan_charges_its_stated_rate_to_the_rupiah(loan):
    flat = Terms(
        loan.principal, loan.rate_bp, loan.instalments, InterestMethod.FLAT, loan.frequency
    )
    schedule = build(flat, START)
    exact = loan.principal * flat.periodic_rate * loan.instalments
    assert abs(sum(row.interest for row in schedule) - exact) <= 0.5
    assert len({row.amount for row in schedule[:-1]}) <= 1  # equal until the last


@given(terms())
def test_an_annuity_keeps_one_instalment_until_the_last_which_absorbs_rounding(loan):
    annuity = Terms(
        loan.principal, loan.rate_bp, loan.instalments, InterestMethod.ANNUITY, loan.frequency
    )
    schedule = build(annuity, START)
    if loan.rate_bp:
        payment = annuity_payment(loan.principal, annuity.periodic_rate, loan.instalments)
        assert all(row.amount == payment for row in schedule[:-1])
        # Each period's interest is rounded to the rupiah: the last absorbs at most that.
        assert abs(schedule[-1].amount - payment) <= loan.instalments


@given(terms())
def test_declining_interest_never_rises(loan):
    declining = Terms(
        loan.principal, loan.rate_bp, loan.instalments, InterestMethod.DECLINING, loan.frequency
    )
    interest = [row.interest for row in build(declining, START)]
    assert interest == sorted(interest, reverse=True)


def test_a_flat_loan_of_twelve_million_over_twelve_months_at_eighteen_percent():
    schedule = build(Terms(12_000_000, 1_800, 12, InterestMethod.FLAT), START)
    assert {(row.principal, row.interest) for row in schedule} == {(1_000_000, 180_000)}


def test_an_annuity_of_ten_million_over_twelve_months_at_twelve_percent():
    # The textbook figure: 10,000,000 x 0.01 / (1 - 1.01^-12) = 888,487.89 a month.
    schedule = build(Terms(10_000_000, 1_200, 12, InterestMethod.ANNUITY), START)
    assert schedule[0].amount == 888_488
    assert (schedule[0].principal, schedule[0].interest) == (788_488, 100_000)
    assert sum(row.interest for row in schedule) == sum(r.amount for r in schedule) - 10_000_000
    assert 661_000 < sum(row.interest for row in schedule) < 662_000


def test_declining_interest_is_on_what_is_still_owed():
    schedule = build(Terms(3_000_000, 2_400, 3, InterestMethod.DECLINING), START)
    assert [(row.principal, row.interest) for row in schedule] == [
        (1_000_000, 60_000),
        (1_000_000, 40_000),
        (1_000_000, 20_000),
    ]


def test_monthly_dues_keep_the_day_or_take_the_months_last():
    schedule = build(Terms(3_000_000, 1_200, 3, InterestMethod.FLAT), START)
    assert [row.due_date for row in schedule] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


def test_weekly_and_daily_dues_step_by_seven_and_one_days():
    weekly = build(Terms(40_000, 0, 4, InterestMethod.FLAT, Frequency.WEEKLY), START)
    daily = build(Terms(20_000, 0, 2, InterestMethod.FLAT, Frequency.DAILY), START)
    assert [row.due_date.day for row in weekly] == [7, 14, 21, 28]
    assert [row.due_date for row in daily] == [date(2026, 2, 1), date(2026, 2, 2)]


def test_a_flat_rate_costs_nearly_twice_its_figure_as_an_effective_rate():
    flat = Terms(12_000_000, 1_800, 12, InterestMethod.FLAT)
    effective = effective_annual_rate_bp(build(flat, START), flat.principal, 12)
    assert 3_165 <= effective <= 3_180  # 18% flat over a year costs about 31.7% effective


def test_a_declining_schedule_is_its_own_effective_rate():
    loan = Terms(12_000_000, 1_800, 12, InterestMethod.DECLINING)
    assert abs(effective_annual_rate_bp(build(loan, START), loan.principal, 12) - 1_800) <= 2


@pytest.mark.parametrize(
    ("principal", "count", "rate"),
    [(999, 1, 1_000), (11_999, 12, 1_000), (1_000_000, 0, 1_000), (1_000_000, 12, 10_001)],
)
def test_terms_that_cannot_make_a_schedule_are_refused(principal, count, rate):
    with pytest.raises(ValueError, match=r"out of range|too small"):
        Terms(principal, rate, count, InterestMethod.FLAT)
