"""What a case contributes to the annual report beyond the monthly figures: its level, consultations, interventions, referrals.

Years are the office's: a case counts its level in the year it was received, each consultation in the year it was
held, each intervention in the year it started, each referral in the year it was made.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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


# What a case's casework is read from: never its sealed texts (the timeline's sealed notes are never opened here).
CASEWORK_PROJECTION = {"received_month": 1, "closure_reason": 1, "documentation": 1, "interventions": 1, "referrals": 1, "timeline": 1}


def casework_from_document(doc: Mapping[str, Any]) -> CaseWork:
    """A case's casework from its stored fields (see `CASEWORK_PROJECTION`); consultations are the timeline's consultation entries."""
    consultations = tuple(
        Consultation(str(entry["held_on"])[:4], str(entry["channel"]), int(entry["minutes"]))
        for entry in doc.get("timeline") or ()
        if entry.get("kind") == "consultation"
    )
    return CaseWork(
        case_id=doc["_id"],
        counted=doc.get("closure_reason") not in EXCLUDING_CLOSURES,
        year=str(doc["received_month"])[:4],
        level=(doc.get("documentation") or {}).get("level"),
        consultations=consultations,
        interventions=tuple(
            InterventionFact(str(i["started_on"])[:4], str(i["kind"]), str(i["outcome"])) for i in (doc.get("interventions") or {}).values()
        ),
        referrals=tuple(ReferralFact(str(r["referred_on"])[:4], r.get("taken_up")) for r in (doc.get("referrals") or {}).values()),
    )
