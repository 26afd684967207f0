"""The association's day (policy/local_day.py)."""

from datetime import date, datetime, timedelta, timezone

import pytest

from policy import local_day

# 22:30 UTC on 22 November is 01:30 on 23 November in Riyadh.
LATE_EVENING_UTC = datetime(2026, 11, 22, 22, 30)


def test_after_2100_utc_it_is_already_tomorrow_in_riyadh():
    assert local_day.local_date(LATE_EVENING_UTC) == date(2026, 11, 23)
    assert local_day.local_date(LATE_EVENING_UTC, "Asia/Riyadh") == date(2026, 11, 23)


def test_before_2100_utc_it_is_the_same_day():
    assert local_day.local_date(datetime(2026, 11, 22, 20, 59)) == date(2026, 11, 22)
    assert local_day.local_date(datetime(2026, 11, 22, 21, 0)) == date(2026, 11, 23)


def test_a_zone_set_for_the_association_is_used():
    assert local_day.local_date(LATE_EVENING_UTC, "Europe/London") == date(2026, 11, 22)
    assert local_day.local_date(datetime(2026, 11, 22, 12, 30), "Pacific/Kiritimati") == date(2026, 11, 23)


@pytest.mark.parametrize("name", [None, "", "Mars/Olympus_Mons", "../etc/passwd"])
def test_an_empty_or_unknown_zone_means_riyadh_not_utc(name):
    assert local_day.local_date(LATE_EVENING_UTC, name) == date(2026, 11, 23)


def test_an_aware_moment_is_converted_from_its_own_zone():
    evening_in_new_york = datetime(2026, 11, 22, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert local_day.local_date(evening_in_new_york) == date(2026, 11, 23)


def test_without_a_zone_database_riyadh_is_utc_plus_three(monkeypatch):
    def missing(name):
        raise local_day.ZoneInfoNotFoundError(name)

    monkeypatch.setattr(local_day, "ZoneInfo", missing)
    assert local_day.local_date(LATE_EVENING_UTC) == date(2026, 11, 23)
    assert local_day.local_date(datetime(2026, 11, 22, 20, 59)) == date(2026, 11, 22)


def test_a_date_is_not_a_moment():
    with pytest.raises(TypeError, match="datetime in UTC"):
        local_day.local_date(date(2026, 11, 22))


def test_a_day_ends_at_the_next_midnight_in_riyadh():
    assert local_day.end_of_day(date(2026, 12, 22)) == datetime(2026, 12, 22, 21, 0)
    assert local_day.local_date(local_day.end_of_day(date(2026, 12, 22)) - timedelta(seconds=1)) == date(2026, 12, 22)
    assert local_day.local_date(local_day.end_of_day(date(2026, 12, 22))) == date(2026, 12, 23)


def test_a_day_ends_at_the_next_midnight_in_the_association_s_zone():
    assert local_day.end_of_day(date(2026, 12, 22), "America/New_York") == datetime(2026, 12, 23, 5, 0)
    # the short night of the change to summer time: midnight is still midnight
    assert local_day.end_of_day(date(2027, 3, 13), "America/New_York") == datetime(2027, 3, 14, 5, 0)
    assert local_day.end_of_day(date(2027, 3, 14), "America/New_York") == datetime(2027, 3, 15, 4, 0)
