"""The values a case is made of: codes, the reporter's answers, timeline entries, duplicate hints, statistics figures."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from meldestelle_shared.taxonomy import ClosureReason

# A report closed for one of these reasons was not a discrimination report the office received.
EXCLUDING_CLOSURES = frozenset({ClosureReason.SPAM, ClosureReason.DUPLICATE, ClosureReason.OUT_OF_SCOPE})


@dataclass(frozen=True)
class Codes:
    """Grounds, forms and life area: what the reporter answered, or what staff classified."""

    grounds: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    life_area: str | None = None


@dataclass(frozen=True)
class ReporterAnswers:
    """The reporter's own answers: their perception, never overwritten."""

    codes: Codes
    district: str | None = None
    reporter_role: str | None = None
    incident_date: str | None = None
    language: str | None = None
    wishes: tuple[str, ...] = ()  # what they want the office to do; empty when the form did not ask
    referral_consent: bool = False  # the case may go, without contact data, to a counselling service


def effective_codes(reporter: ReporterAnswers, classification: Codes | None) -> Codes:
    """What the office works and counts with: staff's classification wins over the reporter's answers."""
    return classification if classification is not None else reporter.codes


@dataclass(frozen=True)
class CaseFigures:
    """What one case contributes to the monthly statistics: its month, whether it counts, and its codes."""

    case_id: str
    month: str
    counted: bool
    source: str  # "staff" or "reporter": whose grounds, forms and life area are counted
    answers: Mapping[str, Sequence[str] | str | None]


def figures_of(case_id: str, month: str, reporter: ReporterAnswers, classification: Codes | None, closure_reason: str | None) -> CaseFigures:
    """A case's statistics contribution; spam, duplicates and out-of-scope reports do not count."""
    codes = effective_codes(reporter, classification)
    return CaseFigures(
        case_id=case_id,
        month=month,
        counted=closure_reason not in EXCLUDING_CLOSURES,
        source="staff" if classification is not None else "reporter",
        answers={
            "grounds": codes.grounds, "forms": codes.forms, "life_area": codes.life_area,
            "district": reporter.district, "reporter_role": reporter.reporter_role,
        },
    )  # fmt: skip


@dataclass(frozen=True)
class TimelineEntry:
    """Something that happened to a case; messages and notes carry their text sealed to the office."""

    id: str
    kind: str
    at: datetime
    actor_id: str | None
    details: Mapping[str, object] = field(default_factory=dict)
    sealed_text: str | None = None


@dataclass(frozen=True)
class DuplicateHint:
    """Another case that may report the same incident, and what staff decided about it."""

    case_id: str
    reference: str
    score: float
    state: str = "suggested"


@dataclass(frozen=True)
class Documentation:
    """Staff's documentation after the ADS/DeZIM minimum standards, beside the classification."""

    level: str | None = None
    consequences: tuple[str, ...] = ()
    other_side: str | None = None  # a category only, never a name
    source: str | None = None  # how the office learned of the case


@dataclass(frozen=True)
class Intervention:
    """Something the office did about a case, with its outcome and due date (a statement request's reply date)."""

    id: str
    kind: str
    started_on: date
    outcome: str
    due_on: date | None = None


@dataclass(frozen=True)
class Referral:
    """A referral to a counselling service: what was passed on, and whether the service took it up (None: not yet known)."""

    id: str
    service_id: str
    referred_on: date
    passed_on: tuple[str, ...]
    taken_up: bool | None = None
