"""Case storage. One document per report, unique on report_id: redelivery can never make a second case."""

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

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

    async def find_by_report_ids(self, report_ids: Iterable[UUID]) -> dict[str, dict[str, Any]]:
        """The stored cases of these reports, keyed by report id."""
        ids = [str(report_id) for report_id in report_ids]
        cursor = self._cases.find({"report_id": {"$in": ids}})
        return {case["report_id"]: case async for case in cursor}

    async def allocate_reference_numbers(self, key: str, count: int) -> range:
        """Reserve `count` consecutive numbers of a counter (e.g. one per year)."""
        counter = await self._counters.find_one_and_update(
            {"_id": key}, {"$inc": {"value": count}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        last = counter["value"]
        return range(last - count + 1, last + 1)

    async def insert_new(self, cases: Sequence[dict[str, Any]]) -> None:
        """Insert cases, ignoring any whose report already has a case (a concurrent duplicate)."""
        if not cases:
            return
        try:
            await self._cases.insert_many(cases, ordered=False)
        except BulkWriteError as error:
            others = [e for e in error.details.get("writeErrors", []) if e.get("code") != _DUPLICATE_KEY]
            if others:
                raise

    async def delete_by_report_ids(self, report_ids: Iterable[UUID]) -> int:
        """Delete the cases of these reports; returns how many existed."""
        result = await self._cases.delete_many({"report_id": {"$in": [str(r) for r in report_ids]}})
        return result.deleted_count

    async def get(self, case_id: UUID) -> dict[str, Any] | None:
        """One case by id."""
        return await self._cases.find_one({"_id": str(case_id)})

    async def page(self, *, skip: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """A page of cases, newest first, and the total count."""
        cursor = self._cases.find({}, sort=[("received_at", DESCENDING), ("_id", DESCENDING)], skip=skip, limit=limit)
        return [case async for case in cursor], await self._cases.count_documents({})
