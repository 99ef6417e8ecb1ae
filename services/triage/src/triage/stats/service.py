"""Keeping the figures current from case events, rebuilding them from the cases, and reading them."""

from collections.abc import Sequence
from dataclasses import dataclass

from meldestelle_shared.events import CaseClassified, CaseClosed, CaseCreated, CaseErased, CaseReopened, Event
from triage.stats.figures import MonthCounts, add_counts, contribution_of, count_members, month_counts
from triage.stats.repository import Placement, StatisticsRepository

# The events that can change what a case contributes; the others leave the figures alone.
FIGURE_EVENTS = (CaseCreated, CaseClassified, CaseClosed, CaseReopened, CaseErased)


async def apply_case_events(events: Sequence[Event], *, repository: StatisticsRepository) -> set[Placement]:
    """Bring the cases these events name up to date in the read model; returns the (month, bucket) pairs recounted.

    What a case contributes is derived from the case as it is now, and buckets hold each member's
    cells (set, never incremented) and are recounted from them. So applying an event twice, or
    late, changes nothing, and a crash between any two steps is healed by the redelivery.
    """
    case_ids = list(dict.fromkeys(str(e.case_id) for e in events if isinstance(e, FIGURE_EVENTS)))
    if not case_ids:
        return set()
    before = await repository.placements(case_ids)
    cases = await repository.cases_by_ids(case_ids)
    contributions = {case_id: contribution_of(case) for case_id, case in cases.items()}
    # Contributions first: they remember where a case sits, which an erasure's retry needs to find it.
    await repository.save_contributions(list(contributions.values()))
    await repository.tombstone([case_id for case_id in case_ids if case_id not in cases and case_id in before])
    changes: dict[Placement, dict[str, list[str] | None]] = {}
    for case_id in case_ids:
        if contribution := contributions.get(case_id):
            placement = (contribution["month"], contribution["bucket"])
            changes.setdefault(placement, {})[case_id] = contribution["cells"] if contribution["counted"] else None
        elif case_id in before:
            changes.setdefault(before[case_id], {})[case_id] = None
    for (month, bucket), members in sorted(changes.items()):
        await repository.set_members(month, bucket, members)
        await repository.recount_bucket(month, bucket)
    return set(changes)


async def current_counts(month: str, *, repository: StatisticsRepository) -> MonthCounts:
    """A month's unsuppressed figures from the maintained bucket counts: BUCKETS reads by id, whatever the case count."""
    sums: dict[str, int] = {}
    for bucket in await repository.month_buckets(month):
        add_counts(sums, bucket.get("counts", {}).items())
    return month_counts(month, sums)


async def exact_counts(month: str, *, repository: StatisticsRepository) -> MonthCounts:
    """A month's figures counted afresh from the buckets' members, not their stored counts (used for publication)."""
    sums: dict[str, int] = {}
    for bucket in await repository.month_buckets(month, members=True):
        add_counts(sums, count_members(bucket.get("members", {})).items())
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
    cases = 0
    async for batch in repository.all_cases(batch_size):
        contributions = [contribution_of(case) for case in batch]
        await repository.insert_contributions(contributions)
        cases += len(contributions)
        for doc in contributions:
            if doc["counted"]:
                buckets.setdefault((doc["month"], doc["bucket"]), {})[doc["_id"]] = doc["cells"]
    for (month, bucket), members in sorted(buckets.items()):
        await repository.write_bucket(month, bucket, members)
    return RebuildResult(cases=cases, months=len({month for month, _ in buckets}))
