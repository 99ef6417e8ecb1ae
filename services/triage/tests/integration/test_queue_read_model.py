"""The queue's read model against the real database: kept current by every case write, idempotent, and equal to a rebuild."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from meldestelle_shared.events import ReportAbandoned
from meldestelle_shared.mongo import create_client
from meldestelle_shared.settings import MongoSettings
from meldestelle_shared.taxonomy import CaseStatus, ClosureReason, District, Ground, LifeArea
from triage.cases.model import CaseRules, reporter_reply
from triage.cases.queue import SORTS
from triage.cases.queue import cache
from triage.cases.queue.archive import PAGE_SIZE, ArchivePages
from triage.cases.queue.filters import matches
from triage.cases.queue.rebuild import rebuild_queue
from triage.cases.repository import CaseRepository
from triage.cases.service import open_cases

pytestmark = pytest.mark.infra


@pytest.fixture
async def client(infrastructure):
    client = create_client(MongoSettings(uri=infrastructure.database_uri("triage")), app_name="test")
    yield client
    await client.close()


@pytest.fixture
def cases(client, unique_name):
    return CaseRepository(client[unique_name], client[f"{unique_name}_queue"])


async def no_publish(events) -> None:
    """Events are not this test's subject."""


async def snapshot(cases: CaseRepository) -> dict:
    """What the read model says, independent of how it was written: per-instance counters summed, lists as sets."""
    view = cases.queue
    pages: dict[str, set] = {}
    async for page in view.archive.pages.find({}):
        pages.setdefault(page["_id"].rpartition("|")[0], set()).update(page["ids"])
    return {
        "open": {doc["_id"]: doc async for doc in view.open.find({})},
        "counters": {key: value for key, value in (await view.totals()).items() if value},
        "references": {doc["_id"]: (doc["case_id"], sorted(p["group"] for p in doc.get("archived") or [])) async for doc in view.references.find({})},
        "archive": {group: ids for group, ids in pages.items() if ids},
        "lengths": {doc["_id"]: doc["count"] async for doc in view.archive.heads.find({}) if doc["count"]},
    }


async def test_the_read_model_follows_every_change_and_a_rebuild_equals_it(cases, client, unique_name, make_report):
    reports = [
        make_report(life_area=LifeArea.HOUSING, district=District.MITTE)[0],
        make_report(life_area=LifeArea.WORK, district=District.MITTE)[0],
        make_report()[0],
        make_report(district=District.WALSUM)[0],
        make_report(life_area=LifeArea.HOUSING)[0],
    ]
    rules = CaseRules()
    await open_cases(reports, repository=cases, publish=no_publish, rules=rules)
    await open_cases(reports[:2], repository=cases, publish=no_publish, rules=rules)  # redelivered: counted once
    first, second, third, fourth, fifth = [await cases.get_by_report_id(r.report_id) for r in reports]
    # A second triage process writes too: its counters are documents of its own, and readers add them up.
    other = CaseRepository(client[unique_name], client[f"{unique_name}_queue"])
    other.queue.instance = "other-host-1"

    moved = await cases.apply(first.move_to(CaseStatus.IN_REVIEW, actor_id="staff-1"))
    assert await cases.apply(first.move_to(CaseStatus.IN_REVIEW, actor_id="staff-1")) is None  # a retry meets the guard
    assigned = await other.apply(moved.assign("staff-1", actor_id="staff-1"))
    await cases.queue.refresh(await cases._cases.find_one({"_id": first.id}))  # a repeated refresh adds nothing
    await cases.apply(second.assign("staff-2", actor_id="lead"))
    closed = await cases.apply(third.close(ClosureReason.RESOLVED, actor_id="lead"))
    reply = reporter_reply(uuid4(), at=datetime.now(UTC), sealed_text="sealed")
    assert await cases.add_reply_once(UUID(fourth.report_id), reply)
    assert not await cases.add_reply_once(UUID(fourth.report_id), reply)  # redelivered reply
    assert (await cases.queue_counts({}))[1] == 1
    await other.apply(fourth.close(ClosureReason.RESOLVED, actor_id="lead"))
    reopened = await cases.apply(closed.reopen(actor_id="lead"))
    await cases.apply(reopened.close(ClosureReason.WITHDRAWN, actor_id="lead"))
    await cases.delete(fifth.id)
    await cases.delete(fifth.id)  # erased twice: once gone, nothing changes
    await open_cases([ReportAbandoned(correlation_id=second.report_id, report_id=second.report_id)], repository=cases, publish=no_publish, rules=rules)

    counts, replies = await cases.queue_counts({})
    assert counts == {"in_review": 1, "closed": 2} and replies == 0  # the reply waits on a closed case
    assert await cases.queue.per_assignee() == {"staff-1": 1}
    assert {doc["_id"].rpartition("|")[2] async for doc in cases.queue.counters.find({})} == {cases.queue.instance, "other-host-1"}
    page, total, listed, _ = await cases.open_listing({}, status=None, sort=SORTS["priority"], skip=0, limit=25)
    assert [c.id for c in page] == [first.id] and total == 1 and page[0].assignee_id == "staff-1" == assigned.assignee_id
    assert listed == counts  # without a filter the counts come from the counters
    page, total, listed, _ = await cases.open_listing({"assignee_id": "staff-1"}, status="new", sort=SORTS["priority"], skip=0, limit=25)
    assert (page, total, listed) == ([], 0, {"in_review": 1})  # one pass: the page in a status, the counts of all statuses
    by_codes = {"effective.life_area": LifeArea.HOUSING.value, "reporter.district": District.MITTE.value}
    page, total, _, _ = await cases.open_listing(by_codes, status=None, sort=SORTS["newest"], skip=0, limit=25)
    assert [c.id for c in page] == [first.id] and page[0].reporter.district == District.MITTE
    # The archive: closed cases only, most recently closed first, by `_id` reads.
    archived, length = await cases.archived("closed", skip=0, limit=25)
    assert [c.id for c in archived] == [third.id, fourth.id] and length == 2
    ids, length = await cases.queue.archive_page(f"month:{fourth.received_month}|district:walsum", skip=0, limit=10)
    assert (ids, length) == ([fourth.id], 1)
    assert (await cases.by_reference(fourth.reference)).id == fourth.id
    assert (await cases.by_reference(first.reference.lower())).id == first.id
    assert await cases.by_reference(fifth.reference) is None

    live = await snapshot(cases)
    assert await rebuild_queue(cases) == 3
    assert await snapshot(cases) == live


async def test_each_process_copy_of_the_open_entries_follows_the_other_writers_by_id(cases, client, unique_name, make_report, monkeypatch):
    """A process reads the open entries once, then only what the writers' change logs name; its filters agree with the database's."""
    reports = [make_report(life_area=LifeArea.HOUSING, district=District.MITTE)[0], make_report(district=District.WALSUM)[0]]
    reports += [make_report(life_area=LifeArea.WORK)[0], make_report()[0], make_report(life_area=LifeArea.HOUSING, grounds=[Ground.RELIGION_OR_BELIEF])[0]]
    rules = CaseRules()
    await open_cases(reports, repository=cases, publish=no_publish, rules=rules)
    reader = CaseRepository(client[unique_name], client[f"{unique_name}_queue"])
    reader.queue.instance = "reader-host-1"
    copy = reader.queue.cached
    assert len(await copy.current()) == 5 and copy.scans == 1

    first, second, third, fourth, fifth = [await cases.get_by_report_id(r.report_id) for r in reports]
    await cases.apply(first.assign("staff-1", actor_id="staff-1"))
    await cases.apply(second.close(ClosureReason.RESOLVED, actor_id="lead"))
    assert await cases.add_reply_once(UUID(third.report_id), reporter_reply(uuid4(), at=datetime.now(UTC), sealed_text="sealed"))
    await cases.delete(fourth.id)
    await open_cases([make_report(district=District.MITTE)[0]], repository=cases, publish=no_publish, rules=rules)

    queries = [
        {}, {"assignee_id": None}, {"assignee_id": "staff-1"}, {"effective.life_area": "housing"}, {"reporter.district": "mitte"},
        {"effective.grounds": Ground.RELIGION_OR_BELIEF.value}, {"reply_waiting": True}, {"reply_waiting": {"$ne": True}}, {"priority": first.priority.priority.value},
        {"received_month": first.received_month, "reporter.district": "walsum"}, {"retention_review": True},
    ]  # fmt: skip
    for query in queries:
        held = sorted(entry["_id"] for entry in await copy.current() if matches(entry, query))
        assert held == sorted([doc["_id"] async for doc in reader.queue.open.find(query)]), query
    assert len(await copy.current()) == 4 and copy.scans == 1  # every change was read by `_id`

    await cases.flag_unclosed_before(datetime(2100, 1, 1, tzinfo=UTC))  # may change any entry: readers scan once
    assert all(entry["retention_review"] for entry in await copy.current()) and copy.scans == 2
    await rebuild_queue(cases)  # the logs start again: readers scan once
    assert len(await copy.current()) == 4 and copy.scans == 3
    assert len(await copy.current()) == 4 and copy.scans == 3

    # A writer that crashed between an entry and its log entry: the periodic scan, off the request path, finds the change.
    await reader.queue.open.update_one({"_id": first.id}, {"$set": {"assignee_id": "staff-9"}})
    assert "staff-9" not in {entry["assignee_id"] for entry in await copy.current()}
    monkeypatch.setattr(cache, "RELOAD_AFTER", 0)
    await copy.current()
    await copy.reloading
    assert "staff-9" in {entry["assignee_id"] for entry in await copy.current()} and copy.scans == 4
    await copy.reloading  # the next one, started by that read


async def test_archive_lists_fill_pages_of_bounded_size_and_read_back_newest_first(client, unique_name):
    pages = ArchivePages(client[f"{unique_name}_queue"])
    ids = [f"case-{n:04d}" for n in range(PAGE_SIZE + 30)]
    for case_id in ids:
        await pages.append("month:2026-03", case_id)
    assert [len(page["ids"]) async for page in pages.pages.find({}, sort=[("_id", 1)])] == [PAGE_SIZE, 30]
    newest = list(reversed(ids))
    assert await pages.read("month:2026-03", skip=0, limit=25) == (newest[:25], len(ids))
    assert await pages.read("month:2026-03", skip=25, limit=25) == (newest[25:50], len(ids))  # across the page border
    assert await pages.read("month:2026-03", skip=500, limit=50) == (newest[500:], len(ids))
    await pages.remove("month:2026-03", 0, "case-0003")
    assert (await pages.read("month:2026-03", skip=0, limit=1000))[1] == len(ids) - 1
    assert "case-0003" not in (await pages.read("month:2026-03", skip=0, limit=1000))[0]
