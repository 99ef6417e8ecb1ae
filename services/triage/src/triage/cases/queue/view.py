"""The queue's read model: the open cases with the few fields a queue row shows, counter documents, and archive indexes.

FerretDB answers a filter, a sort or a count only by scanning (INFRA.md), so the queue scans the open cases
(thousands), never the archive. Each write of a case refreshes its entry from the case's stored state, not from
a delta, so a retried or redelivered write leaves the same entry and the same counts. Writes run one after another:
concurrent writes can deadlock FerretDB's connection pool.
"""

from collections.abc import Iterable
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]

# What a queue row, its filters and its sort orders need (read back as a `Case` without texts or timeline).
ENTRY_FIELDS = (
    "report_id", "reference", "status", "priority", "priority_rank", "priority_reason", "agg_deadline", "received_at",
    "received_month", "reporter", "effective", "classification", "assignee_id", "retention_review", "unread_replies", "reply_waiting",
)  # fmt: skip
# The case fields the read model is built from: a case read for it never carries sealed texts or the timeline.
SOURCE_PROJECTION = {name: 1 for name in (*ENTRY_FIELDS, "closed_at")}
CLOSED = "closed"
TOTAL = "cases_total"
REPLY_WAITING = "reply_waiting"


def entry_of(case: Document) -> Document | None:
    """A case's queue entry, or None for a closed case (closed cases leave the queue)."""
    if case["status"] == CLOSED:
        return None
    return {"_id": case["_id"], **{name: case.get(name) for name in ENTRY_FIELDS}}


def memberships_of(case: Document) -> set[str]:
    """The counter documents whose id lists hold an open case: its status, its assignee, reply waiting."""
    if case["status"] == CLOSED:
        return set()
    keys = {f"status:{case['status']}", f"assignee:{case.get('assignee_id') or 'none'}"}
    return keys | ({REPLY_WAITING} if case.get("reply_waiting") else set())


def archive_groups_of(case: Document) -> list[str]:
    """The archive's id lists a case belongs to: its received month, and the month with its district and with its life area.

    Keyed on what a case never changes (the month and the reporter's answers), so a case joins its lists once.
    """
    month, reporter = case["received_month"], case.get("reporter") or {}
    keys = [f"month:{month}"]
    if reporter.get("district"):
        keys.append(f"month:{month}|district:{reporter['district']}")
    if reporter.get("life_area"):
        keys.append(f"month:{month}|area:{reporter['life_area']}")
    return keys


class QueueView:
    """The open-cases projection (`queue_open`), its counters (`queue_counters`), the reference alias and the archive lists."""

    def __init__(self, database: AsyncDatabase) -> None:
        self.open = database["queue_open"]
        self.counters = database["queue_counters"]
        self.references = database["case_references"]
        self.archive = database["archive_groups"]

    # -- writes, from the case's write paths ----------------------------------------------------

    async def admit(self, stored: Iterable[Document], *, inserted: int) -> None:
        """Index new (or redelivered) cases: alias, archive lists and queue entry; `inserted` of them are new to the total."""
        for case in stored:
            await self.references.update_one({"_id": case["reference"]}, {"$set": {"case_id": case["_id"]}}, upsert=True)
            for key in archive_groups_of(case):
                await self.archive.update_one({"_id": key}, {"$addToSet": {"case_ids": case["_id"]}}, upsert=True)
            await self.refresh(case)
        if inserted:
            # Counted only for inserts the database reported, so a redelivered report does not count twice.
            await self.counters.update_one({"_id": TOTAL}, {"$inc": {"value": inserted}}, upsert=True)

    async def refresh(self, case: Document) -> None:
        """Bring a case's entry and its counter memberships to what its stored document says."""
        entry = entry_of(case)
        if entry is None:
            await self.open.delete_one({"_id": case["_id"]})
        else:
            await self.open.replace_one({"_id": case["_id"]}, entry, upsert=True)
        await self._set_memberships(case["_id"], memberships_of(case))

    async def forget(self, cases: Iterable[Document], *, deleted: int) -> None:
        """Take erased cases out of everything; `deleted` of them were still stored."""
        for case in cases:
            await self.open.delete_one({"_id": case["_id"]})
            await self._set_memberships(case["_id"], set())
            await self.references.delete_one({"_id": case["reference"], "case_id": case["_id"]})
            for key in archive_groups_of(case):
                await self.archive.update_one({"_id": key}, {"$pullAll": {"case_ids": [case["_id"]]}})
        if deleted:
            await self.counters.update_one({"_id": TOTAL}, {"$inc": {"value": -deleted}}, upsert=True)

    async def flag_unclosed_before(self, cutoff: Any) -> None:
        """Mirror the retention-review flag onto the open entries received before `cutoff`."""
        await self.open.update_many({"received_at": {"$lt": cutoff}, "retention_review": {"$ne": True}}, {"$set": {"retention_review": True}})

    async def _set_memberships(self, case_id: str, keys: set[str]) -> None:
        for key in sorted(keys):
            await self.counters.update_one({"_id": key}, {"$addToSet": {"ids": case_id}}, upsert=True)
        # A search, but of the counters (statuses, staff and one more): a few dozen small documents.
        await self.counters.update_many({"ids": case_id, "_id": {"$nin": sorted(keys)}}, {"$pullAll": {"ids": [case_id]}})

    # -- reads -----------------------------------------------------------------------------------

    async def page(self, query: Document, *, sort: list[tuple[str, int]], skip: int, limit: int) -> tuple[list[Document], int]:
        """A page of matching open cases and how many match."""
        cursor = self.open.find(query, sort=sort, skip=skip, limit=limit)
        return [doc async for doc in cursor], await self.open.count_documents(query)

    async def counts(self, query: Document) -> tuple[dict[str, int], int]:
        """Cases per status and replies waiting: from the counters when nothing is filtered, else over the open cases."""
        if not query:
            return await self._counted()
        # A compound group key, not {"$sum": "$reply_waiting"}: FerretDB 1.24 sums a field path to 0.
        group = {"_id": {"status": "$status", "reply": "$reply_waiting"}, "count": {"$sum": 1}}
        counts: dict[str, int] = {}
        replies = 0
        async for row in await self.open.aggregate([{"$match": query}, {"$group": group}]):
            counts[row["_id"]["status"]] = counts.get(row["_id"]["status"], 0) + row["count"]
            replies += row["count"] if row["_id"].get("reply") is True else 0
        return counts, replies

    async def per_assignee(self) -> dict[str, int]:
        """Open cases per assignee ("none" for unassigned), from the counters."""
        cursor = self.counters.find({})
        return {doc["_id"].removeprefix("assignee:"): len(doc["ids"]) async for doc in cursor if doc["_id"].startswith("assignee:") and doc.get("ids")}

    async def _counted(self) -> tuple[dict[str, int], int]:
        counts: dict[str, int] = {}
        total = replies = 0
        async for doc in self.counters.find({}):
            key = doc["_id"]
            if key == TOTAL:
                total = doc.get("value", 0)
            elif key == REPLY_WAITING:
                replies = len(doc.get("ids") or [])
            elif key.startswith("status:") and doc.get("ids"):
                counts[key.removeprefix("status:")] = len(doc["ids"])
        if closed := total - sum(counts.values()):
            counts[CLOSED] = closed
        return counts, replies

    async def case_id_for_reference(self, reference: str) -> str | None:
        """The id of the case with this reference, open or archived (read by `_id`)."""
        alias = await self.references.find_one({"_id": reference})
        return alias["case_id"] if alias else None

    async def archive_page(self, key: str, *, skip: int, limit: int) -> tuple[list[str], int]:
        """A page of one archive list's case ids (see `archive_groups_of`), most recent first, and the list's length."""
        group = await self.archive.find_one({"_id": key})
        ids = list(reversed(group["case_ids"])) if group else []
        return ids[skip : skip + limit], len(ids)
