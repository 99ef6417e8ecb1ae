"""The queue's read model against the real database: kept current by every case write, idempotent, and equal to a rebuild."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from meldestelle_shared.events import ReportAbandoned
from meldestelle_shared.mongo import create_client
from meldestelle_shared.settings import MongoSettings
from meldestelle_shared.taxonomy import CaseStatus, ClosureReason, District, LifeArea
from triage.cases.model import CaseRules, reporter_reply
from triage.cases.queue import SORTS
from triage.cases.queue.rebuild import rebuild_queue
from triage.cases.repository import CaseRepository
from triage.cases.service import open_cases

pytestmark = pytest.mark.infra


@pytest.fixture
async def cases(infrastructure, unique_name):
    client = create_client(MongoSettings(uri=infrastructure.database_uri("triage")), app_name="test")
    yield CaseRepository(client[unique_name])
    await client.close()


async def no_publish(events) -> None:
    """Events are not this test's subject."""


async def snapshot(cases: CaseRepository) -> dict:
    """Everything the read model holds, with id lists as sets (their order is arrival order, not part of the state)."""
    view = cases.queue
    return {
        "open": {doc["_id"]: doc async for doc in view.open.find({})},
        "counters": {doc["_id"]: set(doc["ids"]) if "ids" in doc else doc["value"] async for doc in view.counters.find({}) if doc.get("ids", 1)},
        "references": {doc["_id"]: doc["case_id"] async for doc in view.references.find({})},
        "archive": {doc["_id"]: set(doc["case_ids"]) async for doc in view.archive.find({}) if doc["case_ids"]},
    }


async def test_the_read_model_follows_every_change_and_a_rebuild_equals_it(cases, make_report):
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

    moved = await cases.apply(first.move_to(CaseStatus.IN_REVIEW, actor_id="staff-1"))
    assert await cases.apply(first.move_to(CaseStatus.IN_REVIEW, actor_id="staff-1")) is None  # a retry meets the guard
    await cases.apply(moved.assign("staff-1", actor_id="staff-1"))
    await cases.apply(second.assign("staff-2", actor_id="lead"))
    closed = await cases.apply(third.close(ClosureReason.RESOLVED, actor_id="lead"))
    reply = reporter_reply(uuid4(), at=datetime.now(UTC), sealed_text="sealed")
    assert await cases.add_reply_once(UUID(fourth.report_id), reply)
    assert not await cases.add_reply_once(UUID(fourth.report_id), reply)  # redelivered reply
    await cases.apply(fourth.close(ClosureReason.RESOLVED, actor_id="lead"))
    reopened = await cases.apply(closed.reopen(actor_id="lead"))
    await cases.apply(reopened.close(ClosureReason.WITHDRAWN, actor_id="lead"))
    await cases.delete(fifth.id)
    await cases.delete(fifth.id)  # erased twice: once gone, nothing changes
    await open_cases([ReportAbandoned(correlation_id=second.report_id, report_id=second.report_id)], repository=cases, publish=no_publish, rules=rules)

    counts, replies = await cases.queue_counts({})
    assert counts == {"in_review": 1, "closed": 2} and replies == 0  # the reply waits on a closed case
    assert await cases.queue.per_assignee() == {"staff-1": 1}
    page, total = await cases.page({}, sort=SORTS["priority"], skip=0, limit=25)
    assert [c.id for c in page] == [first.id] and total == 1 and page[0].assignee_id == "staff-1"
    archived, _ = await cases.page({"status": "closed"}, sort=SORTS["newest"], skip=0, limit=25)
    assert {c.id for c in archived} == {third.id, fourth.id}
    assert await cases.queue.case_id_for_reference(fourth.reference) == fourth.id
    assert await cases.queue.case_id_for_reference(fifth.reference) is None
    month = first.received_month
    assert (await cases.queue.archive_page(f"month:{month}|district:mitte", skip=0, limit=10)) == ([first.id], 1)

    live = await snapshot(cases)
    assert await rebuild_queue(cases) == 3
    assert await snapshot(cases) == live
