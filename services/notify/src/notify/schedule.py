"""E-mails that wait for a window to end, kept in the database so a crash loses none of them.

Both collections stay small (only what is waiting, and the digest windows of the last day), so the
scheduler may scan them; every per-event write is by `_id`.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

KEEP_WINDOWS = timedelta(days=1)  # a redelivered event older than this may be mailed again on its own
# A digest waits until its window took no new case for this long, so a backlog being consumed
# (batches a fraction of a second apart) gives one digest per window, not one per batch.
SETTLE = timedelta(seconds=2)


def aware(moment: datetime) -> datetime:
    """The same moment with a time zone (UTC when the database gave none)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class WaitingNotice:
    """A reporter notice due at the end of its window; `latest` is the newest news it tells of."""

    report_id: str
    latest: datetime


class NoticeSchedule:
    """Reporter notices waiting for their window to end: one document per report with news not yet told."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._waiting = database["waiting_notices"]

    async def add(self, report_id: str, *, news_at: datetime, due_at: datetime) -> None:
        """Note news for a report; the first unsent news fixes when the notice goes (idempotent)."""
        await self._waiting.update_one(
            {"_id": report_id}, {"$setOnInsert": {"due_at": due_at}, "$max": {"latest": news_at}}, upsert=True
        )

    async def due(self, now: datetime, limit: int = 100) -> list[WaitingNotice]:
        """Notices whose window has ended."""
        cursor = self._waiting.find({"due_at": {"$lte": now}}).sort("due_at", 1).limit(limit)
        return [WaitingNotice(doc["_id"], aware(doc["latest"])) async for doc in cursor]

    async def done(self, notice: WaitingNotice, *, next_due_at: datetime) -> None:
        """Drop a sent notice; if news came while it was sent, that news waits for the next window."""
        result = await self._waiting.delete_one({"_id": notice.report_id, "latest": notice.latest})
        if result.deleted_count == 0:
            await self._waiting.update_one({"_id": notice.report_id}, {"$set": {"due_at": next_due_at}})

    async def drop(self, report_id: str) -> None:
        """Forget a waiting notice (the reporter's address is gone)."""
        await self._waiting.delete_one({"_id": report_id})


@dataclass(frozen=True)
class NewCase:
    """What the office's e-mails tell of a new case."""

    reference: str
    case_id: str


@dataclass(frozen=True)
class Digest:
    """New cases of one window that were not mailed one by one; `upto` is how many of the window's cases it covers."""

    window: str
    cases: list[NewCase]
    upto: int


class OfficeWindows:
    """New cases per fixed window, in order of arrival: the first few get their own e-mail, the rest one digest."""

    def __init__(self, database: AsyncDatabase, *, threshold: int, length: timedelta) -> None:
        self._windows = database["office_windows"]
        self.threshold = threshold
        self.length = length

    def window_of(self, moment: datetime) -> tuple[str, datetime]:
        """The window a moment falls in: its id and its end."""
        seconds = self.length.total_seconds()
        start = datetime.fromtimestamp(aware(moment).timestamp() // seconds * seconds, UTC)
        return start.isoformat(), start + self.length

    async def add(self, window: str, ends_at: datetime, cases: list[NewCase]) -> list[NewCase]:
        """Record new cases (idempotent) and return those among them that get an e-mail of their own."""
        doc = await self._windows.find_one_and_update(
            {"_id": window},
            {
                "$setOnInsert": {"ends_at": ends_at, "digested": 0},
                "$addToSet": {"cases": {"$each": [_stored(c) for c in cases]}},
                "$set": {"added_at": datetime.now(UTC)},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        own = {entry["case_id"] for entry in doc["cases"][: self.threshold]}
        return [case for case in cases if case.case_id in own]

    async def due_digests(self, now: datetime) -> list[Digest]:
        """Digests of ended, settled windows that hold cases no e-mail told of yet."""
        digests = []
        async for doc in self._windows.find({"ends_at": {"$lte": now}, "added_at": {"$lte": now - SETTLE}}):
            told = max(self.threshold, doc.get("digested", 0))
            if len(doc["cases"]) > told:
                cases = [NewCase(entry["reference"], entry["case_id"]) for entry in doc["cases"][told:]]
                digests.append(Digest(doc["_id"], cases, len(doc["cases"])))
        return digests

    async def digested(self, digest: Digest) -> None:
        """Record that a digest went out."""
        await self._windows.update_one({"_id": digest.window}, {"$max": {"digested": digest.upto}})

    async def forget_old(self, now: datetime) -> None:
        """Drop windows ended more than a day ago, keeping the collection small."""
        await self._windows.delete_many({"ends_at": {"$lt": now - KEEP_WINDOWS}})


def _stored(case: NewCase) -> dict[str, str]:
    return {"case_id": case.case_id, "reference": case.reference}
