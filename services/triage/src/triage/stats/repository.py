"""Storage of the statistics read model: per-case contributions, bucket members, per-month counts, publications.

Everything on the event path and on requests is read by `_id`: FerretDB v1 on SQLite answers only
`_id` lookups from an index (with our patch, deploy/ferretdb/patches) and scans the collection for
any other filter. A month's counts are one document in `stats_months`; a month's buckets have known
`_id`s (`YYYY-MM:NNN`), so even the exact recount for publication fetches them by `_id`.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ReplaceOne, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from meldestelle_shared.events import MonthlyStatisticsPublished
from meldestelle_shared.mongo import find_by_ids, insert_new
from triage.cases.ports import CaseFiguresPort, case_figures_port
from triage.stats.casework import CaseworkStore
from triage.stats.figures import BUCKETS, count_members


Placement = tuple[str, int]  # (month, bucket)
# A bucket's counts as stored in its month: [{"cell": cell, "n": n}, ...], sorted by cell (see `_as_pairs`).
StoredCounts = list[dict[str, str | int]]


def bucket_id(month: str, bucket: int) -> str:
    """The `_id` of a bucket document."""
    return f"{month}:{bucket:03d}"


class StatisticsRepository:
    """The collections of the read model, and the port through which it reads what cases contribute."""

    def __init__(self, database: AsyncDatabase, cases: CaseFiguresPort | None = None) -> None:
        # The cases themselves belong to `triage.cases`: only its port reads them, never a case document here.
        self.cases = cases or case_figures_port(database)
        self._contributions = database["stats_contributions"]
        self._buckets = database["stats_buckets"]
        self._months = database["stats_months"]
        self._publications = database["stats_publications"]
        self.casework = CaseworkStore(database)  # the annual report's counters (stats/casework.py)

    async def placements(self, case_ids: Iterable[str]) -> dict[str, tuple[Placement, bool]]:
        """Where these cases' contributions sit now (month, bucket), and whether each is an erased case's tombstone."""
        found = await find_by_ids(self._contributions, case_ids, {"month": 1, "bucket": 1, "erased": 1})
        return {doc["_id"]: ((doc["month"], doc["bucket"]), bool(doc.get("erased"))) for doc in found}

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
                [
                    UpdateOne({"_id": case_id}, {"$set": {"erased": True, "counted": False, "cells": [], "source": None}})
                    for case_id in case_ids
                ],
                ordered=False,
            )

    async def update_buckets(self, changes: dict[Placement, dict[str, list[str] | None]]) -> None:
        """Put cases' cells into their buckets (None takes a case out), then store the buckets' recounts in their months.

        Both writes set values derived from the members, never increments: if a crash falls between them,
        the redelivered event writes the same members again and the right counts after them. Each bucket
        is one find-and-modify that returns its members, and each month one write for all its buckets, so a
        batch costs a write per bucket it touches, not three. Two triage instances changing the same
        bucket at once could leave its counts one change behind until its next change; publication
        therefore counts members, never the stored counts.
        """
        # One at a time, never gathered: FerretDB holds two pooled SQLite connections per find-and-modify,
        # and enough concurrent ones deadlock its pool of 100.
        by_month: dict[str, dict[str, StoredCounts]] = {}
        for (month, bucket), members in changes.items():
            counts = await self._put_members(month, bucket, members)
            by_month.setdefault(month, {})[f"buckets.{bucket:03d}"] = _as_pairs(counts)
        for month, fields in sorted(by_month.items()):
            await self._months.update_one({"_id": month}, {"$set": fields}, upsert=True)

    async def _put_members(self, month: str, bucket: int, changes: dict[str, list[str] | None]) -> dict[str, int]:
        update: dict[str, Any] = {"$set": {"month": month, "bucket": bucket}}
        update["$set"].update({f"members.{case_id}": cells for case_id, cells in changes.items() if cells is not None})
        if absent := {f"members.{case_id}": "" for case_id, cells in changes.items() if cells is None}:
            update["$unset"] = absent
        # No projection: FerretDB's findAndModify does not support one.
        doc = await self._buckets.find_one_and_update(
            {"_id": bucket_id(month, bucket)}, update, upsert=True, return_document=ReturnDocument.AFTER
        )
        return count_members(doc.get("members", {}))

    async def bucket_counts(self, month: str) -> list[dict[str, int]]:
        """The stored counts of every bucket of a month: one small document."""
        doc = await self._months.find_one({"_id": month})
        return [_from_pairs(stored) for stored in doc["buckets"].values()] if doc else []

    async def bucket_members(self, month: str) -> list[dict[str, list[str]]]:
        """The members of every bucket of a month, each fetched by `_id` (FerretDB would scan for the month)."""
        found = await find_by_ids(self._buckets, (bucket_id(month, bucket) for bucket in range(BUCKETS)), {"members": 1})
        return [doc.get("members", {}) for doc in found]

    async def months(self) -> list[str]:
        """Every month that has had a case, oldest first."""
        return sorted([doc["_id"] async for doc in self._months.find({}, {"_id": 1})])

    async def clear(self) -> None:
        """Forget the whole read model (the rebuild starts from here); publications stay."""
        for collection in (self._contributions, self._buckets, self._months):
            await collection.delete_many({})

    async def insert_contributions(self, contributions: Sequence[dict[str, Any]]) -> None:
        """Insert fresh contributions fast; one a running consumer stored meanwhile is equal, so it is kept."""
        await insert_new(self._contributions, list(contributions))

    async def insert_rebuilt(self, buckets: dict[Placement, dict[str, list[str]]], months: Iterable[str]) -> None:
        """Store rebuilt buckets and their months' counts in a few bulk writes: each write costs, not each document."""
        docs = [
            {"_id": bucket_id(month, bucket), "month": month, "bucket": bucket, "members": members}
            for (month, bucket), members in sorted(buckets.items())
        ]
        for start in range(0, len(docs), 500):
            await self._buckets.insert_many(docs[start : start + 500], ordered=False)
        counts: dict[str, dict[str, StoredCounts]] = {month: {} for month in months}
        for (month, bucket), members in buckets.items():
            counts[month][f"{bucket:03d}"] = _as_pairs(count_members(members))
        if counts:
            await self._months.insert_many([{"_id": month, "buckets": by_bucket} for month, by_bucket in counts.items()])

    async def published_months(self) -> set[str]:
        """Months whose publication Kafka has acknowledged (one small document per month)."""
        return {doc["_id"] async for doc in self._publications.find({"status": "published"}, {"_id": 1})}

    async def publications(self, months: Iterable[str]) -> list[MonthlyStatisticsPublished]:
        """The published figures of these months that Kafka acknowledged (each read by `_id`), oldest first."""
        found = await find_by_ids(self._publications, months)
        events = [MonthlyStatisticsPublished.model_validate_json(doc["event"]) for doc in found if doc.get("status") == "published"]
        return sorted(events, key=lambda event: event.month)

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


def _as_pairs(counts: dict[str, int]) -> StoredCounts:
    """Counts as [{"cell": cell, "n": n}, ...] sorted by cell, so that the cell names are values, not keys.

    FerretDB 1.24 skips a `$set` whose new value it finds identical to the old one, and it compares
    documents by their values in order, ignoring the keys (types.Identical): a one-case bucket
    reclassified from grounds:language to grounds:nationality_or_residence_status kept its old counts,
    silently, so the office's figures stayed wrong. (FerretDB stores no nested arrays, hence documents.)
    """
    return [{"cell": name, "n": count} for name, count in sorted(counts.items())]


def _from_pairs(stored: StoredCounts | dict[str, int]) -> dict[str, int]:
    """Counts read back from a month document; a document written before pairs were used still reads (rebuild it)."""
    return dict(stored) if isinstance(stored, dict) else {str(pair["cell"]): int(pair["n"]) for pair in stored}
