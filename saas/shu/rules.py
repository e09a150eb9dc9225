"""SHU (sisa hasil usaha) rules, UU 25/1992 Pasal 45, free of Flask and the database.

The year's SHU is split into funds by the bylaws' percentages (summing to 100); the members'
share is then split into jasa usaha (by each member's transactions with the cooperative) and
jasa modal (by each member's pokok + wajib savings). Every split is in whole rupiah and adds up
exactly to what is split: the largest-remainder method, ties going to the smaller key so the
result never depends on ordering.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", int, str)  # member ids or fund names: ties go to the smaller one

# A typical split (docs/domain.md); each cooperative's bylaws set its own.
TYPICAL_SPLIT: dict[str, int] = {
    "cadangan": 40,
    "jasa_usaha": 20,
    "jasa_modal": 20,
    "pengurus": 5,
    "karyawan": 5,
    "pendidikan": 5,
    "sosial": 5,
}
FUNDS = tuple(TYPICAL_SPLIT)
# Where each fund is posted: the reserve is equity, the members' shares and the funds are owed.
FUND_ROLES = {
    "cadangan": "reserve",
    "jasa_usaha": "shu_payable",
    "jasa_modal": "shu_payable",
    "pengurus": "fund_officers",
    "karyawan": "fund_employees",
    "pendidikan": "fund_education",
    "sosial": "fund_social",
}


class ShuError(ValueError):
    """``code``: percentages_not_100, unknown_fund, negative."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def largest_remainder(total: int, weights: Mapping[K, int]) -> dict[K, int]:
    """``total`` rupiah shared in proportion to ``weights``, in whole rupiah summing to
    ``total`` exactly. Zero weights get nothing; all-zero weights leave the total unshared."""
    if total < 0 or any(w < 0 for w in weights.values()):
        raise ShuError("negative")
    whole = sum(weights.values())
    if whole == 0 or total == 0:
        return dict.fromkeys(weights, 0)
    exact = {key: Fraction(total * w, whole) for key, w in weights.items()}
    shares = {key: int(value) for key, value in exact.items()}  # floor: all are non-negative
    left = total - sum(shares.values())
    by_remainder = sorted(weights, key=lambda key: (-(exact[key] - shares[key]), key))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares


def check_percentages(percentages: Mapping[str, int]) -> None:
    """The bylaws' split: known funds, whole percentages, summing to 100 (raises ShuError)."""
    if set(percentages) - set(FUNDS) or any(not 0 <= p <= 100 for p in percentages.values()):
        raise ShuError("unknown_fund")
    if sum(percentages.values()) != 100:
        raise ShuError("percentages_not_100")


@dataclass(frozen=True)
class Allocation:
    funds: dict[str, int]  # rupiah per fund as posted, summing to the SHU
    jasa_usaha: dict[int, int]  # member id -> rupiah, summing to funds["jasa_usaha"]
    jasa_modal: dict[int, int]  # summing to funds["jasa_modal"]
    to_reserve: int  # members' pools that cannot go to members, added to the reserve


def allocate(
    shu: int,
    percentages: Mapping[str, int],
    *,
    transactions: Mapping[int, int],
    savings: Mapping[int, int],
    non_member_revenue: int,
) -> Allocation:
    """Share a year's SHU by the bylaws' percentages.

    SHU earned from non-members is not distributed to members (UU 25/1992): the jasa usaha pool
    is cut in proportion of the revenue not recorded against a member (``transactions`` are the
    members' own, Va), and the cut goes to the reserve. A pool nobody can share (no member
    transactions, no member savings) goes to the reserve as well.
    """
    check_percentages(percentages)
    funds = dict.fromkeys(FUNDS, 0) | largest_remainder(shu, percentages)
    member_revenue = sum(transactions.values())
    usaha = largest_remainder(
        funds["jasa_usaha"], {"members": member_revenue, "others": non_member_revenue}
    )["members"]
    modal = funds["jasa_modal"] if sum(savings.values()) > 0 else 0
    to_reserve = funds["jasa_usaha"] - usaha + funds["jasa_modal"] - modal
    funds.update(jasa_usaha=usaha, jasa_modal=modal, cadangan=funds["cadangan"] + to_reserve)
    return Allocation(
        funds=funds,
        jasa_usaha=largest_remainder(usaha, transactions),
        jasa_modal=largest_remainder(modal, savings),
        to_reserve=to_reserve,
    )
