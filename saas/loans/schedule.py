"""Repayment schedules in whole rupiah, free of Flask and the database.

Three interest methods (docs/domain.md, Loans), for a principal P, an annual rate r and n
instalments at a frequency of f instalments a year (periodic rate i = r / f):

- flat: each instalment's interest is P·i; the total interest P·i·n is rounded once and spread
  evenly, so the stated rate holds to the rupiah;
- menurun (declining): each principal part is P/n, interest is on what is still owed;
- anuitas: a constant instalment A = P·i / (1 - (1 + i)^-n), interest on what is still owed.

Amounts are whole rupiah, rounded half up; principal parts always sum to P and the last
instalment absorbs what rounding left over (an annuity's principal parts follow its exact
balance, so rounding never compounds).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from dateutil.relativedelta import relativedelta

BASIS_POINTS = 10_000
MIN_PER_INSTALMENT = 1_000  # no instalment carries less than this much principal on average
MAX_INSTALMENTS = 1_000


class InterestMethod(enum.StrEnum):
    FLAT = "flat"
    DECLINING = "menurun"
    ANNUITY = "anuitas"


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    WEEKLY = "weekly"
    DAILY = "daily"

    @property
    def per_year(self) -> int:
        return {"monthly": 12, "weekly": 52, "daily": 365}[self.value]

    def due_date(self, start: date, number: int) -> date:
        """The ``number``-th due date after ``start``: a month's due day is the start's day,
        or the month's last day when it has fewer days (31 January, then 28 February)."""
        if self is Frequency.MONTHLY:
            return start + relativedelta(months=number)
        days = 7 if self is Frequency.WEEKLY else 1
        return start + timedelta(days=days * number)


@dataclass(frozen=True)
class Instalment:
    number: int
    due_date: date
    principal: int
    interest: int

    @property
    def amount(self) -> int:
        return self.principal + self.interest


@dataclass(frozen=True)
class Terms:
    """What a schedule is made from."""

    principal: int
    rate_bp: int  # annual, in basis points: 1800 is 18% a year
    instalments: int
    method: InterestMethod
    frequency: Frequency = Frequency.MONTHLY

    def __post_init__(self) -> None:
        if not 1 <= self.instalments <= MAX_INSTALMENTS:
            raise ValueError(f"instalments out of range: {self.instalments}")
        if self.principal < self.instalments * MIN_PER_INSTALMENT:
            raise ValueError(f"principal too small for {self.instalments} instalments")
        if not 0 <= self.rate_bp <= BASIS_POINTS:
            raise ValueError(f"rate out of range: {self.rate_bp}")

    @property
    def periodic_rate(self) -> Fraction:
        return Fraction(self.rate_bp, BASIS_POINTS * self.frequency.per_year)


def whole(amount: Fraction | Decimal) -> int:
    """Rounded half up to the rupiah."""
    if isinstance(amount, Fraction):
        return int((amount + Fraction(1, 2)).__floor__())
    return int(amount.to_integral_value(rounding=ROUND_HALF_UP))


def build(terms: Terms, start: date) -> list[Instalment]:
    """The schedule of ``terms`` for a loan disbursed on ``start``."""
    parts = {
        InterestMethod.FLAT: _flat,
        InterestMethod.DECLINING: _declining,
        InterestMethod.ANNUITY: _annuity,
    }[terms.method](terms)
    return [
        Instalment(number, terms.frequency.due_date(start, number), principal, interest)
        for number, (principal, interest) in enumerate(parts, start=1)
    ]


def _even(total: int, count: int) -> list[int]:
    """``total`` in ``count`` equal whole parts, the last taking the remainder."""
    part = total // count
    return [part] * (count - 1) + [total - part * (count - 1)]


def _flat(terms: Terms) -> list[tuple[int, int]]:
    n = terms.instalments
    interest = whole(terms.principal * terms.periodic_rate * n)
    return list(zip(_even(terms.principal, n), _even(interest, n), strict=True))


def _declining(terms: Terms) -> list[tuple[int, int]]:
    owed, rate = terms.principal, terms.periodic_rate
    parts = []
    for principal in _even(terms.principal, terms.instalments):
        parts.append((principal, whole(owed * rate)))
        owed -= principal
    return parts


def _annuity(terms: Terms) -> list[tuple[int, int]]:
    """Every instalment the rounded annuity; each principal part is the fall of the exact
    balance, rounded (so the parts sum to the principal, and rounding never compounds)."""
    n, rate = terms.instalments, terms.periodic_rate
    if rate == 0:
        return [(principal, 0) for principal in _even(terms.principal, n)]
    with localcontext() as context:
        context.prec = 40
        i = Decimal(rate.numerator) / Decimal(rate.denominator)
        exact = terms.principal * i / (1 - (1 + i) ** -n)
        payment = whole(exact)
        balance, owed = Decimal(terms.principal), terms.principal
        parts = []
        for number in range(1, n + 1):
            balance = balance * (1 + i) - exact
            left = 0 if number == n else max(whole(balance), owed - payment)
            principal = owed - left  # never more than the instalment: interest is never negative
            parts.append((principal, max(payment - principal, 0)))
            owed = left
    return parts


def annuity_payment(principal: int, rate: Fraction, count: int) -> int:
    """The constant instalment, rounded half up to the rupiah."""
    with localcontext() as context:
        context.prec = 40
        i = Decimal(rate.numerator) / Decimal(rate.denominator)
        return whole(principal * i / (1 - (1 + i) ** -count))


def effective_annual_rate_bp(schedule: Sequence[Instalment], principal: int, per_year: int) -> int:
    """The annual rate (basis points, nominal: the periodic rate x periods a year) at which the
    instalments repay ``principal``: what a flat rate costs compared with a declining one."""
    amounts = [instalment.amount for instalment in schedule]

    def present_value(rate: float) -> float:
        return sum(amount / (1 + rate) ** k for k, amount in enumerate(amounts, start=1))

    low, high = 0.0, 1.0
    for _ in range(100):  # bisection: the present value falls as the rate rises
        middle = (low + high) / 2
        if present_value(middle) > principal:
            low = middle
        else:
            high = middle
    return round((low + high) / 2 * per_year * BASIS_POINTS)
