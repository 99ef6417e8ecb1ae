"""Case storage. One document per report, unique on report_id: redelivery can never make a second case.

The only module that knows the document format: it maps documents to and from `Case`. Fields are only
ever added, so documents written by an older triage still read.
"""

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from meldestelle_shared.events import encode_event
from meldestelle_shared.mongo import find_by_ids
from meldestelle_shared.taxonomy import CaseStatus, ClosureReason, Priority
from triage.cases.model import (
    Case,
    CaseFigures,
    Change,
    Codes,
    DuplicateHint,
    ReporterAnswers,
    TimelineEntry,
    figures_of,
)
from triage.cases.priority import PriorityDecision

Document = dict[str, Any]
_DUPLICATE_KEY = 11000
# The queue sorts by this: urgent first.
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


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

    async def insert_reporting_conflicts(self, cases: Sequence[Case]) -> list[int]:
        """Insert cases; return the positions of those whose case already exists (a redelivered report)."""
        if not cases:
            return []
        try:
            await self._cases.insert_many([case_document(case) for case in cases], ordered=False)
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

    async def get(self, case_id: UUID) -> Case | None:
        """One case by id."""
        return _case_or_none(await self._cases.find_one({"_id": str(case_id)}))

    async def get_many(self, case_ids: Iterable[str], *, full: bool = False) -> list[Case]:
        """These cases (each looked up by `_id`); missing ones are left out."""
        return [case_from_document(doc) for doc in await find_by_ids(self._cases, case_ids, None if full else _LIST_PROJECTION)]

    async def get_by_report_id(self, report_id: UUID) -> Case | None:
        """The case of a report."""
        return _case_or_none(await self._cases.find_one({"report_id": str(report_id)}))

    async def page(self, query: Document, *, sort: list[tuple[str, int]], skip: int, limit: int) -> tuple[list[Case], int]:
        """A page of matching cases without their sealed texts and timeline, and the total count."""
        cursor = self._cases.find(query, projection=_LIST_PROJECTION, sort=sort, skip=skip, limit=limit)
        return [case_from_document(doc) async for doc in cursor], await self._cases.count_documents(query)

    async def find(self, query: Document, *, limit: int = 0, full: bool = False) -> list[Case]:
        """Matching cases, oldest first; without sealed texts and timeline unless `full`."""
        projection = None if full else _LIST_PROJECTION
        cursor = self._cases.find(query, projection=projection, sort=[("received_at", ASCENDING)], limit=limit)
        return [case_from_document(doc) async for doc in cursor]

    async def queue_counts(self, query: Document) -> tuple[dict[str, int], int]:
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

    async def apply(self, change: Change) -> Case | None:
        """Write a change in one atomic write: its fields, its timeline entry and the events to publish.

        The events wait in the case's outbox until Kafka has them; a crash in between leaves them
        there for the relay. The change's guard refuses it after a concurrent change (None: nothing matched).
        """
        before = case_document(change.before)
        fields = _differences(before, case_document(change.after))
        outbox = {f"outbox.{event.event_id}": encode_event(event).decode() for event in change.events}
        update: Document = {"$set": {**fields, **outbox}}
        if change.entry is not None:
            update["$push"] = {"timeline": _entry_document(change.entry)}
        expect = {name: before.get(name) for name in change.guard}
        updated = await self._cases.find_one_and_update({"_id": change.before.id, **expect}, update, return_document=ReturnDocument.AFTER)
        return _case_or_none(updated)

    async def update(self, before: Case, after: Case) -> None:
        """Write what differs between two versions of a case, unguarded: for changes no event announces (priority refreshes)."""
        if fields := _differences(case_document(before), case_document(after)):
            await self._cases.update_one({"_id": before.id}, {"$set": fields})

    async def add_duplicate_hint(self, case_id: str, hint: DuplicateHint) -> None:
        """Put a duplicate hint about another case on a case."""
        await self._cases.update_one({"_id": case_id}, {"$set": {f"duplicates.{hint.case_id}": _hint_document(hint)}})

    async def settle_duplicate_hint(self, case_id: str, other_id: str, state: str) -> None:
        """Mark a case's hint about another case confirmed or dismissed (the other side of a settled pair)."""
        await self._cases.update_one({"_id": case_id}, {"$set": {f"duplicates.{other_id}.state": state}})

    async def clear_outbox(self, case_id: str, event_ids: Iterable[str]) -> None:
        """Forget events Kafka has acknowledged."""
        await self._cases.update_one({"_id": case_id}, {"$unset": {f"outbox.{event_id}": "" for event_id in event_ids}})

    async def with_pending_events(self, limit: int = 500) -> list[tuple[str, list[str]]]:
        """Cases whose outbox still holds events: each case id with its encoded events."""
        cursor = self._cases.find({"outbox": {"$exists": True, "$ne": {}}}, projection={"outbox": 1}, limit=limit)
        return [(doc["_id"], list(doc["outbox"].values())) async for doc in cursor]

    async def add_reply_once(self, report_id: UUID, entry: TimelineEntry) -> bool:
        """Append a reporter's reply to their case unless it is there, and mark it unread; False if not added."""
        result = await self._cases.update_one(
            {"report_id": str(report_id), "timeline.id": {"$ne": entry.id}},
            {"$push": {"timeline": _entry_document(entry)}, "$inc": {"unread_replies": 1}, "$set": {"reply_waiting": True}},
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
        return result.modified_count

    async def figures_by_ids(self, case_ids: Iterable[str]) -> dict[str, CaseFigures]:
        """What these cases contribute to the statistics, by id (read by `_id`); erased cases are missing."""
        return {doc["_id"]: figures_from_document(doc) for doc in await find_by_ids(self._cases, case_ids, _FIGURES_PROJECTION)}

    async def all_figures(self, batch_size: int) -> AsyncIterator[list[CaseFigures]]:
        """What every case contributes to the statistics, in batches (for a rebuild)."""
        batch = []
        async for doc in self._cases.find({}, _FIGURES_PROJECTION, batch_size=batch_size):
            batch.append(figures_from_document(doc))
            if len(batch) == batch_size:
                yield batch
                batch = []
        if batch:
            yield batch


# Lists never carry sealed texts, the timeline or the outbox: smaller, and nothing to open by mistake.
_LIST_PROJECTION = {"sealed_description": 0, "sealed_contact": 0, "timeline": 0, "outbox": 0, "reporter_public_key": 0}
# Only what a statistics contribution needs: nothing sealed is ever read for statistics.
_FIGURES_PROJECTION = {"received_month": 1, "reporter": 1, "classification": 1, "closure_reason": 1}
# Not compared when a change is written: the timeline is appended to and the outbox is the change's own.
_NOT_DIFFED = frozenset({"_id", "timeline", "outbox"})


def case_document(case: Case) -> Document:
    """The stored form of a case."""
    doc: Document = {
        "_id": case.id,
        "report_id": case.report_id,
        "reference": case.reference,
        "status": case.status.value,
        "priority": case.priority.priority.value,
        "priority_rank": PRIORITY_RANK[case.priority.priority],
        "priority_reason": case.priority.reason,
        "agg_deadline": case.priority.agg_deadline.isoformat() if case.priority.agg_deadline else None,
        "received_at": case.received_at,
        "created_at": case.created_at,
        "received_month": case.received_month,
        # The reporter's perception, kept apart from any later staff classification.
        "reporter": _reporter_document(case.reporter),
        "sealed_description": case.sealed_description,
        "sealed_contact": case.sealed_contact,
        # Office messages are sealed to this key; only the reporter's receipt opens them.
        "reporter_public_key": case.reporter_public_key,
        # Replies and erasure requests must be signed with the matching key, which only the receipt yields.
        "reporter_verify_key": case.reporter_verify_key,
        # Stored for the queue's filters: the reporter's codes until staff classify the case.
        "effective": _codes_document(case.effective),
        "classification": _codes_document(case.classification) if case.classification else None,
        "assignee_id": case.assignee_id,
        "closure_reason": case.closure_reason.value if case.closure_reason else None,
        "closed_at": case.closed_at,
        "retention_review": case.retention_review,
        "timeline": [_entry_document(entry) for entry in case.timeline],
        "outbox": {},
        "duplicates": {other_id: _hint_document(hint) for other_id, hint in case.duplicates.items()},
    }
    # Written only once they are set, so a new case's document is what it always was.
    later = {"updated_at": case.updated_at, "reminded_on": case.reminded_on, "unread_replies": case.unread_replies, "reply_waiting": case.reply_waiting}
    doc.update({name: value for name, value in later.items() if value})
    return doc


def case_from_document(doc: Document) -> Case:
    """A stored case; a list's projection leaves the sealed texts and the timeline out."""
    deadline = doc.get("agg_deadline")
    return Case(
        id=doc["_id"],
        report_id=doc["report_id"],
        reference=doc["reference"],
        status=CaseStatus(doc["status"]),
        priority=PriorityDecision(Priority(doc["priority"]), doc["priority_reason"], date.fromisoformat(deadline) if deadline else None),
        received_at=doc["received_at"],
        received_month=doc["received_month"],
        reporter=_reporter_from(doc.get("reporter") or {}),
        created_at=doc.get("created_at"),
        updated_at=doc.get("updated_at"),
        sealed_description=doc.get("sealed_description"),
        sealed_contact=doc.get("sealed_contact"),
        reporter_public_key=doc.get("reporter_public_key"),
        reporter_verify_key=doc.get("reporter_verify_key"),
        classification=_codes_from(doc["classification"]) if doc.get("classification") else None,
        assignee_id=doc.get("assignee_id"),
        closure_reason=ClosureReason(doc["closure_reason"]) if doc.get("closure_reason") else None,
        closed_at=doc.get("closed_at"),
        retention_review=bool(doc.get("retention_review")),
        reminded_on=doc.get("reminded_on"),
        unread_replies=doc.get("unread_replies") or 0,
        reply_waiting=bool(doc.get("reply_waiting")),
        timeline=tuple(_entry_from(entry) for entry in doc.get("timeline") or ()),
        duplicates={other_id: _hint_from(hint) for other_id, hint in (doc.get("duplicates") or {}).items()},
    )


def figures_from_document(doc: Document) -> CaseFigures:
    """A case's statistics contribution from the few fields it needs (see `_FIGURES_PROJECTION`)."""
    staff = doc.get("classification")
    reporter = _reporter_from(doc.get("reporter") or {})
    return figures_of(doc["_id"], doc["received_month"], reporter, _codes_from(staff) if staff else None, doc.get("closure_reason"))


def _case_or_none(doc: Document | None) -> Case | None:
    return None if doc is None else case_from_document(doc)


def _differences(before: Document, after: Document, prefix: str = "") -> Document:
    """The `$set` that turns `before` into `after`: nested documents field by field, so concurrent writes to siblings survive."""
    changed: Document = {}
    for name, value in after.items():
        if not prefix and name in _NOT_DIFFED:
            continue
        old = before.get(name)
        if isinstance(value, dict) and isinstance(old, dict):
            changed.update(_differences(old, value, f"{prefix}{name}."))
        elif name not in before or old != value:
            changed[f"{prefix}{name}"] = value
    return changed


def _codes_document(codes: Codes) -> Document:
    return {"grounds": list(codes.grounds), "forms": list(codes.forms), "life_area": codes.life_area}


def _codes_from(doc: Document) -> Codes:
    return Codes(tuple(doc.get("grounds") or ()), tuple(doc.get("forms") or ()), doc.get("life_area"))


def _reporter_document(reporter: ReporterAnswers) -> Document:
    return {
        **_codes_document(reporter.codes), "district": reporter.district, "reporter_role": reporter.reporter_role,
        "incident_date": reporter.incident_date, "language": reporter.language,
    }  # fmt: skip


def _reporter_from(doc: Document) -> ReporterAnswers:
    return ReporterAnswers(
        codes=_codes_from(doc), district=doc.get("district"), reporter_role=doc.get("reporter_role"),
        incident_date=doc.get("incident_date"), language=doc.get("language"),
    )  # fmt: skip


def _entry_document(entry: TimelineEntry) -> Document:
    doc: Document = {"id": entry.id, "kind": entry.kind, "at": entry.at, "actor_id": entry.actor_id, **entry.details}
    if entry.sealed_text is not None:
        doc["sealed_text"] = entry.sealed_text
    return doc


def _entry_from(doc: Document) -> TimelineEntry:
    details = {key: value for key, value in doc.items() if key not in ("id", "kind", "at", "actor_id", "sealed_text")}
    return TimelineEntry(doc["id"], doc["kind"], doc["at"], doc.get("actor_id"), details, doc.get("sealed_text"))


def _hint_document(hint: DuplicateHint) -> Document:
    return {"case_id": hint.case_id, "reference": hint.reference, "score": hint.score, "state": hint.state}


def _hint_from(doc: Document) -> DuplicateHint:
    return DuplicateHint(doc["case_id"], doc["reference"], doc["score"], doc.get("state", "suggested"))
