"""What a template sees: the case's reference, dates and classification labels, the office's data and the caseworker's text.

Only plain strings, lists and dicts, so the sandboxed template reaches nothing else.
"""

from dataclasses import dataclass
from datetime import date

from meldestelle_shared.days import in_office_time
from meldestelle_shared.taxonomy import label
from triage.cases.deadlines import DeadlinePeriods, agg_claim_deadline
from triage.cases.model import Case
from triage.letters.settings import LetterSettings

_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember")


@dataclass(frozen=True)
class LetterInput:
    """What the caseworker gives a letter: the recipient's address, their own text and, for a statement request, the reply date."""

    text: str = ""
    recipient: str = ""
    reply_by: date | None = None


def template_fields(
    case: Case, given: LetterInput, *, language: str, today: date, office: LetterSettings, periods: DeadlinePeriods
) -> dict[str, object]:
    """The fields a template renders with, for this case and input."""
    codes = case.effective
    agg = agg_claim_deadline(case.deadline_facts(), periods)
    return {
        "reference": case.reference,
        "today": long_date(today),
        "received_on": long_date(in_office_time(case.received_at).date()),
        "incident_date": _incident(case.reporter.incident_date),
        "reply_by": long_date(given.reply_by) if given.reply_by else "",
        "agg_deadline": long_date(agg.due) if agg is not None and not agg.estimated else "",
        "grounds": [label(code, language) for code in codes.grounds],
        "forms": [label(code, language) for code in codes.forms],
        "life_area": label(codes.life_area, language) if codes.life_area else "",
        "office": office_fields(office),
        "text": given.text,
        "recipient": given.recipient,
    }


def sample_fields(office: LetterSettings) -> dict[str, object]:
    """Fields with every name set, for trying out an edited template before it is stored."""
    return {
        "reference": "DU-2026-000001", "today": "1. Dezember 2026", "received_on": "2. November 2026", "incident_date": "30. Oktober 2026",
        "reply_by": "15. Dezember 2026", "agg_deadline": "30. Dezember 2026", "grounds": ["Lebensalter"], "forms": ["Belästigung"],
        "life_area": "Wohnen", "office": office_fields(office), "text": "Freitext", "recipient": "Firma Beispiel",
    }  # fmt: skip


def office_fields(office: LetterSettings) -> dict[str, object]:
    """The office's data from the settings."""
    return {
        "name": office.office_name, "address": office.address_lines(), "phone": office.office_phone,
        "email": office.office_email, "city": office.office_city,
    }  # fmt: skip


def long_date(day: date) -> str:
    """A date as a German letter writes it: 1. Dezember 2026."""
    return f"{day.day}. {_MONTHS[day.month - 1]} {day.year}"


def _incident(answer: str | None) -> str:
    if not answer:
        return ""
    year, month, *day = (int(part) for part in answer.split("-"))
    return long_date(date(year, month, day[0])) if day else f"{_MONTHS[month - 1]} {year}"
