"""The queue's read model: open cases with the few fields a queue row shows, integer counters, a reference alias
and the archive's paged lists. It lives in a database of its own (`Settings.queue_database`).

FerretDB answers a filter, a sort or a count only by scanning (INFRA.md), so the queue reads the open cases
(thousands), never the archive, and each process holds them in memory, kept current through the writers' change
logs (`cache.py`). Each write of a case replaces its entry with the case's stored state and returns the entry as it
was, atomically; the counters change by the difference, so a repeated refresh adds nothing, and a stale one (an
older `stamp`) is refused. Residual drift: a crash between an entry's write and its counters' `$inc` leaves the
counters off by that case until `python -m triage.cases.queue.rebuild` (the entry itself is healed by the case's
next write or redelivery, and other processes' copies by their next scan, at most `cache.RELOAD_AFTER` later).
"""

import asyncio
import os
import socket
from collections import Counter
from collections.abc import Iterable
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from meldestelle_shared.mongo import find_by_ids, insert_new
from triage.cases.queue.archive import ArchivePages, archive_groups_of
from triage.cases.queue.cache import ChangeLog, OpenEntries
from triage.cases.queue.counting import TOTAL, counter_id, membership_delta, per_assignee, queue_counts, summed
from triage.cases.queue.filters import matches

Document = dict[str, Any]

# What a queue row, its filters and its sort orders need (read back as a `Case` without texts or timeline). Each
# process holds these in memory (`cache.py`), so a page is answered without reading the cases.
ENTRY_FIELDS = (
    "report_id", "reference", "status", "priority", "priority_rank", "priority_reason", "agg_deadline", "received_at",
    "received_month", "reporter", "effective", "classification", "assignee_id", "retention_review", "unread_replies", "reply_waiting",
)  # fmt: skip
# The case fields the read model is built from: a case read for it never carries sealed texts or the timeline.
SOURCE_PROJECTION = {name: 1 for name in (*ENTRY_FIELDS, "closed_at", "updated_at", "created_at")}
CLOSED = "closed"


def stamp_of(case: Document) -> Any:
    """When a case's stored state was last changed by a change (created_at before any): orders refreshes of one case."""
    return case.get("updated_at") or case.get("created_at")


def entry_of(case: Document) -> Document | None:
    """A case's queue entry, or None for a closed case (closed cases leave the queue)."""
    if case["status"] == CLOSED:
        return None
    return {"_id": case["_id"], "stamp": stamp_of(case), **{name: case.get(name) for name in ENTRY_FIELDS}}


def sorted_by(entries: list[Document], sort: list[tuple[str, int]]) -> list[Document]:
    """Entries in a queue sort order (field, 1 or -1 per key); a missing value sorts first, as in MongoDB."""
    for field, direction in reversed(sort):  # stable sorts, least significant key first
        entries.sort(key=lambda doc: (doc.get(field) is not None, doc.get(field)), reverse=direction < 0)
    return entries


def default_instance() -> str:
    """This process's writer id: host and process, so two triage processes never share a counter document."""
    return f"{socket.gethostname()}-{os.getpid()}".replace("|", "-")


class QueueView:
    """The open entries (`queue_open`), the counters (`queue_counters`), the alias (`case_references`) and the archive lists."""

    def __init__(self, database: AsyncDatabase, *, instance: str | None = None) -> None:
        self.open = database["queue_open"]
        self.counters = database["queue_counters"]
        self.references = database["case_references"]
        self.archive = ArchivePages(database)
        self.log = ChangeLog(database, instance or default_instance())
        self.cached = OpenEntries(self.open, self.log)
        # One writer at a time per process: FerretDB loses concurrent updates of one document, and concurrent
        # writes can deadlock its connection pool.
        self._lock = asyncio.Lock()

    @property
    def instance(self) -> str:
        """This writer's id in the counters' and the change log's documents."""
        return self.log.instance

    @instance.setter
    def instance(self, value: str) -> None:
        self.log.instance = value

    # -- writes, from the case's write paths ----------------------------------------------------

    async def admit(self, new: list[Document], redelivered: list[Document]) -> None:
        """Index cases just inserted (alias, entry, counters, total) and heal redelivered ones from their stored state."""
        async with self._lock:
            delta: Counter[str] = Counter()
            changed = [case["_id"] for case in new]
            if new:
                aliases = [{"_id": case["reference"], "case_id": case["_id"], "stamp": stamp_of(case)} for case in new]
                await _insert_new(self.references, aliases)
                entries = {case["_id"]: entry_of(case) for case in new}
                existing = await _insert_new(self.open, [entry for entry in entries.values() if entry is not None])
                for case in new:
                    if case["_id"] in existing:  # an entry left over (a crash mid-erasure): replace it and count the difference
                        delta.update(await self._refresh(case))
                    else:
                        delta.update(membership_delta(None, entries[case["_id"]]))
                delta[TOTAL] += len(new)
            if redelivered:
                # A redelivered batch (after a crash) is mostly indexed already: read the entries by `_id` (reads may be
                # gathered) and write only those that differ, so a replayed batch costs reads, not hundreds of writes.
                await _insert_new(self.references, [{"_id": c["reference"], "case_id": c["_id"], "stamp": stamp_of(c)} for c in redelivered])
                stored = {doc["_id"]: doc for doc in await find_by_ids(self.open, [case["_id"] for case in redelivered])}
                for case in redelivered:
                    if case["status"] == CLOSED or entry_of(case) != stored.get(case["_id"]):
                        delta.update(await self._refresh(case))
                        changed.append(case["_id"])
            await self._count(delta)
            if changed:
                await self.log.record(changed)

    async def refresh(self, case: Document) -> None:
        """Bring a case's entry, its counters and its archive lists to what its stored document says."""
        async with self._lock:
            await self._count(await self._refresh(case))
            await self.log.record([case["_id"]])

    async def forget(self, cases: Iterable[Document], *, deleted: int) -> None:
        """Take erased cases out of everything; `deleted` of them were still stored."""
        async with self._lock:
            delta: Counter[str] = Counter()
            cases = list(cases)
            for case in cases:
                delta.update(membership_delta(await self.open.find_one_and_delete({"_id": case["_id"]}), None))
                alias = await self.references.find_one_and_delete({"_id": case["reference"], "case_id": case["_id"]})
                for place in (alias or {}).get("archived") or []:
                    await self.archive.remove(place["group"], place["page"], case["_id"])
            delta[TOTAL] -= deleted
            await self._count(delta)
            await self.log.record([case["_id"] for case in cases])

    async def flag_unclosed_before(self, cutoff: Any) -> None:
        """Mirror the retention-review flag onto the open entries received before `cutoff` (no counter changes)."""
        async with self._lock:
            await self.open.update_many({"received_at": {"$lt": cutoff}, "retention_review": {"$ne": True}}, {"$set": {"retention_review": True}})
            await self.log.record(None)  # any entry may have changed: readers scan once

    async def _refresh(self, case: Document) -> Counter[str]:
        entry, stamp = entry_of(case), stamp_of(case)
        # Only a state at least as new as the entry's replaces it: a late refresh of an older state is refused.
        guard = {"_id": case["_id"], "stamp": {"$lte": stamp}}
        if entry is None:
            before = await self.open.find_one_and_delete(guard)
        else:
            try:
                fields = {name: value for name, value in entry.items() if name != "_id"}
                before = await self.open.find_one_and_update(guard, {"$set": fields}, upsert=True, return_document=ReturnDocument.BEFORE)
            except DuplicateKeyError:
                return Counter()  # a newer state is there already
        if entry is None or before is None:  # closed, reopened, new or healed: its archive lists may change
            await self._file(case, stamp)
        return membership_delta(before, entry)

    async def _file(self, case: Document, stamp: Any) -> None:
        """Put a closed case into its archive lists, or take a reopened one out; the alias remembers where it is."""
        alias = await self.references.find_one({"_id": case["reference"]}) or {}
        if alias.get("stamp") and stamp and alias["stamp"] > stamp:
            return  # filed from a newer state already
        have = alias.get("archived") or []
        want = archive_groups_of(case) if case["status"] == CLOSED else []
        if sorted(place["group"] for place in have) == sorted(want):
            return
        for place in have:
            await self.archive.remove(place["group"], place["page"], case["_id"])
        # Places as documents, not [group, page] pairs: FerretDB 1.24 stores no nested arrays.
        placed = [{"group": group, "page": await self.archive.append(group, case["_id"])} for group in want]
        await self.references.update_one(
            {"_id": case["reference"]}, {"$set": {"case_id": case["_id"], "archived": placed, "stamp": stamp}}, upsert=True
        )

    async def _count(self, delta: Counter[str]) -> None:
        for key, change in sorted(delta.items()):
            if change:
                await self.counters.update_one({"_id": counter_id(key, self.instance)}, {"$inc": {"n": change}}, upsert=True)

    # -- reads -----------------------------------------------------------------------------------

    async def listing(
        self, query: Document, *, status: str | None, sort: list[tuple[str, int]], skip: int, limit: int
    ) -> tuple[list[Document], int, dict[str, int], int]:
        """The open entries matching `query` (no status in it), from this process's copy (`cache.py`), give the page of
        those in `status`, their total, the counts per status and the replies waiting. Without a filter the
        counts come from the counters (they include the closed cases)."""
        matching = [entry for entry in await self.cached.current() if matches(entry, query)]
        chosen = sorted_by([doc for doc in matching if status is None or doc["status"] == status], sort)
        if query:
            counts = dict(Counter(doc["status"] for doc in matching))
            replies = sum(1 for doc in matching if doc.get("reply_waiting") is True)
        else:
            counts, replies = queue_counts(await self.totals())
        return chosen[skip : skip + limit], len(chosen), counts, replies

    async def totals(self) -> dict[str, int]:
        """Every counter's value, summed over the writer instances (a small collection: a scan is fine)."""
        return summed([doc async for doc in self.counters.find({})])

    async def counts(self, query: Document) -> tuple[dict[str, int], int]:
        """Cases per status and replies waiting: from the counters when nothing is filtered, else as a queue page counts them."""
        if not query:
            return queue_counts(await self.totals())
        _, _, counts, replies = await self.listing(query, status=None, sort=[], skip=0, limit=0)
        return counts, replies

    async def per_assignee(self) -> dict[str, int]:
        """Open cases per assignee ("none" for unassigned), from the counters."""
        return per_assignee(await self.totals())

    async def open_entries(self) -> list[Document]:
        """Every open case's entry, with its `stamp` (from this process's copy of the open entries, never the archive)."""
        return await self.cached.current()

    async def case_id_for_reference(self, reference: str) -> str | None:
        """The id of the case with this reference, open or archived (read by `_id`)."""
        alias = await self.references.find_one({"_id": reference})
        return alias["case_id"] if alias else None

    async def archive_page(self, group: str, *, skip: int, limit: int) -> tuple[list[str], int]:
        """A page of one archive list's case ids, most recently closed first, and the list's length."""
        return await self.archive.read(group, skip=skip, limit=limit)


async def _insert_new(collection: Any, documents: list[Document]) -> set[Any]:
    """Insert documents; returns the `_id`s that existed already (left as they were)."""
    return {documents[i]["_id"] for i in await insert_new(collection, documents)}
