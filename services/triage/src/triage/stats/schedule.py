"""When a month may be published: only closed months, a configurable number of days after they end."""

from datetime import date


def month_of(day: date) -> str:
    """The YYYY-MM of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def next_month(month: str) -> str:
    """The month after a YYYY-MM month."""
    year, number = (int(part) for part in month.split("-"))
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def previous_month(month: str) -> str:
    """The month before a YYYY-MM month."""
    year, number = (int(part) for part in month.split("-"))
    return f"{year - (number == 1):04d}-{(number - 2) % 12 + 1:02d}"


def last_due_month(today: date, *, publish_day: int) -> str:
    """The newest month that may be published on `today` (office time): month M is due on day `publish_day` of M+1."""
    current = month_of(today)
    closed = previous_month(current)
    return closed if today.day >= publish_day else previous_month(closed)


def due_months(today: date, *, publish_day: int, first_month: str | None, published: set[str]) -> list[str]:
    """Every month from the first one with reports up to the last due one that is not yet published, oldest first."""
    if first_month is None:
        return []
    last = last_due_month(today, publish_day=publish_day)
    months, month = [], first_month
    while month <= last:
        if month not in published:
            months.append(month)
        month = next_month(month)
    return months
