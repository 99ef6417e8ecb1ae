"""Field types with their validation rules, used by request schemas and events alike."""

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

_INCIDENT_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
# A pragmatic BCP 47 shape: language, optional script, region and variants (e.g. de, de-DE, de-x-simple).
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def check_incident_date(value: str, *, today: date | None = None) -> str:
    """Accept YYYY-MM-DD or YYYY-MM that is a real date and not in the future."""
    match = _INCIDENT_DATE.match(value)
    if not match:
        raise ValueError("must be YYYY-MM-DD or YYYY-MM")
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise ValueError("is not a calendar date") from None
    today = today or date.today()
    if (parsed > today) if match[3] else ((year, month) > (today.year, today.month)):
        raise ValueError("must not be in the future")
    if year < 1900:
        raise ValueError("is too far in the past")
    return value


def check_language_tag(value: str) -> str:
    """Accept a BCP 47 language tag."""
    if not _LANGUAGE_TAG.match(value):
        raise ValueError("must be a BCP 47 language tag such as de or ar")
    return value


IncidentDate = Annotated[str, AfterValidator(check_incident_date)]
LanguageTag = Annotated[str, StringConstraints(max_length=35), AfterValidator(check_language_tag)]
