"""The office's day: all that is kept of when a resident did something.

An exact time could be matched against a proxy's or an employer's logs, so a resident's events carry
only the office's (Europe/Berlin) calendar date, written as midnight UTC of that date. That keeps the
field a datetime for every reader, sorts by day, and converting it back to Berlin time gives the very
same date (Berlin is always ahead of UTC), which is what the AGG deadline, the first-response reminder
and the monthly statistics count with.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

OFFICE_TIMEZONE = ZoneInfo("Europe/Berlin")


def office_date(moment: datetime | None = None) -> date:
    """The office's calendar date at `moment` (now by default)."""
    return (moment or datetime.now(UTC)).astimezone(OFFICE_TIMEZONE).date()


def office_day(moment: datetime | None = None) -> datetime:
    """The office's date at `moment` (now by default), as midnight UTC of that date."""
    return datetime.combine(office_date(moment), time(), UTC)
