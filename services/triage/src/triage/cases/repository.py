"""Case storage. One document per report, unique on report_id: redelivery can never make a second case.

Documents go in and come out as `Case` (mapped in `triage.cases.documents`); nothing outside `triage.cases` reads one.
"""

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from meldestelle_shared.events import encode_event
from meldestelle_shared.mongo import find_by_ids, insert_new
from triage.cases.documents import (
    FIGURES_PROJECTION,
    Document,
    case_document,
    case_from_document,
    case_or_none,
    differences,
    entry_document,
    figures_from_document,
    hint_document,
)
from triage.cases.casework import CASEWORK_PROJECTION, CaseWork, casework_from_document
from triage.cases.model import Case, Change, case_id_for
from triage.cases.queue.view import SOURCE_PROJECTION, QueueView
from triage.cases.values import CaseFigures, DuplicateHint, TimelineEntry
from triage.evidence.model import EvidenceItem, evidence_document

# How long a mark may wait for the case write it announces before the relay deletes it as an orphan.
MARK_GRACE = timedelta(minutes=5)


class CaseRepository:
    """Reads and writes the `cases` collection and the reference counters; every case write also refreshes the queue's read model."""

    def __init__(self, database: AsyncDatabase, queue_database: AsyncDatabase | None = None) -> None:
        self._cases = database["cases"]
        self._counters = database["counters"]
        # One mark per event waiting in an outbox, so the relay finds stranded events without scanning the cases.
        self._marks = database["outbox_marks"]
        # The read model writes into a database of its own (one SQLite file each on FerretDB): see `Settings.queue_database`.
        self.queue = QueueView(queue_database if queue_database is not None else database.client[f"{database.name}_queue"])

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

    async def insert_reporting_conflicts(self, cases: Sequence[Case]) -> list[int]:
        """Insert cases; return the positions of those whose case already exists (a redelivered report)."""
        if not cases:
            return []
        documents = [case_document(case) for case in cases]
        conflicts = await insert_new(self._cases, documents)
        # A redelivered report is indexed again from its stored case: that heals a crash before the queue heard of it.
        new = [doc for i, doc in enumerate(documents) if i not in conflicts]
        redelivered = await find_by_ids(self._cases, [documents[i]["_id"] for i in conflicts], SOURCE_PROJECTION)
        await self.queue.admit(new, redelivered)
        return conflicts

    async def delete_by_report_ids(self, report_ids: Iterable[UUID]) -> int:
        """Delete the cases of these reports; returns how many existed."""
        report_ids = [str(r) for r in report_ids]
        found = await find_by_ids(self._cases, [case_id_for(UUID(r)) for r in report_ids], SOURCE_PROJECTION)
        result = await self._cases.delete_many({"report_id": {"$in": report_ids}})
        await self.queue.forget(found, deleted=result.deleted_count)
        return result.deleted_count

    async def get(self, case_id: UUID) -> Case | None:
        """One case by id."""
        return case_or_none(await self._cases.find_one({"_id": str(case_id)}))

    async def get_many(self, case_ids: Iterable[str], *, full: bool = False) -> list[Case]:
        """These cases (each looked up by `_id`); missing ones are left out."""
        return [case_from_document(doc) for doc in await find_by_ids(self._cases, case_ids, None if full else _LIST_PROJECTION)]

    async def get_by_report_id(self, report_id: UUID) -> Case | None:
        """The case of a report."""
        return case_or_none(await self._cases.find_one({"report_id": str(report_id)}))

    async def page(self, query: Document, *, sort: list[tuple[str, int]], skip: int, limit: int) -> tuple[list[Case], int]:
        """A page of matching cases (closed ones, by filters no archive list answers) and the total: scans the cases.

        Open cases are listed from the read model (`open_listing`), closed ones by month, district or area from the archive's lists.
        """
        cursor = self._cases.find(query, projection=_LIST_PROJECTION, sort=sort, skip=skip, limit=limit)
        return [case_from_document(doc) async for doc in cursor], await self._cases.count_documents(query)

    async def open_listing(
        self, query: Document, *, status: str | None, sort: list[tuple[str, int]], skip: int, limit: int
    ) -> tuple[list[Case], int, dict[str, int], int]:
        """A page of open cases in `status` among those matching `query`, their total, counts per status and replies waiting."""
        docs, total, counts, replies = await self.queue.listing(query, status=status, sort=sort, skip=skip, limit=limit)
        return [case_from_document(doc) for doc in docs], total, counts, replies

    async def archived(self, group: str, *, skip: int, limit: int) -> tuple[list[Case], int]:
        """A page of an archive list (see `triage.cases.queue.archive`), most recently closed first, and its length: read by `_id`."""
        ids, total = await self.queue.archive_page(group, skip=skip, limit=limit)
        return await self.get_many(ids), total

    async def by_reference(self, reference: str) -> Case | None:
        """The case with this reference, open or archived, through the `_id`-keyed alias."""
        case_id = await self.queue.case_id_for_reference(reference.upper())
        found = await self.get_many([case_id]) if case_id else []
        return found[0] if found else None

    async def find(self, query: Document, *, limit: int = 0, full: bool = False) -> list[Case]:
        """Matching cases, oldest first; without sealed texts and timeline unless `full`."""
        projection = None if full else _LIST_PROJECTION
        cursor = self._cases.find(query, projection=projection, sort=[("received_at", ASCENDING)], limit=limit)
        return [case_from_document(doc) async for doc in cursor]

    async def queue_counts(self, query: Document) -> tuple[dict[str, int], int]:
        """How many cases are in each status, and how many have a reply waiting (see `QueueView.counts`)."""
        return await self.queue.counts(query)

    async def apply(self, change: Change) -> Case | None:
        """Write a change in one atomic write: its fields, its timeline entry and the events to publish.

        The events wait in the case's outbox until Kafka has them; a crash in between leaves them
        there for the relay. The change's guard refuses it after a concurrent change (None: nothing matched).
        """
        before = case_document(change.before)
        fields = differences(before, case_document(change.after))
        outbox = {f"outbox.{event.event_id}": encode_event(event).decode() for event in change.events}
        update: Document = {"$set": {**fields, **outbox}}
        # Marked before the write: a crash after it leaves a mark for the relay (a mark without its event expires there).
        now = datetime.now(UTC)
        await insert_new(self._marks, [{"_id": str(event.event_id), "case_id": change.before.id, "at": now} for event in change.events])
        if change.entry is not None:
            update["$push"] = {"timeline": entry_document(change.entry)}
        expect = {name: before.get(name) for name in change.guard}
        updated = await self._cases.find_one_and_update({"_id": change.before.id, **expect}, update, return_document=ReturnDocument.AFTER)
        if updated is not None:
            await self.queue.refresh(updated)
        return case_or_none(updated)

    async def update(self, before: Case, after: Case) -> None:
        """Write what differs between two versions of a case, unguarded: for changes no event announces (priority refreshes)."""
        if fields := differences(case_document(before), case_document(after)):
            await self._cases.update_one({"_id": before.id}, {"$set": fields})
            await self._refresh_queue(before.id)

    async def set_evidence(self, case_id: str, item: EvidenceItem) -> bool:
        """Write one file's safe-copy state on its case; False if the case is gone (erased meanwhile)."""
        result = await self._cases.update_one({"_id": case_id}, {"$set": {f"evidence.{item.id}": evidence_document(item)}})
        return result.matched_count == 1

    async def add_duplicate_hint(self, case_id: str, hint: DuplicateHint) -> None:
        """Put a duplicate hint about another case on a case."""
        await self._cases.update_one({"_id": case_id}, {"$set": {f"duplicates.{hint.case_id}": hint_document(hint)}})

    async def settle_duplicate_hint(self, case_id: str, other_id: str, state: str) -> None:
        """Mark a case's hint about another case confirmed or dismissed (the other side of a settled pair)."""
        await self._cases.update_one({"_id": case_id}, {"$set": {f"duplicates.{other_id}.state": state}})

    async def clear_outbox(self, case_id: str, event_ids: Iterable[str]) -> None:
        """Forget events Kafka has acknowledged, and their marks."""
        event_ids = list(event_ids)
        await self._cases.update_one({"_id": case_id}, {"$unset": {f"outbox.{event_id}": "" for event_id in event_ids}})
        for event_id in event_ids:
            await self._marks.delete_one({"_id": event_id})

    async def with_pending_events(self, limit: int = 500, *, everywhere: bool = False) -> list[tuple[str, list[str]]]:
        """Cases whose outbox still holds events: each case id with its encoded events.

        Found through the outbox marks (a small collection) and read by `_id`; `everywhere` scans every case instead,
        which the daily sweep does to catch events written without a mark (by a version before the marks).
        """
        if everywhere:
            cursor = self._cases.find({"outbox": {"$exists": True, "$ne": {}}}, projection={"outbox": 1}, limit=limit)
            return [(doc["_id"], list(doc["outbox"].values())) async for doc in cursor]
        marks = [mark async for mark in self._marks.find({}, limit=limit)]
        outboxes = {
            doc["_id"]: doc.get("outbox") or {} for doc in await find_by_ids(self._cases, {mark["case_id"] for mark in marks}, {"outbox": 1})
        }
        expired = datetime.now(UTC) - MARK_GRACE
        for mark in marks:
            # A mark whose event is not (or no longer) in its case's outbox: the write was refused, crashed before
            # it, or its case was erased. Kept for a grace period, as the write it announces may still be on its way.
            if mark["_id"] not in outboxes.get(mark["case_id"], {}) and mark["at"] < expired:
                await self._marks.delete_one({"_id": mark["_id"]})
        return [(case_id, list(outbox.values())) for case_id, outbox in outboxes.items() if outbox]

    async def add_reply_once(self, report_id: UUID, entry: TimelineEntry) -> bool:
        """Append a reporter's reply to their case unless it is there, and mark it unread; False if not added."""
        result = await self._cases.update_one(
            {"report_id": str(report_id), "timeline.id": {"$ne": entry.id}},
            {"$push": {"timeline": entry_document(entry)}, "$inc": {"unread_replies": 1}, "$set": {"reply_waiting": True}},
        )
        await self._refresh_queue(case_id_for(report_id))  # also for a repeat: it heals a crash before the refresh
        return result.modified_count == 1

    async def add_evidence_once(self, case_id: str, item: EvidenceItem) -> bool:
        """Attach a file the reporter added later, unless the case has it already (a redelivery keeps its safe-copy state)."""
        result = await self._cases.update_one(
            {"_id": case_id, f"evidence.{item.id}": {"$exists": False}}, {"$set": {f"evidence.{item.id}": evidence_document(item)}}
        )
        return result.modified_count == 1

    async def mark_replies_read(self, case_id: str, seen: int) -> bool:
        """Clear the unread mark, unless more replies arrived than the `seen` ones the reader was shown."""
        result = await self._cases.update_one(
            {"_id": case_id, "unread_replies": seen}, {"$set": {"unread_replies": 0, "reply_waiting": False}}
        )
        await self._refresh_queue(case_id)
        return result.modified_count == 1

    async def delete(self, case_id: str) -> bool:
        """Delete a case with everything on it; False if it was already gone."""
        found = await find_by_ids(self._cases, [case_id], SOURCE_PROJECTION)
        deleted = (await self._cases.delete_one({"_id": case_id})).deleted_count
        await self.queue.forget(found, deleted=deleted)
        return deleted == 1

    async def closed_before(self, cutoff: datetime, limit: int = 500) -> list[Case]:
        """Closed cases whose closure is older than `cutoff`."""
        cursor = self._cases.find({"status": "closed", "closed_at": {"$lt": cutoff}}, projection=_LIST_PROJECTION, limit=limit)
        return [case_from_document(doc) async for doc in cursor]

    async def flag_unclosed_before(self, cutoff: datetime) -> int:
        """Flag open cases received before `cutoff` for a retention review; returns how many were newly flagged."""
        result = await self._cases.update_many(
            {"status": {"$ne": "closed"}, "received_at": {"$lt": cutoff}, "retention_review": {"$ne": True}},
            {"$set": {"retention_review": True}},
        )
        await self.queue.flag_unclosed_before(cutoff)
        return result.modified_count

    async def figures_by_ids(self, case_ids: Iterable[str]) -> dict[str, CaseFigures]:
        """What these cases contribute to the statistics, by id (read by `_id`); erased cases are missing."""
        return {doc["_id"]: figures_from_document(doc) for doc in await find_by_ids(self._cases, case_ids, FIGURES_PROJECTION)}

    async def all_figures(self, batch_size: int) -> AsyncIterator[list[CaseFigures]]:
        """What every case contributes to the statistics, in batches (for a rebuild)."""
        batch = []
        async for doc in self._cases.find({}, FIGURES_PROJECTION, batch_size=batch_size):
            batch.append(figures_from_document(doc))
            if len(batch) == batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    async def casework_by_ids(self, case_ids: Iterable[str]) -> dict[str, CaseWork]:
        """What these cases contribute to the annual report, by id (read by `_id`); erased cases are missing."""
        return {doc["_id"]: casework_from_document(doc) for doc in await find_by_ids(self._cases, case_ids, CASEWORK_PROJECTION)}

    async def all_casework(self, batch_size: int) -> AsyncIterator[list[CaseWork]]:
        """What every case contributes to the annual report, in batches (for a rebuild)."""
        batch = []
        async for doc in self._cases.find({}, CASEWORK_PROJECTION, batch_size=batch_size):
            batch.append(casework_from_document(doc))
            if len(batch) == batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    async def _refresh_queue(self, case_id: str) -> None:
        if (doc := await self._cases.find_one({"_id": case_id}, SOURCE_PROJECTION)) is not None:
            await self.queue.refresh(doc)

    async def all_queue_sources(self, batch_size: int) -> AsyncIterator[list[Document]]:
        """Every case's fields the queue's read model is built from, in batches (for a rebuild)."""
        batch = []
        async for doc in self._cases.find({}, SOURCE_PROJECTION, batch_size=batch_size):
            batch.append(doc)
            if len(batch) == batch_size:
                yield batch
                batch = []
        if batch:
            yield batch


# Lists never carry sealed texts, the timeline or the outbox: smaller, and nothing to open by mistake.
_LIST_PROJECTION = {"sealed_description": 0, "sealed_contact": 0, "timeline": 0, "outbox": 0, "reporter_public_key": 0}