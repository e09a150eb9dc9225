"""Savings rules free of Flask and the database: interest on voluntary savings and its tax."""

from __future__ import annotations

# PP 15/2009: interest a cooperative pays on a member's savings is taxed at source (final PPh
# Pasal 4 ayat 2): nothing when the month's interest is at most Rp240.000, otherwise 10% of
# the whole gross interest.
TAX_FREE_MONTHLY_INTEREST = 240_000
INTEREST_TAX_PERCENT = 10
MAX_RATE_BP = 2_000  # 20% a year: anything above is a typing slip


def monthly_interest(balance_days: int, rate_bp: int) -> int:
    """Interest in whole rupiah (rounded down) on the sum of a month's daily balances
    (``balance_days``: rupiah times days) at ``rate_bp`` basis points a year, actual/365."""
    if balance_days <= 0 or rate_bp <= 0:
        return 0
    return balance_days * rate_bp // (10_000 * 365)


def interest_tax(gross: int) -> int:
    """The final tax withheld from a month's gross interest, in whole rupiah (rounded down)."""
    if gross <= TAX_FREE_MONTHLY_INTEREST:
        return 0
    return gross * INTEREST_TAX_PERCENT // 100
