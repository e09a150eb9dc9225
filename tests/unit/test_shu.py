"""SHU in whole rupiah: every split adds up exactly and follows the weights within a rupiah."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.shu.rules import TYPICAL_SPLIT, ShuError, allocate, largest_remainder

weights = st.dictionaries(st.integers(1, 5000), st.integers(0, 10**9), min_size=1, max_size=60)


@given(total=st.integers(0, 10**12), weights=weights)
def test_shares_add_up_exactly_and_stay_within_a_rupiah_of_the_exact_share(total, weights):
    shares = largest_remainder(total, weights)
    whole = sum(weights.values())
    if whole == 0:
        assert set(shares.values()) == {0}
        return
    assert sum(shares.values()) == total
    for key, weight in weights.items():
        assert abs(shares[key] - total * weight / whole) < 1 + 1e-6
        if weight == 0:
            assert shares[key] == 0


def test_the_domain_example_split():
    split = allocate(
        10_000_000,
        TYPICAL_SPLIT,
        transactions={1: 3_000_000, 2: 1_000_000},
        savings={1: 1_100_000, 2: 100_000, 3: 0},
        non_member_revenue=0,
    )
    assert split.funds["cadangan"] == 4_000_000
    assert sum(split.funds.values()) == 10_000_000
    assert split.jasa_usaha == {1: 1_500_000, 2: 500_000}
    assert split.jasa_modal == {1: 1_833_333, 2: 166_667, 3: 0}
    assert split.to_reserve == 0


def test_shu_from_non_members_goes_to_the_reserve_not_to_members():
    split = allocate(
        10_000_000,
        TYPICAL_SPLIT,
        transactions={1: 3_000_000, 2: 1_000_000},
        savings={1: 100_000},
        non_member_revenue=4_000_000,  # half the revenue came from non-members
    )
    assert split.funds["jasa_usaha"] == 1_000_000 == sum(split.jasa_usaha.values())
    assert split.jasa_usaha == {1: 750_000, 2: 250_000}
    assert split.to_reserve == 1_000_000
    assert split.funds["cadangan"] == 5_000_000
    assert sum(split.funds.values()) == 10_000_000


def test_pools_nobody_can_share_go_to_the_reserve():
    split = allocate(
        1_000_001, TYPICAL_SPLIT, transactions={}, savings={7: 0}, non_member_revenue=0
    )
    assert split.funds["jasa_usaha"] == split.funds["jasa_modal"] == 0
    assert split.funds["cadangan"] == 1_000_001 - 4 * 50_000 == 800_001  # all but the funds
    assert split.to_reserve == 400_000
    assert sum(split.funds.values()) == 1_000_001


@given(
    shu=st.integers(0, 10**12),
    transactions=weights,
    savings=weights,
    non_member_revenue=st.integers(0, 10**10),
)
def test_every_allocation_adds_up_to_the_shu_and_to_its_pools(
    shu, transactions, savings, non_member_revenue
):
    split = allocate(
        shu,
        TYPICAL_SPLIT,
        transactions=transactions,
        savings=savings,
        non_member_revenue=non_member_revenue,
    )
    assert sum(split.funds.values()) == shu
    assert sum(split.jasa_usaha.values()) == split.funds["jasa_usaha"]
    assert sum(split.jasa_modal.values()) == split.funds["jasa_modal"]
    assert min(split.funds.values()) >= 0


def test_ties_go_the_same_way_whatever_the_order():
    assert largest_remainder(1, {2: 1, 1: 1}) == largest_remainder(1, {1: 1, 2: 1}) == {1: 1, 2: 0}


def test_ties_go_to_the_smaller_member_id_by_number_not_by_its_digits():
    # Four equal members and 2 rupiah left over: ids 2 and 10, not 10 and 11 ("10" < "2").
    assert largest_remainder(2, {10: 1, 11: 1, 12: 1, 2: 1}) == {2: 1, 10: 1, 11: 0, 12: 0}


@pytest.mark.parametrize(
    ("percentages", "code"),
    [
        ({"cadangan": 60, "jasa_modal": 30}, "percentages_not_100"),
        ({"cadangan": 60, "jasa_modal": 30, "lottery": 10}, "unknown_fund"),
        ({"cadangan": 120, "jasa_modal": -20}, "unknown_fund"),
    ],
)
def test_bylaws_that_do_not_sum_to_100_are_refused(percentages, code):
    with pytest.raises(ShuError) as refused:
        allocate(1_000, percentages, transactions={}, savings={}, non_member_revenue=0)
    assert refused.value.code == code
