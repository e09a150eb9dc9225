"""Which plan's terms a cooperative has now: pure functions of its subscription's state."""

from __future__ import annotations

from datetime import datetime, timedelta

GRACE_PERIOD = timedelta(days=7)
FREE_PLAN = "gratis"

# Statuses under which Stripe still expects the plan to be used (past_due only in its grace).
PAID_STATUSES = frozenset({"active", "trialing", "past_due"})
# Statuses of a payment that failed: the grace period runs.
FAILING_STATUSES = frozenset({"past_due", "unpaid"})


def paid_terms_hold(status: str | None, grace_until: datetime | None, now: datetime) -> bool:
    """True while a paid plan's extras are on: a live subscription not past its grace period.

    When they pause, the cooperative is on the free plan's terms and keeps every record."""
    if status not in PAID_STATUSES:
        return False
    return grace_until is None or now < grace_until


def grace_ends(failed_at: datetime, grace_until: datetime | None) -> datetime:
    """The end of the grace period: the first failed payment starts it, later ones keep it."""
    return grace_until or failed_at + GRACE_PERIOD


def over_limit(used: int, limit: int | None) -> bool:
    """True when one more would go past ``limit`` (None: no limit)."""
    return limit is not None and used >= limit


def grace_days_left(grace_until: datetime, now: datetime) -> int:
    """Whole days of grace left, a part of a day counted as one (0 once it has ended)."""
    left = grace_until - now
    return max(0, left.days + (1 if left % timedelta(days=1) else 0))
