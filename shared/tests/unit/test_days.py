"""A resident's event keeps only the office's day, and reading it back gives the same day."""

from datetime import UTC, date, datetime

import pytest

from meldestelle_shared.days import in_office_time, office_date, office_day


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2027, 1, 1)),  # already New Year in Berlin
        (datetime(2026, 7, 14, 21, 59, 59, 999999, tzinfo=UTC), date(2026, 7, 14)),  # summer time: 23:59 in Berlin
        (datetime(2026, 7, 14, 22, 0, tzinfo=UTC), date(2026, 7, 15)),
        (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), date(2026, 3, 29)),  # the night the clocks go forward
    ],
)
def test_the_day_is_the_offices_and_survives_a_round_trip(moment, day):
    stored = office_day(moment)
    assert stored == datetime(day.year, day.month, day.day, tzinfo=UTC)
    assert office_date(moment) == day and in_office_time(stored).date() == day
    assert (stored.hour, stored.minute, stored.second, stored.microsecond) == (0, 0, 0, 0)
