"""Working days in NRW and the first-response deadline built on them."""

from datetime import UTC, date, datetime

import pytest

from triage.cases.jobs import first_response_due
from triage.cases.workdays import easter_sunday, is_working_day, nrw_holidays, working_days_between


def test_nrw_holidays_2026():
    assert nrw_holidays(2026) == {
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 14), date(2026, 5, 25),
        date(2026, 6, 4), date(2026, 10, 3), date(2026, 11, 1), date(2026, 12, 25), date(2026, 12, 26),
    }  # fmt: skip


@pytest.mark.parametrize(("year", "easter"), [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2027, date(2027, 3, 28))])
def test_easter(year, easter):
    assert easter_sunday(year) == easter


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 3, 2), date(2026, 3, 5), 3),  # Monday to Thursday
        (date(2026, 3, 6), date(2026, 3, 11), 3),  # Friday to Wednesday: the weekend does not count
        (date(2026, 4, 2), date(2026, 4, 8), 2),  # Good Friday and Easter Monday do not count
        (date(2026, 6, 3), date(2026, 6, 5), 1),  # Corpus Christi is a holiday in NRW
        (date(2026, 3, 5), date(2026, 3, 5), 0),
        (date(2026, 3, 5), date(2026, 3, 1), 0),
    ],
)
def test_working_days_between(start, end, days):
    assert working_days_between(start, end) == days


def test_weekends_and_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 3, 7)) and not is_working_day(date(2026, 5, 14))  # Saturday; Ascension
    assert is_working_day(date(2026, 3, 9))


def test_first_response_due_skips_weekend_and_holidays():
    # Received on the Thursday before Easter 2026: Fri and Mon are holidays, so 3 working days end on Thursday 9 April.
    assert first_response_due(datetime(2026, 4, 2, 10, tzinfo=UTC), 3) == date(2026, 4, 9)
