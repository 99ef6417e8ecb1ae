"""Storage of the statistics read model: per-case contributions, per-bucket members and counts, publications.

Every read and write on the event path is by `_id`: FerretDB v1 on SQLite answers only `_id`
equality from an index and scans the whole collection for anything else (measured: ~1 s per
query at 20,000 documents), so a query on `month` would cost more with every case stored.
"""

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ReplaceOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from meldestelle_shared.events import MonthlyStatisticsPublished
from triage.stats.figures import BUCKETS, STAFF_CLASSIFICATION_FIELD, count_members

# Only what a contribution needs: nothing sealed is ever read for statistics.
_CASE_FIELDS = {"received_month": 1, "reporter": 1, STAFF_CLASSIFICATION_FIELD: 1, "closure_reason": 1}
_DUPLICATE_KEY = 11000
_MONTH_INDEX = "months"

Placement = tuple[str, int]  # (month, bucket)


def bucket_id(month: str, bucket: int) -> str:
    """The `_id` of a bucket document."""
    return f"{month}:{bucket:03d}"


class StatisticsRepository:
    """The collections of the read model, next to the cases they are derived from."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._cases = database["cases"]
        self._contributions = database["stats_contributions"]
        self._buckets = database["stats_buckets"]
        self._index = database["stats_index"]
        self._publications = database["stats_publications"]

    async def cases_by_ids(self, case_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The statistically relevant fields of these cases, by id; erased cases are missing."""
        found = await asyncio.gather(*(self._cases.find_one({"_id": case_id}, _CASE_FIELDS) for case_id in case_ids))
        return {case["_id"]: case for case in found if case}

    async def all_cases(self, batch_size: int) -> AsyncIterator[list[dict[str, Any]]]:
        """Every case's relevant fields, in batches."""
        batch = []
        async for case in self._cases.find({}, _CASE_FIELDS, batch_size=batch_size):
            batch.append(case)
            if len(batch) == batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    async def placements(self, case_ids: Iterable[str]) -> dict[str, Placement]:
        """Where these cases' contributions sit now (month, bucket), tombstones included."""
        found = await asyncio.gather(
            *(self._contributions.find_one({"_id": case_id}, {"month": 1, "bucket": 1}) for case_id in case_ids)
        )
        return {doc["_id"]: (doc["month"], doc["bucket"]) for doc in found if doc}

    async def save_contributions(self, contributions: Sequence[dict[str, Any]]) -> None:
        """Store each case's current contribution, replacing what it contributed before."""
        if contributions:
            await self._contributions.bulk_write(
                [ReplaceOne({"_id": doc["_id"]}, doc, upsert=True) for doc in contributions], ordered=False
            )

    async def tombstone(self, case_ids: Sequence[str]) -> None:
        """Stop counting erased cases, keeping only month and bucket so a retry still knows where they were."""
        if case_ids:
            await self._contributions.bulk_write(
                [UpdateOne({"_id": case_id}, {"$set": {"counted": False, "cells": [], "source": None}}) for case_id in case_ids],
                ordered=False,
            )

    async def set_members(self, month: str, bucket: int, members: dict[str, list[str] | None]) -> None:
        """Put cases' cells into a bucket (None takes a case out); the version tells recounts something changed."""
        changes: dict[str, Any] = {"$inc": {"version": 1}, "$setOnInsert": {"month": month, "bucket": bucket, "counts": {}}}
        if present := {f"members.{case_id}": cells for case_id, cells in members.items() if cells is not None}:
            changes["$set"] = present
        if absent := {f"members.{case_id}": "" for case_id, cells in members.items() if cells is None}:
            changes["$unset"] = absent
        await self._buckets.update_one({"_id": bucket_id(month, bucket)}, changes, upsert=True)
        await self._index.update_one({"_id": _MONTH_INDEX}, {"$addToSet": {"months": month}}, upsert=True)

    async def recount_bucket(self, month: str, bucket: int) -> None:
        """Derive a bucket's counts from its members; if a member changes meanwhile, count again."""
        while True:
            doc = await self._buckets.find_one({"_id": bucket_id(month, bucket)})
            if doc is None:
                return
            counts = count_members(doc.get("members", {}))
            # Written only if no member changed since the read: a stale count can never overwrite a newer one.
            result = await self._buckets.update_one(
                {"_id": doc["_id"], "version": doc["version"]}, {"$set": {"counts": counts}}
            )
            if result.matched_count:
                return

    async def month_buckets(self, month: str, *, members: bool = False) -> list[dict[str, Any]]:
        """The bucket documents of a month (BUCKETS reads by `_id`), with their counts and, if asked, members."""
        fields = {"counts": 1, "members": 1} if members else {"counts": 1}
        found = await asyncio.gather(
            *(self._buckets.find_one({"_id": bucket_id(month, bucket)}, fields) for bucket in range(BUCKETS))
        )
        return [doc for doc in found if doc]

    async def months(self) -> list[str]:
        """Every month that ever had a case, oldest first."""
        index = await self._index.find_one({"_id": _MONTH_INDEX})
        return sorted(index["months"]) if index else []

    async def clear(self) -> None:
        """Forget the whole read model (the rebuild starts from here); publications stay."""
        for collection in (self._contributions, self._buckets, self._index):
            await collection.delete_many({})

    async def insert_contributions(self, contributions: Sequence[dict[str, Any]]) -> None:
        """Insert fresh contributions fast; one a running consumer stored meanwhile is equal, so it is kept."""
        try:
            await self._contributions.insert_many(contributions, ordered=False)
        except BulkWriteError as error:
            if any(e.get("code") != _DUPLICATE_KEY for e in error.details.get("writeErrors", [])):
                raise

    async def write_bucket(self, month: str, bucket: int, members: dict[str, list[str]]) -> None:
        """Store one rebuilt bucket: its members and their counts."""
        doc = {"_id": bucket_id(month, bucket), "month": month, "bucket": bucket, "version": 0,
               "members": members, "counts": count_members(members)}  # fmt: skip
        await self._buckets.replace_one({"_id": doc["_id"]}, doc, upsert=True)
        await self._index.update_one({"_id": _MONTH_INDEX}, {"$addToSet": {"months": month}}, upsert=True)

    async def published_months(self) -> set[str]:
        """Months whose publication Kafka has acknowledged (one small document per month)."""
        return {doc["_id"] async for doc in self._publications.find({"status": "published"}, {"_id": 1})}

    async def claim_publication(self, event: MonthlyStatisticsPublished) -> MonthlyStatisticsPublished:
        """Record a month's publication before sending it; if one is recorded already, return that one.

        So a crash between recording and sending re-sends the very same figures, never new ones.
        """
        try:
            await self._publications.insert_one(
                {"_id": event.month, "status": "pending", "event": event.model_dump_json(), "recorded_at": datetime.now(UTC)}
            )
            return event
        except DuplicateKeyError:
            stored = await self._publications.find_one({"_id": event.month})
            return MonthlyStatisticsPublished.model_validate_json(stored["event"])

    async def mark_published(self, month: str) -> None:
        """Record that Kafka acknowledged a month's publication."""
        await self._publications.update_one(
            {"_id": month}, {"$set": {"status": "published", "published_at": datetime.now(UTC)}}
        )
