"""SHU in whole rupiah: every split adds up exactly and follows the weights within a rupiah."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.savings.shu import TYPICAL_SPLIT, ShuError, largest_remainder, split_shu

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
    split = split_shu(
        10_000_000,
        TYPICAL_SPLIT,
        transactions={1: 3_000_000, 2: 1_000_000},
        savings={1: 1_100_000, 2: 100_000, 3: 0},
    )
    assert split.funds["cadangan"] == 4_000_000
    assert sum(split.funds.values()) == 10_000_000
    assert split.jasa_usaha == {1: 1_500_000, 2: 500_000}
    assert split.jasa_modal == {1: 1_833_333, 2: 166_667, 3: 0}


def test_ties_go_the_same_way_whatever_the_order():
    assert largest_remainder(1, {2: 1, 1: 1}) == largest_remainder(1, {1: 1, 2: 1}) == {1: 1, 2: 0}


@pytest.mark.parametrize(
    ("percentages", "code"), [({"cadangan": 60, "jasa_modal": 30}, "percentages_not_100")]
)
def test_bylaws_that_do_not_sum_to_100_are_refused(percentages, code):
    with pytest.raises(ShuError) as refused:
        split_shu(1_000, percentages, {}, {})
    assert refused.value.code == code
