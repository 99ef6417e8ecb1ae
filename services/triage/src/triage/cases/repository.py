"""Case storage. One document per report, unique on report_id: redelivery can never make a second case."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from meldestelle_shared.mongo import find_by_ids

_DUPLICATE_KEY = 11000


class CaseRepository:
    """Reads and writes the `cases` collection and the reference counters."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._cases = database["cases"]
        self._counters = database["counters"]

    async def ensure_indexes(self) -> None:
        """Create the indexes the queries and the idempotency rule rely on."""
        await self._cases.create_index([("report_id", ASCENDING)], unique=True, name="report_id_unique")
        await self._cases.create_index([("reference", ASCENDING)], unique=True, name="reference_unique")
        await self._cases.create_index([("received_at", DESCENDING), ("_id", DESCENDING)], name="newest_first")
        await self._cases.create_index([("status", ASCENDING), ("received_at", DESCENDING)], name="status_newest")
        await self._cases.create_index([("priority_rank", ASCENDING), ("received_at", ASCENDING)], name="queue_order")
        await self._cases.create_index([("assignee_id", ASCENDING)], name="by_assignee")
        await self._cases.create_index([("received_month", ASCENDING), ("reporter.life_area", ASCENDING)], name="by_month_area")
        await self._cases.create_index([("closed_at", ASCENDING)], name="by_closed_at")

    async def allocate_reference_numbers(self, key: str, count: int) -> range:
        """Reserve `count` consecutive numbers of a counter (e.g. one per year)."""
        counter = await self._counters.find_one_and_update(
            {"_id": key}, {"$inc": {"value": count}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        last = counter["value"]
        return range(last - count + 1, last + 1)

    async def insert_reporting_conflicts(self, cases: Sequence[dict[str, Any]]) -> list[int]:
        """Insert cases; return the positions of those whose case already exists (a redelivered report)."""
        if not cases:
            return []
        try:
            await self._cases.insert_many(cases, ordered=False)
        except BulkWriteError as error:
            errors = error.details.get("writeErrors", [])
            if any(e.get("code") != _DUPLICATE_KEY for e in errors):
                raise
            return [e["index"] for e in errors]
        return []

    async def delete_by_report_ids(self, report_ids: Iterable[UUID]) -> int:
        """Delete the cases of these reports; returns how many existed."""
        result = await self._cases.delete_many({"report_id": {"$in": [str(r) for r in report_ids]}})
        return result.deleted_count

    async def get(self, case_id: UUID) -> dict[str, Any] | None:
        """One case by id."""
        return await self._cases.find_one({"_id": str(case_id)})

    async def get_many(self, case_ids: Iterable[str], *, full: bool = False) -> list[dict[str, Any]]:
        """These cases (each looked up by `_id`); missing ones are left out."""
        return await find_by_ids(self._cases, case_ids, None if full else _LIST_PROJECTION)

    async def get_by_report_id(self, report_id: UUID) -> dict[str, Any] | None:
        """The case of a report."""
        return await self._cases.find_one({"report_id": str(report_id)})

    async def page(
        self, query: dict[str, Any], *, sort: list[tuple[str, int]], skip: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of matching cases without their sealed texts and timeline, and the total count."""
        cursor = self._cases.find(query, projection=_LIST_PROJECTION, sort=sort, skip=skip, limit=limit)
        return [case async for case in cursor], await self._cases.count_documents(query)

    async def find(self, query: dict[str, Any], *, limit: int = 0, full: bool = False) -> list[dict[str, Any]]:
        """Matching cases, oldest first; without sealed texts and timeline unless `full`."""
        projection = None if full else _LIST_PROJECTION
        cursor = self._cases.find(query, projection=projection, sort=[("received_at", ASCENDING)], limit=limit)
        return [case async for case in cursor]

    async def queue_counts(self, query: dict[str, Any]) -> tuple[dict[str, int], int]:
        """How many matching cases are in each status, and how many have a reply waiting: one pass over the matches."""
        # A compound group key, not {"$sum": "$reply_waiting"}: FerretDB 1.24 sums a field path to 0.
        group = {"_id": {"status": "$status", "reply": "$reply_waiting"}, "count": {"$sum": 1}}
        cursor = await self._cases.aggregate([{"$match": query}, {"$group": group}])
        counts: dict[str, int] = {}
        replies = 0
        async for row in cursor:
            counts[row["_id"]["status"]] = counts.get(row["_id"]["status"], 0) + row["count"]
            replies += row["count"] if row["_id"].get("reply") is True else 0
        return counts, replies

    async def apply(
        self, case_id: str, *, expect: dict[str, Any], changes: dict[str, Any], entry: dict[str, Any] | None, outbox: dict[str, str]
    ) -> dict[str, Any] | None:
        """Change a case in one atomic write: fields, a timeline entry and the events to publish.

        The events wait in the case's outbox until Kafka has them; a crash in between leaves them
        there for the relay. `expect` guards against a concurrent change (None: nothing matched).
        """
        update: dict[str, Any] = {"$set": {**changes, **{f"outbox.{event_id}": data for event_id, data in outbox.items()}}}
        if entry is not None:
            update["$push"] = {"timeline": entry}
        return await self._cases.find_one_and_update(
            {"_id": case_id, **expect}, update, return_document=ReturnDocument.AFTER
        )

    async def update_fields(self, case_id: str, changes: dict[str, Any]) -> None:
        """Set fields that need no event (priority refreshes, retention flags, duplicate hints)."""
        await self._cases.update_one({"_id": case_id}, {"$set": changes})

    async def clear_outbox(self, case_id: str, event_ids: Iterable[str]) -> None:
        """Forget events Kafka has acknowledged."""
        await self._cases.update_one({"_id": case_id}, {"$unset": {f"outbox.{event_id}": "" for event_id in event_ids}})

    async def with_pending_events(self, limit: int = 500) -> list[dict[str, Any]]:
        """Cases whose outbox still holds events."""
        cursor = self._cases.find({"outbox": {"$exists": True, "$ne": {}}}, projection={"outbox": 1, "report_id": 1}, limit=limit)
        return [case async for case in cursor]

    async def add_reply_once(self, report_id: UUID, entry: dict[str, Any]) -> bool:
        """Append a reporter's reply to their case unless it is there, and mark it unread; False if not added."""
        result = await self._cases.update_one(
            {"report_id": str(report_id), "timeline.id": {"$ne": entry["id"]}},
            {"$push": {"timeline": entry}, "$inc": {"unread_replies": 1}, "$set": {"reply_waiting": True}},
        )
        return result.modified_count == 1

    async def mark_replies_read(self, case_id: str, seen: int) -> bool:
        """Clear the unread mark, unless more replies arrived than the `seen` ones the reader was shown."""
        result = await self._cases.update_one(
            {"_id": case_id, "unread_replies": seen}, {"$set": {"unread_replies": 0, "reply_waiting": False}}
        )
        return result.modified_count == 1

    async def delete(self, case_id: str) -> bool:
        """Delete a case with everything on it; False if it was already gone."""
        return (await self._cases.delete_one({"_id": case_id})).deleted_count == 1

    async def closed_before(self, cutoff: datetime, limit: int = 500) -> list[dict[str, Any]]:
        """Closed cases whose closure is older than `cutoff`."""
        cursor = self._cases.find({"status": "closed", "closed_at": {"$lt": cutoff}}, projection=_LIST_PROJECTION, limit=limit)
        return [case async for case in cursor]

    async def flag_unclosed_before(self, cutoff: datetime) -> int:
        """Flag open cases received before `cutoff` for a retention review; returns how many were newly flagged."""
        result = await self._cases.update_many(
            {"status": {"$ne": "closed"}, "received_at": {"$lt": cutoff}, "retention_review": {"$ne": True}},
            {"$set": {"retention_review": True}},
        )
        return result.modified_count


# Lists never carry sealed texts, the timeline or the outbox: smaller, and nothing to open by mistake.
_LIST_PROJECTION = {"sealed_description": 0, "sealed_contact": 0, "timeline": 0, "outbox": 0, "reporter_public_key": 0}
