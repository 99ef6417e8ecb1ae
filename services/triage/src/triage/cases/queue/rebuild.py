"""`python -m triage.cases.queue.rebuild`: recreate the queue's read model, counters, reference alias and archive lists from the cases.

Reads MONGODB_URI and TRIAGE_DATABASE like the service. Run it with triage stopped: writes made during a
rebuild may be lost from the read model (the next write of each such case restores its entry).
"""

import asyncio
import sys
import time
from collections.abc import AsyncIterator

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from meldestelle_shared.mongo import create_client
from meldestelle_shared.settings import MongoSettings
from triage.cases.queue.view import TOTAL, Document, QueueView, archive_groups_of, entry_of, memberships_of
from triage.cases.repository import CaseRepository

_BATCH = 1000


async def rebuild_queue(cases: CaseRepository) -> int:
    """Replace the read model with one computed from every case; returns how many cases were read."""
    return await write_queue(cases.queue, cases.all_queue_sources(_BATCH))


async def write_queue(view: QueueView, sources: AsyncIterator[list[Document]]) -> int:
    """Compute the read model in memory from the cases' sources, then write it in batches, one write at a time."""
    entries: list[Document] = []
    aliases: list[Document] = []
    members: dict[str, list[str]] = {}
    groups: dict[str, list[tuple[object, str, str]]] = {}
    read = 0
    async for batch in sources:
        for case in batch:
            read += 1
            if (entry := entry_of(case)) is not None:
                entries.append(entry)
            aliases.append({"_id": case["reference"], "case_id": case["_id"]})
            for key in memberships_of(case):
                members.setdefault(key, []).append(case["_id"])
            for key in archive_groups_of(case):
                groups.setdefault(key, []).append((case["received_at"], case["reference"], case["_id"]))
    for collection in (view.open, view.counters, view.references, view.archive):
        await collection.delete_many({})
    await _insert(view.open, entries)
    await _insert(view.references, aliases)
    # In arrival order, as the live lists grow: by day, then by reference.
    await _insert(view.archive, [{"_id": key, "case_ids": [case_id for *_, case_id in sorted(rows)]} for key, rows in groups.items()])
    await _insert(view.counters, [{"_id": key, "ids": ids} for key, ids in members.items()] + [{"_id": TOTAL, "value": read}])
    return read


async def _insert(collection, documents: list[Document]) -> None:  # noqa: ANN001 - an AsyncCollection
    for start in range(0, len(documents), _BATCH):
        await collection.insert_many(documents[start : start + _BATCH], ordered=False)


class RebuildSettings(BaseSettings):
    """The part of triage's settings the rebuild needs: no secrets."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_")

    database: str = Field(default="triage", description="Database name on the MongoDB server.")
    mongodb: MongoSettings = Field(default_factory=MongoSettings.from_environment)


async def main() -> int:
    """Run the rebuild and print what it did."""
    settings = RebuildSettings()
    client = create_client(settings.mongodb, app_name="triage-queue-rebuild")
    try:
        started = time.perf_counter()
        read = await rebuild_queue(CaseRepository(client[settings.database]))
        print(f"rebuilt the queue's read model from {read} cases in {time.perf_counter() - started:.1f}s")
    finally:
        await client.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
