"""Business dates: "today" in the cooperative's own time zone, from one reading of the clock.

The server keeps UTC, but a cooperative's day runs on WIB, WITA or WIT by the province of its
village: a wajib payment taken at 06:00 WIB on the 1st belongs to the 1st, not to the last day
of the previous month. Every business date (a receipt's date, the month a bill belongs to, the
months that have ended) comes from :func:`today`; timestamps (sign-ins, audit events) stay
aware UTC datetimes and are no business of this module. Tests freeze the clock with
:func:`frozen` so that no test reads the calendar.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import g, has_app_context

if TYPE_CHECKING:
    from saas.tenants.models import Tenant

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")

# Kemendagri province codes (the first two digits of a region code) by time zone; the rest of
# the country (Sumatra, Java, West and Central Kalimantan) keeps WIB.
_WITA_PROVINCES = frozenset(
    {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
)
_WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96"})

_frozen_at: datetime | None = None


def zone_for_region(region_code: str | None) -> ZoneInfo:
    """The time zone of a village, district or province code (WIB when unknown)."""
    province = (region_code or "")[:2]
    if province in _WIT_PROVINCES:
        return WIT
    if province in _WITA_PROVINCES:
        return WITA
    return WIB


def zone_for_tenant(tenant: Tenant | None) -> ZoneInfo:
    """The cooperative's time zone, from the province of its village."""
    return zone_for_region(tenant.region_code if tenant is not None else None)


def now() -> datetime:
    """The current instant, aware UTC: the frozen one while a test holds the clock."""
    return _frozen_at if _frozen_at is not None else datetime.now(UTC)


def today(zone: ZoneInfo | None = None) -> date:
    """Today's date in ``zone``; by default in the zone of the request's cooperative (WIB on the
    platform site and outside a request)."""
    if zone is None:
        tenant = g.get("tenant") if has_app_context() else None
        zone = zone_for_tenant(tenant)
    return now().astimezone(zone).date()


def today_for(tenant: Tenant) -> date:
    """Today's date where ``tenant`` is (for jobs and commands, which have no request)."""
    return today(zone_for_tenant(tenant))


@contextmanager
def frozen(instant: datetime) -> Iterator[None]:
    """Hold the clock at ``instant`` (aware) until the block ends."""
    global _frozen_at  # noqa: PLW0603 - one process-wide clock, as the wall clock is
    if instant.tzinfo is None:
        raise ValueError("freeze the clock at an aware instant")
    previous, _frozen_at = _frozen_at, instant.astimezone(UTC)
    try:
        yield
    finally:
        _frozen_at = previous
