"""How German law counts a period of months (§§ 187, 188, 193 BGB), and working days back from a date."""

import calendar
from datetime import date, timedelta

from triage.cases.workdays import is_working_day


def add_months(start: date, months: int) -> date:
    """The day with the same number `months` later, or that month's last day if it has none (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_working_day(day: date) -> date:
    """`day` itself if it is an NRW working day, else the next one (§ 193 BGB)."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def period_end(event_day: date, months: int) -> date:
    """The last day of a period of `months` that an event on `event_day` starts (§ 187(1), § 188(2)(3), § 193 BGB)."""
    return next_working_day(add_months(event_day, months))


def working_days_before(day: date, working_days: int) -> date:
    """The working day `working_days` NRW working days before `day` (weekends and public holidays are skipped)."""
    counted = 0
    while counted < working_days:
        day -= timedelta(days=1)
        counted += is_working_day(day)
    return day
