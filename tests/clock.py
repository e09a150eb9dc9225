"""The instant the whole test run takes as "now", and the test cooperatives' "today".

Set GUYUB_TEST_NOW to run the suite at another instant (a month's last evening, a year's end,
00:30 WIB on the 1st, when UTC is still on the day before): no test may depend on the calendar
the machine shows. The conftest holds saas.clock at this instant for the whole run.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta

from saas import clock

DEFAULT_NOW = "2026-12-15T10:00:00+07:00"


def frozen_instant() -> datetime:
    """GUYUB_TEST_NOW (with its UTC offset), or the default instant."""
    instant = datetime.fromisoformat(os.environ.get("GUYUB_TEST_NOW") or DEFAULT_NOW)
    if instant.tzinfo is None:
        raise ValueError("GUYUB_TEST_NOW needs a UTC offset, e.g. 2027-01-01T00:30+07:00")
    return instant


NOW = frozen_instant()
TODAY: date = NOW.astimezone(clock.WIB).date()  # both test cooperatives keep WIB
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH_END = THIS_MONTH - timedelta(days=1)
LAST_MONTH = LAST_MONTH_END.replace(day=1)


def month_value(day: date) -> str:
    """The ``YYYY-MM`` form value of the month of ``day``."""
    return f"{day.year}-{day.month:02d}"
