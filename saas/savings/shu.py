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

K = TypeVar("K")

# A typical split (DOMAIN.md); each cooperative's bylaws set its own.
TYPICAL_SPLIT = {
    "cadangan": 40,
    "jasa_usaha": 20,
    "jasa_modal": 20,
    "pengurus": 5,
    "karyawan": 5,
    "pendidikan": 5,
    "sosial": 5,
}


class ShuError(ValueError):
    """``code``: percentages_not_100, negative."""

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
    by_remainder = sorted(weights, key=lambda key: (-(exact[key] - shares[key]), str(key)))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares


@dataclass(frozen=True)
class ShuSplit:
    funds: dict[str, int]  # rupiah per fund, summing to the SHU
    jasa_usaha: dict[int, int]  # member id -> rupiah
    jasa_modal: dict[int, int]


def split_shu(
    shu: int,
    percentages: Mapping[str, int],
    transactions: Mapping[int, int],
    savings: Mapping[int, int],
) -> ShuSplit:
    """The whole split of a year's SHU (members' SHU earned from non-members is left to the
    caller, who passes only the SHU from members)."""
    if sum(percentages.values()) != 100:
        raise ShuError("percentages_not_100")
    funds = largest_remainder(shu, percentages)
    return ShuSplit(
        funds=funds,
        jasa_usaha=largest_remainder(funds.get("jasa_usaha", 0), transactions),
        jasa_modal=largest_remainder(funds.get("jasa_modal", 0), savings),
    )
