"""A scheduled job's memory of the day (unit tier): a later round reads only the new and the changed open cases."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from meldestelle_shared.events import ReportSubmitted
from meldestelle_shared.taxonomy import CaseStatus
from triage.cases.model import Case, CaseRules
from triage.cases.seen import BATCH, SeenToday, unseen_cases

MONDAY = date(2026, 11, 30)
EARLIER = datetime(2026, 11, 30, 8, tzinfo=UTC)


def a_case() -> Case:
    report_id = uuid4()
    event = ReportSubmitted(correlation_id=report_id, report_id=report_id, receipt_hash="00", occurred_at=EARLIER, sealed_description="sealed")
    return Case.open(event, reference="DU-2026-000001", rules=CaseRules(), created_at=EARLIER)


class Reader:
    """Cases by id, counting what each round reads."""

    def __init__(self, cases):
        self.cases = {case.id: case for case in cases}
        self.read: list[str] = []

    async def __call__(self, ids):
        self.read += ids
        return [self.cases[i] for i in ids if i in self.cases]


def entries_of(cases, stamp=EARLIER):
    return [{"_id": case.id, "stamp": stamp} for case in cases]


async def checked(entries, today, seen, reader):
    return [case.id async for case in unseen_cases(entries, today, seen, read=reader)]


async def test_a_second_round_the_same_day_reads_only_new_and_changed_cases():
    cases = [a_case() for _ in range(3)]
    reader, seen = Reader(cases), SeenToday()
    entries = entries_of(cases)
    assert await checked(entries, MONDAY, seen, reader) == [case.id for case in cases]

    assert await checked(entries, MONDAY, seen, reader) == []  # nothing changed: nothing read
    changed = [{**entries[1], "stamp": EARLIER + timedelta(minutes=5)}]
    newcomer = a_case()
    reader.cases[newcomer.id] = newcomer
    reader.read.clear()
    later = [entries[0], *changed, entries[2], *entries_of([newcomer])]
    assert await checked(later, MONDAY, seen, reader) == [cases[1].id, newcomer.id]
    assert reader.read == [cases[1].id, newcomer.id]

    assert await checked(later, MONDAY + timedelta(days=1), seen, reader) == [*(c.id for c in cases), newcomer.id]  # a new day


async def test_a_case_whose_handling_failed_is_checked_again_next_round():
    cases = [a_case(), a_case()]
    reader, seen = Reader(cases), SeenToday()
    with pytest.raises(RuntimeError):
        async for case in unseen_cases(entries_of(cases), MONDAY, seen, read=reader):
            if case.id == cases[1].id:
                raise RuntimeError("publishing failed")
    assert await checked(entries_of(cases), MONDAY, seen, reader) == [cases[1].id]


async def test_closed_and_erased_cases_are_skipped_and_rounds_read_in_batches():
    open_cases = [a_case() for _ in range(BATCH + 1)]
    closed = replace(a_case(), status=CaseStatus.CLOSED)
    erased = a_case()
    reader = Reader([*open_cases, closed])
    batches = []

    async def read(ids):
        batches.append(len(ids))
        return await reader(ids)

    found = [case.id async for case in unseen_cases(entries_of([*open_cases, closed, erased]), MONDAY, None, read=read)]
    assert found == [case.id for case in open_cases] and batches == [BATCH, 3]
