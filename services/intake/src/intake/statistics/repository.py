"""Published months as triage sent them: one document per month, replaced if a month is sent again."""

from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from meldestelle_shared.events import MonthlyStatisticsPublished


class PublishedStatistics:
    """The `published_statistics` collection."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._months = database["published_statistics"]

    async def store(self, event: MonthlyStatisticsPublished) -> None:
        """Keep a month's publication (idempotent: the month is the key)."""
        doc = event.model_dump(mode="json", include={"month", "total", "tables", "threshold", "classification", "generated_at"})
        await self._months.replace_one({"_id": event.month}, {"_id": event.month, **doc}, upsert=True)

    async def get(self, month: str) -> dict[str, Any] | None:
        """One published month."""
        return await self._months.find_one({"_id": month}, {"_id": 0})

    async def newest(self, limit: int) -> list[dict[str, Any]]:
        """The newest published months, newest first (the _id index serves the sort)."""
        return [doc async for doc in self._months.find({}, {"_id": 0}, sort=[("_id", DESCENDING)], limit=limit)]
