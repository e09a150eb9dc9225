"""Interest on voluntary savings and the final tax on it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from saas.savings.rules import interest_tax, monthly_interest


def test_a_month_of_a_steady_balance_earns_the_rate_over_365_days():
    # Rp10.000.000 for all 30 days of November at 3% a year: 10,000,000 x 0.03 x 30/365.
    assert monthly_interest(10_000_000 * 30, 300) == 24_657
    assert monthly_interest(0, 300) == 0
    assert monthly_interest(-5_000, 300) == 0  # an overdrawn day never earns
    assert monthly_interest(10_000_000 * 30, 0) == 0


def test_interest_up_to_240_thousand_a_month_is_not_taxed_and_above_it_all_of_it_is():
    assert interest_tax(240_000) == 0
    assert interest_tax(240_001) == 24_000  # 10% of the whole gross, rounded down
    assert interest_tax(1_000_000) == 100_000


@given(st.integers(0, 10**15), st.integers(0, 2_000))
def test_interest_never_exceeds_the_exact_amount_by_a_rupiah(balance_days, rate_bp):
    interest = monthly_interest(balance_days, rate_bp)
    exact = balance_days * rate_bp / (10_000 * 365)
    assert 0 <= exact - interest < 1 + 1e-6 * max(exact, 1)
    assert 0 <= interest_tax(interest) <= interest
