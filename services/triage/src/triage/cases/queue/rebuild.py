"""`python -m triage.cases.queue.rebuild`: recreate the queue's read model (entries, counters, reference alias, archive
lists) from the cases. Repairs any drift of the counters (see `triage.cases.queue.view`) and folds the writer
instances' counter documents into one each.

Reads MONGODB_URI, TRIAGE_DATABASE and TRIAGE_QUEUE_DATABASE like the service. Run it with triage stopped: writes made
during a rebuild may be lost from the read model (the next write of each such case restores its entry).
"""

import asyncio
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from meldestelle_shared.mongo import create_client
from triage.cases.queue.archive import archive_groups_of, paged
from triage.cases.queue.counting import TOTAL, counter_id, membership_delta
from triage.cases.queue.view import CLOSED, Document, QueueView, entry_of, stamp_of
from triage.cases.repository import CaseRepository
from triage.settings import DatabaseSettings

_BATCH = 1000
REBUILT = "rebuild"  # the instance id the rebuilt counters are written under


async def rebuild_queue(cases: CaseRepository) -> int:
    """Replace the read model with one computed from every case; returns how many cases were read."""
    return await write_queue(cases.queue, cases.all_queue_sources(_BATCH))


async def write_queue(view: QueueView, sources: AsyncIterator[list[Document]]) -> int:
    """Compute the read model in memory from the cases' sources, then write it in batches, one write at a time."""
    entries: list[Document] = []
    aliases: dict[str, Document] = {}
    counts: Counter[str] = Counter()
    closed: list[tuple[Any, str, Document]] = []
    async for batch in sources:
        for case in batch:
            counts[TOTAL] += 1
            if (entry := entry_of(case)) is not None:
                entries.append(entry)
                counts.update(membership_delta(None, entry))
            elif case["status"] == CLOSED:
                closed.append((case.get("closed_at") or stamp_of(case), case["reference"], case))
            aliases[case["_id"]] = {"_id": case["reference"], "case_id": case["_id"], "stamp": stamp_of(case)}
    groups: dict[str, list[str]] = {}
    # In closing order, as the live lists grow.
    for *_, case in sorted(closed, key=lambda row: (row[0], row[1])):
        for group in archive_groups_of(case):
            groups.setdefault(group, []).append(case["_id"])
    heads, pages, places = paged(groups)
    for case_id, placed in places.items():
        aliases[case_id]["archived"] = placed
    for collection in (view.open, view.counters, view.references, view.archive.heads, view.archive.pages, view.log.changes, view.log.versions):
        await collection.delete_many({})
    await _insert(view.open, entries)
    await _insert(view.references, list(aliases.values()))
    await _insert(view.archive.heads, heads)
    await _insert(view.archive.pages, pages, batch=20)  # pages hold up to 500 ids each
    await _insert(view.counters, [{"_id": counter_id(key, REBUILT), "n": value} for key, value in counts.items() if value])
    return counts[TOTAL]


async def _insert(collection: Any, documents: list[Document], *, batch: int = _BATCH) -> None:
    for start in range(0, len(documents), batch):
        await collection.insert_many(documents[start : start + batch], ordered=False)


async def main() -> int:
    """Run the rebuild and print what it did."""
    settings = DatabaseSettings()
    client = create_client(settings.mongodb, app_name="triage-queue-rebuild")
    try:
        started = time.perf_counter()
        read = await rebuild_queue(CaseRepository(client[settings.database], client[settings.queue_database]))
        print(f"rebuilt the queue's read model from {read} cases in {time.perf_counter() - started:.1f}s")
    finally:
        await client.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
