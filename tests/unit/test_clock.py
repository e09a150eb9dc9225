"""Business dates in the cooperative's own time zone, whatever the server's clock says."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from saas import clock


@pytest.mark.parametrize(
    ("region_code", "zone"),
    [
        ("32.02.01.2001", clock.WIB),  # Sukabumi, Jawa Barat
        ("61", clock.WIB),  # Kalimantan Barat
        ("51.03", clock.WITA),  # Bali
        ("73.71.01", clock.WITA),  # Makassar
        ("81.71", clock.WIT),  # Ambon, Maluku
        ("94.01", clock.WIT),  # Papua Tengah
        (None, clock.WIB),
        ("", clock.WIB),
    ],
)
def test_a_village_keeps_the_time_of_its_province(region_code, zone):
    assert clock.zone_for_region(region_code) == zone


def test_half_past_midnight_on_the_first_is_the_first_although_utc_is_still_on_the_last():
    instant = datetime(2027, 1, 1, 0, 30, tzinfo=clock.WIB)
    with clock.frozen(instant):
        assert clock.now().date() == date(2026, 12, 31)  # the server's UTC day
        assert clock.today(clock.WIB) == date(2027, 1, 1)
        assert clock.today(clock.WITA) == date(2027, 1, 1)


def test_the_east_starts_its_day_two_hours_before_the_west():
    instant = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)  # 05:30 WIT, 04:30 WIB on 1 Dec
    with clock.frozen(instant):
        assert clock.today(clock.WIT) == date(2026, 12, 1)
        assert clock.today(clock.WIB) == date(2026, 12, 1)
    with clock.frozen(datetime(2026, 11, 30, 16, 30, tzinfo=UTC)):  # 23:30 WIB, 01:30 WIT
        assert clock.today(clock.WIB) == date(2026, 11, 30)
        assert clock.today(clock.WIT) == date(2026, 12, 1)


def test_a_frozen_clock_is_given_back_when_the_block_ends():
    outer = clock.now()
    with clock.frozen(datetime(2030, 6, 1, tzinfo=UTC)):
        assert clock.now() == datetime(2030, 6, 1, tzinfo=UTC)
    assert clock.now() == outer or clock.now() > outer


def test_the_clock_refuses_a_naive_instant():
    with pytest.raises(ValueError, match="aware"), clock.frozen(datetime(2026, 1, 1)):  # noqa: DTZ001
        pass
