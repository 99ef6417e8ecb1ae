"""The office's day: all that is kept of when a resident did something.

An exact time could be matched against a proxy's or an employer's logs, so a resident's events carry
only the office's calendar date (OFFICE_TIMEZONE, Europe/Berlin by default), written as midnight UTC
of that date. That keeps the field a datetime for every reader, sorts by day, and converting it back
to the office's time gives the very same date as long as the office is not behind UTC (the setting
refuses zones that are), which is what the AGG deadline, the first-response reminder and the monthly
statistics count with.
"""

from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo


@cache
def office_timezone() -> ZoneInfo:
    """The office's time zone, read once per process from OfficeSettings (OFFICE_TIMEZONE)."""
    from meldestelle_shared.settings import OfficeSettings  # settings import this module's helpers

    return OfficeSettings().timezone


def in_office_time(moment: datetime, zone: ZoneInfo | None = None) -> datetime:
    """A moment in the office's time zone; a moment without a time zone is UTC, as the database gives it."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone or office_timezone())


def office_date(moment: datetime | None = None, zone: ZoneInfo | None = None) -> date:
    """The office's calendar date at `moment` (now by default)."""
    return in_office_time(moment or datetime.now(UTC), zone).date()


def office_day(moment: datetime | None = None) -> datetime:
    """The office's date at `moment` (now by default), as midnight UTC of that date."""
    return datetime.combine(office_date(moment), time(), UTC)
