"""The annual report's casework counters: levels, consultations and minutes, interventions and outcomes, referrals.

Kept like the monthly figures: events only name a case; the case's casework is read through the cases' port as it is
now (`casework_of`) and its cells are set (never incremented) as the member of a year's bucket, so a repeated or late
event changes nothing and a crash is healed by the redelivery. A year is read as its `CASEWORK_BUCKETS` bucket
documents, each by `_id`: the report never scans cases at request time.

A member's cells are strings `cell=n` (e.g. `minutes:phone=45`): FerretDB 1.24 stores no nested arrays and skips a
`$set` whose value it finds identical by values alone (see `repository._as_pairs`), so counts live inside the strings.
"""

import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from pymongo.asynchronous.database import AsyncDatabase

from meldestelle_shared.events import (
    CaseClosed,
    CaseCreated,
    CaseDocumented,
    CaseErased,
    CaseReferred,
    CaseReopened,
    ConsultationLogged,
    Event,
    InterventionRecorded,
    InterventionUpdated,
    ReferralTakenUp,
)
from meldestelle_shared.mongo import find_by_ids, insert_new
from triage.cases.casework import CaseWork
from triage.cases.ports import CaseFiguresPort

NOT_STATED = "not_stated"
CASEWORK_BUCKETS = 16
# The events that can change a case's casework (closing as spam takes it out; reopening brings it back).
CASEWORK_EVENTS = (
    CaseCreated, CaseDocumented, ConsultationLogged, InterventionRecorded, InterventionUpdated, CaseReferred,
    ReferralTakenUp, CaseClosed, CaseReopened, CaseErased,
)  # fmt: skip


def referral_state(taken_up: bool | None) -> str:
    """A referral's cell: taken up, not taken up, or still open."""
    return "open" if taken_up is None else ("taken_up" if taken_up else "not_taken_up")


def casework_cells(work: CaseWork) -> dict[str, list[str]]:
    """A case's cells per year, as `cell=n` strings; nothing for a case that does not count."""
    if not work.counted:
        return {}
    years: dict[str, Counter[str]] = {}
    years.setdefault(work.year, Counter())[f"level:{work.level or NOT_STATED}"] += 1
    for consultation in work.consultations:
        cells = years.setdefault(consultation.year, Counter())
        cells[f"consultations:{consultation.channel}"] += 1
        cells[f"minutes:{consultation.channel}"] += consultation.minutes
    for intervention in work.interventions:
        years.setdefault(intervention.year, Counter())[f"interventions:{intervention.kind}:{intervention.outcome}"] += 1
    for referral in work.referrals:
        years.setdefault(referral.year, Counter())[f"referrals:{referral_state(referral.taken_up)}"] += 1
    return {year: sorted(f"{cell}={n}" for cell, n in cells.items()) for year, cells in years.items()}


def casework_bucket(case_id: str) -> int:
    """A stable bucket for a case (CRC32, not Python's salted hash)."""
    return zlib.crc32(case_id.encode()) % CASEWORK_BUCKETS


def bucket_id(year: str, bucket: int) -> str:
    """The `_id` of a year's bucket document."""
    return f"{year}:{bucket:02d}"


def summed_cells(members: Iterable[Sequence[str]]) -> dict[str, int]:
    """The counts of a year from its members' `cell=n` strings."""
    sums: Counter[str] = Counter()
    for cells in members:
        for entry in cells:
            cell, _, n = entry.rpartition("=")
            sums[cell] += int(n)
    return dict(sums)


class CaseworkStore:
    """`stats_casework` (a year's buckets: case id -> cells) and `stats_casework_places` (the years each case is in)."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._buckets = database["stats_casework"]
        self._places = database["stats_casework_places"]

    async def places(self, case_ids: Iterable[str]) -> dict[str, dict]:
        """The years each case is counted in now, and whether it was erased (read by `_id`)."""
        return {doc["_id"]: doc for doc in await find_by_ids(self._places, case_ids)}

    async def place(self, case_id: str, years: Sequence[str], *, erased: bool = False) -> None:
        """Record the years a case is counted in."""
        await self._places.update_one({"_id": case_id}, {"$set": {"years": sorted(years), "erased": erased}}, upsert=True)

    async def put(self, year: str, case_id: str, cells: list[str] | None) -> None:
        """Set a case's cells in its bucket of `year`, or take it out (None)."""
        key = f"members.{case_id}"
        update = {"$set": {"year": year, key: cells}} if cells is not None else {"$set": {"year": year}, "$unset": {key: ""}}
        await self._buckets.update_one({"_id": bucket_id(year, casework_bucket(case_id))}, update, upsert=True)

    async def year_counts(self, year: str) -> dict[str, int]:
        """A year's casework counts: its buckets, each read by `_id`."""
        found = await find_by_ids(self._buckets, (bucket_id(year, bucket) for bucket in range(CASEWORK_BUCKETS)), {"members": 1})
        return summed_cells(cells for doc in found for cells in (doc.get("members") or {}).values())

    async def clear(self) -> None:
        """Forget every counter (a rebuild starts here)."""
        for collection in (self._buckets, self._places):
            await collection.delete_many({})

    async def insert_rebuilt(self, buckets: Mapping[str, dict[str, list[str]]], places: Mapping[str, list[str]]) -> None:
        """Store rebuilt buckets and places in bulk."""
        docs = [{"_id": key, "year": key.split(":")[0], "members": members} for key, members in sorted(buckets.items())]
        for start in range(0, len(docs), 500):
            await _insert_or_replace(self._buckets, docs[start : start + 500])
        place_docs = [{"_id": case_id, "years": years, "erased": False} for case_id, years in places.items()]
        for start in range(0, len(place_docs), 1000):
            await _insert_or_replace(self._places, place_docs[start : start + 1000])


async def _insert_or_replace(collection, docs: list[dict]) -> None:
    """Insert in bulk; a document the live consumer wrote meanwhile is replaced by the rebuilt one (it is the whole truth)."""
    for i in await insert_new(collection, docs):
        await collection.replace_one({"_id": docs[i]["_id"]}, docs[i], upsert=True)


async def apply_casework_events(events: Sequence[Event], *, store: CaseworkStore, cases: CaseFiguresPort) -> int:
    """Bring the casework counters of the cases these events name up to date; returns how many cases were refreshed."""
    case_ids = list(dict.fromkeys(str(e.case_id) for e in events if isinstance(e, CASEWORK_EVENTS)))
    if not case_ids:
        return 0
    before = await store.places(case_ids)
    # Erasure is final: an erased case stays out even if its document is still there when a late event arrives.
    erased = {str(e.case_id) for e in events if isinstance(e, CaseErased)}
    erased |= {case_id for case_id, doc in before.items() if doc.get("erased")}
    works = await cases.casework_by_ids([case_id for case_id in case_ids if case_id not in erased])
    for case_id in case_ids:
        cells = casework_cells(works[case_id]) if case_id in works else {}
        old = list((before.get(case_id) or {}).get("years") or [])
        # The union first: a crash between the bucket writes still knows every year the case may sit in.
        await store.place(case_id, sorted(set(old) | set(cells)))
        for year in sorted(set(old) | set(cells)):
            await store.put(year, case_id, cells.get(year))
        await store.place(case_id, sorted(cells), erased=case_id in erased)
    return len(case_ids)


async def rebuild_casework(*, store: CaseworkStore, cases: CaseFiguresPort, batch_size: int = 2000) -> int:
    """Recompute every casework counter from the cases with the same function the event consumer uses."""
    await store.clear()
    buckets: dict[str, dict[str, list[str]]] = {}
    places: dict[str, list[str]] = {}
    counted = 0
    async for batch in cases.all_casework(batch_size):
        for work in batch:
            cells = casework_cells(work)
            places[work.case_id] = sorted(cells)
            for year, year_cells in cells.items():
                buckets.setdefault(bucket_id(year, casework_bucket(work.case_id)), {})[work.case_id] = year_cells
            counted += 1
    await store.insert_rebuilt(buckets, places)
    return counted
