"""Reading published months: one month, the newest ones, and a 12-month window for trends."""

from collections.abc import Sequence
from typing import Any

from meldestelle_shared.events import Event, MonthlyStatisticsPublished
from intake.statistics.repository import PublishedStatistics

TREND_MONTHS = 12


class NotPublished(LookupError):
    """The month has no publication (yet)."""


async def store_publications(events: Sequence[Event], *, repository: PublishedStatistics) -> None:
    """Keep every MonthlyStatisticsPublished; other events on the topic are not for intake."""
    for event in events:
        if isinstance(event, MonthlyStatisticsPublished):
            await repository.store(event)


async def published_month(month: str, *, repository: PublishedStatistics) -> dict[str, Any]:
    """A published month, or NotPublished."""
    found = await repository.get(month)
    if found is None:
        raise NotPublished(month)
    return found


def months_back(latest: str, count: int) -> list[str]:
    """`count` consecutive YYYY-MM months ending with `latest`, oldest first."""
    year, month = (int(part) for part in latest.split("-"))
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


async def trend_window(*, repository: PublishedStatistics) -> list[dict[str, Any]]:
    """The 12 months up to the newest published one, oldest first; a month without publication is marked unpublished."""
    newest = await repository.newest(TREND_MONTHS)
    if not newest:
        return []
    by_month = {doc["month"]: doc for doc in newest}
    return [by_month.get(month) or {"month": month, "unpublished": True} for month in months_back(newest[0]["month"], TREND_MONTHS)]
