"""Keeping the figures current from case events, rebuilding them from the cases, and reading them."""

from collections.abc import Sequence
from dataclasses import dataclass

from meldestelle_shared.events import CaseClassified, CaseClosed, CaseCreated, CaseErased, CaseReopened, Event
from triage.audit.log import Actor, AuditLog
from triage.stats.figures import MonthCounts, add_counts, contribution_of, month_counts
from triage.stats.repository import Placement, StatisticsRepository

# The events that can change what a case contributes; the others leave the figures alone.
FIGURE_EVENTS = (CaseCreated, CaseClassified, CaseClosed, CaseReopened, CaseErased)
# Cases read by `_id` at once when publication checks a month's members against their cases.
RECHECK_BATCH = 200


async def apply_case_events(events: Sequence[Event], *, repository: StatisticsRepository) -> set[Placement]:
    """Bring the cases these events name up to date in the read model; returns the (month, bucket) pairs recounted.

    What a case contributes is read through the cases' port as the case is now (the events only name the case), and buckets hold each member's
    cells (set, never incremented) and are recounted from them in the same write. So applying an event twice, or
    late, changes nothing, and a crash between any two steps is healed by the redelivery.
    """
    case_ids = list(dict.fromkeys(str(e.case_id) for e in events if isinstance(e, FIGURE_EVENTS)))
    if not case_ids:
        return set()
    before = await repository.placements(case_ids)
    # Erasure is final, and triage announces it before deleting the case: an erased case stays out even
    # if its document is still there when the event arrives.
    erased = {str(e.case_id) for e in events if isinstance(e, CaseErased)}
    erased |= {case_id for case_id, (_, tombstone) in before.items() if tombstone}
    cases = await repository.cases.figures_by_ids(case_id for case_id in case_ids if case_id not in erased)
    contributions = {case_id: contribution_of(figures) for case_id, figures in cases.items()}
    # Contributions first: they remember where a case sits, which an erasure's retry needs to find it.
    await repository.save_contributions(list(contributions.values()))
    await repository.tombstone([case_id for case_id in case_ids if case_id not in cases and case_id in before])
    changes: dict[Placement, dict[str, list[str] | None]] = {}
    for case_id in case_ids:
        if contribution := contributions.get(case_id):
            placement = (contribution["month"], contribution["bucket"])
            changes.setdefault(placement, {})[case_id] = contribution["cells"] if contribution["counted"] else None
        elif case_id in before:
            changes.setdefault(before[case_id][0], {})[case_id] = None
    await repository.update_buckets(changes)
    return set(changes)


async def current_counts(month: str, *, repository: StatisticsRepository) -> MonthCounts:
    """A month's unsuppressed figures from the maintained counts: one small document, whatever the case count."""
    sums: dict[str, int] = {}
    for counts in await repository.bucket_counts(month):
        add_counts(sums, counts.items())
    return month_counts(month, sums)


async def month_for_staff(
    month: str, *, reader: Actor, repository: StatisticsRepository, audit: AuditLog
) -> tuple[list[str], MonthCounts | None]:
    """The months with figures and the chosen month's unsuppressed counts (the latest unless another is chosen); audited."""
    months = await repository.months()
    chosen = month if month in months else (months[-1] if months else "")
    figures = await current_counts(chosen, repository=repository) if chosen else None
    await audit.append(reader, "statistics.view", reason=f"month:{chosen}" if chosen else None)
    return months, figures


async def exact_counts(month: str, *, repository: StatisticsRepository) -> MonthCounts:
    """A month's figures for publication: its buckets' members, each counted as its case is now (read by `_id`).

    Not the stored counts, and not the members' cells as last recorded: a case that staff closed as spam or
    duplicate (or that was erased) counts no more even while its event still waits in the outbox or the
    consumer is behind, so a report known to be injected is never published. A case that counts again
    (reopened) is added by its event; until then the month is published without it, never with too much.
    """
    ids = [case_id for members in await repository.bucket_members(month) for case_id in members]
    sums: dict[str, int] = {}
    for start in range(0, len(ids), RECHECK_BATCH):
        cases = await repository.cases.figures_by_ids(ids[start : start + RECHECK_BATCH])
        for figures in cases.values():
            contribution = contribution_of(figures)
            if contribution["counted"] and contribution["month"] == month:
                add_counts(sums, ((key, 1) for key in contribution["cells"]))
    return month_counts(month, sums)


@dataclass(frozen=True)
class RebuildResult:
    """What a rebuild did."""

    cases: int
    months: int


async def rebuild(*, repository: StatisticsRepository, batch_size: int = 5000) -> RebuildResult:
    """Recompute every contribution and bucket from the cases with the same function the event consumer uses."""
    await repository.clear()
    buckets: dict[Placement, dict[str, list[str]]] = {}
    months: set[str] = set()
    cases = 0
    async for batch in repository.cases.all_figures(batch_size):
        contributions = [contribution_of(figures) for figures in batch]
        await repository.insert_contributions(contributions)
        cases += len(contributions)
        for doc in contributions:
            months.add(doc["month"])
            if doc["counted"]:
                buckets.setdefault((doc["month"], doc["bucket"]), {})[doc["_id"]] = doc["cells"]
    await repository.insert_rebuilt(buckets, months)
    return RebuildResult(cases=cases, months=len(months))
