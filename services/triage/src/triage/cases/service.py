"""Opening cases from reports: one case per report, announced with CaseCreated."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from uuid import UUID

from meldestelle_shared.events import CaseCreated, Event, ReportAbandoned, ReportSubmitted
from meldestelle_shared.days import in_office_time
from triage.cases.model import Case, CaseRules, case_id_for
from triage.cases.repository import CaseRepository

Publish = Callable[[Sequence[Event]], Awaitable[None]]

# How often a report may draw a new reference after another instance took its number.
_REFERENCE_ATTEMPTS = 10

__all__ = ["Case", "CaseRules", "Publish", "case_id_for", "format_reference", "new_case", "open_cases"]


def format_reference(prefix: str, year: int, number: int) -> str:
    """A human-friendly case reference such as DU-2026-000123."""
    return f"{prefix}-{year}-{number:06d}"


def new_case(event: ReportSubmitted, *, reference: str, rules: CaseRules) -> Case:
    """The case for a report; sensitive fields stay sealed."""
    return Case.open(event, reference=reference, rules=rules, created_at=_now_to_the_millisecond())


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
    stored = await _store_cases(reports, repository, rules)
    announcements = [stored[str(e.report_id)].announcement() for e in reports]
    await publish(announcements)
    return announcements


async def _store_cases(reports: Sequence[ReportSubmitted], repository: CaseRepository, rules: CaseRules) -> dict[str, Case]:
    """Insert a case per report and return each report's stored case (the existing one for a redelivered report).

    Insert first and look up only the conflicts, by _id: FerretDB answers nothing else from an index, and a
    lookup by report_id would scan every case on every batch. A conflict whose case does not exist lost its
    reference to another triage instance: FerretDB 1.24 does not isolate concurrent `$inc`s of the counter,
    so two instances can draw the same number. Such cases draw new numbers and are inserted again.
    """
    stored: dict[str, Case] = {}
    pending = list(reports)
    for _ in range(_REFERENCE_ATTEMPTS):
        cases = await _with_references(pending, repository, rules)
        conflicts = set(await repository.insert_reporting_conflicts(cases))
        stored |= {case.report_id: case for index, case in enumerate(cases) if index not in conflicts}
        lost_reference = []
        for index in conflicts:
            existing = await repository.get(UUID(cases[index].id))
            if existing is not None:  # redelivered: announce the stored case
                stored[existing.report_id] = existing
            else:
                lost_reference.append(cases[index].report_id)
        pending = [event for event in pending if str(event.report_id) in lost_reference]
        if not pending:
            return stored
    raise RuntimeError(f"no free case reference after {_REFERENCE_ATTEMPTS} attempts")


async def _erase_abandoned(report_ids: set[UUID], *, repository: CaseRepository, publish: Publish) -> None:
    """Delete the cases of abandoned reports, announcing each erasure first so read models let go of it."""
    found = await repository.get_many([case_id_for(report_id) for report_id in report_ids])
    await publish([case.erasure("abandoned", repeatable=False) for case in found])
    await repository.delete_by_report_ids(report_ids)


async def _with_references(
    reports: Sequence[ReportSubmitted], repository: CaseRepository, rules: CaseRules
) -> list[Case]:
    by_year: dict[int, list[ReportSubmitted]] = {}
    for event in reports:
        by_year.setdefault(in_office_time(event.occurred_at).year, []).append(event)
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
