"""Dates and times as the office reads them: in its time zone (OFFICE_TIMEZONE), in the page's language, with the zone named."""

from datetime import date, datetime

from meldestelle_shared.days import in_office_time

# German readers know the zones as MEZ/MESZ; English keeps CET/CEST.
_ZONE_NAMES = {"de": {"CET": "MEZ", "CEST": "MESZ"}}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(day: date | datetime, language: str) -> str:
    """01.12.2026 in German, 1 Dec 2026 in English; a moment counts by its office date."""
    if isinstance(day, datetime):
        day = in_office_time(day).date()
    if language == "de":
        return f"{day:%d.%m.%Y}"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def format_moment(moment: datetime, language: str, *, seconds: bool = False) -> str:
    """01.12.2026 16:27 MEZ in German, 1 Dec 2026 16:27 CET in English: office time, zone named."""
    local = in_office_time(moment)
    zone = str(local.tzname())
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{format_date(local.date(), language)} {clock} {_ZONE_NAMES.get(language, {}).get(zone, zone)}"


def format_reported_date(text: str | None, language: str) -> str:
    """A reporter's incident date, YYYY-MM-DD or just YYYY-MM, in the page's format."""
    if not text:
        return "–"
    year, month, *rest = (int(part) for part in text.split("-"))
    if rest:
        return format_date(date(year, month, rest[0]), language)
    return f"{month:02d}.{year}" if language == "de" else f"{_MONTHS_EN[month - 1]} {year}"


def iso_moment(moment: datetime) -> str:
    """The machine-readable form for `<time datetime>`, with the office's offset."""
    return in_office_time(moment).isoformat(timespec="seconds")
