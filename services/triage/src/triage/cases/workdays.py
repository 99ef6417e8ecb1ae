"""Working days in North Rhine-Westphalia: weekdays that are not public holidays."""

from datetime import date, timedelta
from functools import cache


def easter_sunday(year: int) -> date:
    """Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def nrw_holidays(year: int) -> frozenset[date]:
    """NRW's public holidays: the nine national ones plus Corpus Christi and All Saints' Day."""
    easter = easter_sunday(year)
    movable = [easter + timedelta(days=offset) for offset in (-2, 1, 39, 50, 60)]  # Good Fri .. Corpus Christi
    fixed = [date(year, 1, 1), date(year, 5, 1), date(year, 10, 3), date(year, 11, 1), date(year, 12, 25), date(year, 12, 26)]
    return frozenset(movable + fixed)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an NRW public holiday."""
    return day.weekday() < 5 and day not in nrw_holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end is not after start)."""
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count
