"""Opening cases from reports, and the triage rules applied to stored cases."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from meldestelle_shared.days import office_day
from meldestelle_shared.events import CaseCreated, CaseErased, Event, ReportAbandoned, ReportSubmitted
from meldestelle_shared.taxonomy import Form, LifeArea, Priority
from triage.cases.priority import PriorityDecision, assess_priority
from triage.cases.repository import CaseRepository

OFFICE_TIMEZONE = ZoneInfo("Europe/Berlin")
_CASE_IDS = UUID("0b5f8a52-3f0c-4f55-9b8e-2d7c1e6a4f10")
REPORTER_FIELDS = {"grounds", "forms", "life_area", "district", "reporter_role", "incident_date", "language"}

Publish = Callable[[Sequence[Event]], Awaitable[None]]
# The queue sorts by this: urgent first.
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


@dataclass(frozen=True)
class CaseRules:
    """The configurable parts of how a case is opened."""

    reference_prefix: str = "DU"
    deadline_months: int = 2
    near_days: int = 21


def case_id_for(report_id: UUID) -> str:
    """A report's case id, derived from it, so a redelivered report meets its case on the primary key."""
    return str(uuid5(_CASE_IDS, str(report_id)))


def format_reference(prefix: str, year: int, number: int) -> str:
    """A human-friendly case reference such as DU-2026-000123."""
    return f"{prefix}-{year}-{number:06d}"


def decide_priority(case: dict[str, Any], *, today: date, rules: CaseRules) -> PriorityDecision:
    """A stored case's priority as of `today`, from the effective forms and life area (staff's over the reporter's)."""
    effective = case["effective"]
    return assess_priority(
        forms=[Form(form) for form in effective["forms"]],
        life_area=LifeArea(effective["life_area"]) if effective.get("life_area") else None,
        incident_date=case["reporter"].get("incident_date"),
        today=today,
        deadline_months=rules.deadline_months,
        near_days=rules.near_days,
    )


def priority_fields(decision: PriorityDecision) -> dict[str, Any]:
    """The case fields a priority decision sets."""
    return {
        "priority": decision.priority.value,
        "priority_rank": PRIORITY_RANK[decision.priority],
        "priority_reason": decision.reason,
        "agg_deadline": decision.agg_deadline.isoformat() if decision.agg_deadline else None,
    }


def office_today() -> date:
    """Today's date at the office (Europe/Berlin)."""
    return datetime.now(OFFICE_TIMEZONE).date()


def new_case(event: ReportSubmitted, *, reference: str, rules: CaseRules) -> dict[str, Any]:
    """The case document for a report; sensitive fields stay sealed."""
    received_at = office_day(event.occurred_at)  # the day only, even from a producer that sent the exact time
    decision = assess_priority(
        forms=event.forms,
        life_area=event.life_area,
        incident_date=event.incident_date,
        today=received_at.astimezone(OFFICE_TIMEZONE).date(),
        deadline_months=rules.deadline_months,
        near_days=rules.near_days,
    )
    reporter = event.model_dump(mode="json", include=REPORTER_FIELDS)
    return {
        "_id": case_id_for(event.report_id),
        "report_id": str(event.report_id),
        "reference": reference,
        "status": "new",
        **priority_fields(decision),
        "received_at": received_at,
        "created_at": _now_to_the_millisecond(),
        "received_month": received_at.astimezone(OFFICE_TIMEZONE).strftime("%Y-%m"),
        # The reporter's perception, kept apart from any later staff classification.
        "reporter": reporter,
        "sealed_description": event.sealed_description,
        "sealed_contact": event.sealed_contact,
        # Office messages are sealed to this key; only the reporter's receipt opens them.
        "reporter_public_key": event.reporter_public_key,
        # Replies and erasure requests must be signed with the matching key, which only the receipt yields.
        "reporter_verify_key": event.reporter_verify_key,
        # What the office works with: the reporter's codes until staff classify the case.
        "effective": {"grounds": reporter["grounds"], "forms": reporter["forms"], "life_area": reporter["life_area"]},
        "classification": None,
        "assignee_id": None,
        "closure_reason": None,
        "closed_at": None,
        "retention_review": False,
        "timeline": [],
        "outbox": {},
        "duplicates": {},
    }


async def open_cases(
    events: Sequence[Event], *, repository: CaseRepository, publish: Publish, rules: CaseRules
) -> list[CaseCreated]:
    """Make one case per reported event (none twice) and announce each with CaseCreated.

    A report intake abandoned (its sender was told it was not saved) gets no case, or loses it.

    An event whose case already exists is announced again with the same event id: that
    heals a crash between storing and publishing, and consumers drop the repeat by id.
    A redelivered report spends a reference number it does not use, so references may have gaps.
    """
    abandoned = {e.report_id for e in events if isinstance(e, ReportAbandoned)}
    if abandoned:
        await _erase_abandoned(abandoned, repository=repository, publish=publish)
    reports = [e for e in {e.report_id: e for e in events if isinstance(e, ReportSubmitted)}.values() if e.report_id not in abandoned]
    if not reports:
        return []
    # Insert first and look up only the conflicts, by _id: FerretDB answers nothing else from an
    # index, and a lookup by report_id would scan every case on every batch.
    cases = await _with_references(reports, repository, rules)
    stored = {case["report_id"]: case for case in cases}
    for index in await repository.insert_reporting_conflicts(cases):
        existing = await repository.get(UUID(cases[index]["_id"]))  # redelivered: announce the stored case
        stored[existing["report_id"]] = existing
    announcements = [
        CaseCreated.for_case(
            case_id=UUID(case["_id"]),
            report_id=UUID(case["report_id"]),
            reference=case["reference"],
            priority=case["priority"],
            created_at=case["created_at"],
        )
        for case in (stored[str(e.report_id)] for e in reports)
    ]
    await publish(announcements)
    return announcements


async def _erase_abandoned(report_ids: set[UUID], *, repository: CaseRepository, publish: Publish) -> None:
    """Delete the cases of abandoned reports, announcing each erasure first so read models let go of it."""
    found = await repository.get_many([case_id_for(report_id) for report_id in report_ids])
    await publish(
        [
            CaseErased(correlation_id=UUID(c["report_id"]), case_id=UUID(c["_id"]), report_id=UUID(c["report_id"]), reason="abandoned")
            for c in found
        ]
    )
    await repository.delete_by_report_ids(report_ids)


async def _with_references(
    reports: Sequence[ReportSubmitted], repository: CaseRepository, rules: CaseRules
) -> list[dict[str, Any]]:
    by_year: dict[int, list[ReportSubmitted]] = {}
    for event in reports:
        by_year.setdefault(event.occurred_at.astimezone(OFFICE_TIMEZONE).year, []).append(event)
    cases = []
    for year, group in by_year.items():
        numbers = await repository.allocate_reference_numbers(f"{rules.reference_prefix}-{year}", len(group))
        for event, number in zip(group, numbers, strict=True):
            cases.append(new_case(event, reference=format_reference(rules.reference_prefix, year, number), rules=rules))
    return cases


def _now_to_the_millisecond() -> datetime:
    """Now, as precise as the database keeps it, so a re-announcement carries the very same time."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
