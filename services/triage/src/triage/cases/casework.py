"""What a case contributes to the annual report beyond the monthly figures: its level, consultations, interventions, referrals.

Years are the office's: a case counts its level in the year it was received, each consultation in the year it was
held, each intervention in the year it started, each referral in the year it was made.
"""

from dataclasses import dataclass

from triage.cases.model import Case
from triage.cases.values import EXCLUDING_CLOSURES


@dataclass(frozen=True)
class Consultation:
    """One logged contact: its year, channel and minutes (never its note)."""

    year: str
    channel: str
    minutes: int


@dataclass(frozen=True)
class InterventionFact:
    """One intervention: its year, kind and outcome."""

    year: str
    kind: str
    outcome: str


@dataclass(frozen=True)
class ReferralFact:
    """One referral: its year and whether the service took it up (None: not yet known)."""

    year: str
    taken_up: bool | None


@dataclass(frozen=True)
class CaseWork:
    """A case's casework as the annual report counts it; a case closed as spam, duplicate or out of scope counts nothing."""

    case_id: str
    counted: bool
    year: str
    level: str | None
    consultations: tuple[Consultation, ...]
    interventions: tuple[InterventionFact, ...]
    referrals: tuple[ReferralFact, ...]


def casework_of(case: Case) -> CaseWork:
    """A case's casework, from the case (consultations are the timeline's consultation entries)."""
    consultations = tuple(
        Consultation(str(entry.details["held_on"])[:4], str(entry.details["channel"]), int(entry.details["minutes"]))  # type: ignore[call-overload]
        for entry in case.timeline
        if entry.kind == "consultation"
    )
    return CaseWork(
        case_id=case.id,
        counted=case.closure_reason not in EXCLUDING_CLOSURES,
        year=case.received_month[:4],
        level=case.documentation.level if case.documentation else None,
        consultations=consultations,
        interventions=tuple(InterventionFact(str(i.started_on.year), str(i.kind), str(i.outcome)) for i in case.interventions.values()),
        referrals=tuple(ReferralFact(str(r.referred_on.year), r.taken_up) for r in case.referrals.values()),
    )
