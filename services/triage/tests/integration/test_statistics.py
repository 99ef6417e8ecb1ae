"""The statistics read model against real Kafka and the real database: events move the counts, once."""

import asyncio
import time
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from devstack.probes import read_topic
from meldestelle_shared.events import (
    CaseClassified,
    CaseClosed,
    CaseCreated,
    CaseErased,
    CaseReopened,
    MonthlyStatisticsPublished,
    decode_event,
)
from meldestelle_shared.kafka import create_broker, publish_event
from meldestelle_shared.mongo import create_client
from meldestelle_shared.settings import MongoSettings
from meldestelle_shared.taxonomy import CaseStatus, ClosureReason, Form, Ground, Priority
from meldestelle_shared.leases import Leases
from triage.cases.documents import figures_from_document
from triage.stats.figures import contribution_of, count_members, month_counts, publication
from triage.stats.publication import publish_due_months
from triage.stats.service import current_counts, exact_counts, rebuild
from triage.stats.settings import StatisticsSettings
from triage.cases.ports import case_figures_port
from triage.stats.wiring import install_statistics

pytestmark = pytest.mark.infra

MONTH = "2026-03"


async def until(probe, *, timeout: float = 20.0, what: str):
    """Await `probe()` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (last: {result!r})")
        await asyncio.sleep(0.1)


@pytest.fixture
async def stats(infrastructure, topics, unique_name):
    """The statistics feature alone, consuming this test's case topic into this test's database."""
    broker = create_broker(infrastructure.kafka.access("triage").settings(), client_id="test")
    client = create_client(MongoSettings(uri=infrastructure.database_uri("triage")), app_name="test")
    database = client[unique_name]
    # The read model in a database of its own, as triage runs it; the cases stay in `database`.
    feature = install_statistics(
        broker, client[f"{unique_name}_statistics"], case_figures_port(database), topics=topics, consumer_group=f"{unique_name}-triage", settings=StatisticsSettings(check_interval_seconds=0),
        leases=Leases(database["job_leases"]),
    )
    await feature.start()
    await broker.start()
    yield feature, database
    await feature.stop()
    await broker.stop()
    await client.close()


def case_document(*, month: str = MONTH, grounds=("racist_attribution",), district: str = "mitte") -> dict:
    """A case as triage stores it, with only what statistics read (and a sealed field they must not need)."""
    return {
        "_id": str(uuid4()),
        "report_id": str(uuid4()),
        "received_month": month,
        "status": "new",
        "reporter": {"grounds": list(grounds), "forms": ["threat"], "life_area": "housing", "district": district,
                     "reporter_role": "affected", "language": "de"},  # fmt: skip
        "sealed_description": "c2VhbGVk",
    }


def created(case: dict) -> CaseCreated:
    return CaseCreated.for_case(
        case_id=UUID(case["_id"]), report_id=UUID(case["report_id"]), reference="DU-2026-000001", priority=Priority.NORMAL
    )


def about(case: dict) -> dict:
    return {"case_id": UUID(case["_id"]), "report_id": UUID(case["report_id"]), "correlation_id": UUID(case["report_id"])}


async def store_and_announce(feature, database, cases: list[dict]) -> None:
    await database["cases"].insert_many(cases)
    for case in cases:
        await publish_event(feature.broker, feature.topics.cases, created(case))


async def counts_reaching(feature, total: int, month: str = MONTH):
    async def probe():
        counts = await current_counts(month, repository=feature.repository)
        return counts if counts.total == total else None

    return await until(probe, what=f"{month} to count {total}")


async def test_case_events_move_the_counts_and_rebuild_gives_the_same_figures(stats):
    feature, database = stats
    cases = [case_document() for _ in range(6)] + [case_document(district="sued", grounds=())]
    await store_and_announce(feature, database, cases)
    counts = await counts_reaching(feature, 7)
    assert counts.tables["grounds"]["racist_attribution"] == 6 and counts.tables["grounds"]["not_stated"] == 1
    assert counts.tables["district"] == counts.tables["district"] | {"mitte": 6, "sued": 1}

    # Staff reclassify one case: its grounds move, the total stays.
    first, spam, erased = cases[0], cases[1], cases[2]
    await database["cases"].update_one({"_id": first["_id"]}, {"$set": {"classification": {
        "grounds": ["disability", "age"], "forms": ["harassment_or_insult"], "life_area": "work"}}})  # fmt: skip
    await publish_event(feature.broker, feature.topics.cases, CaseClassified(
        **about(first), grounds=[Ground.DISABILITY, Ground.AGE], forms=[Form.HARASSMENT_OR_INSULT], life_area="work"))  # fmt: skip

    async def reclassified():
        counts = await current_counts(MONTH, repository=feature.repository)
        return counts if counts.tables["grounds"]["disability"] == 1 else None

    counts = await until(reclassified, what="the reclassification")
    assert counts.total == 7 and counts.tables["grounds"]["racist_attribution"] == 5
    assert counts.tables["life_area"]["work"] == 1 and counts.tables["life_area"]["housing"] == 6

    # Closed as spam: the case leaves the figures; reopened: it is back.
    await database["cases"].update_one({"_id": spam["_id"]}, {"$set": {"status": "closed", "closure_reason": "spam"}})
    await publish_event(feature.broker, feature.topics.cases, CaseClosed(
        **about(spam), previous_status=CaseStatus.NEW, closure_reason=ClosureReason.SPAM))  # fmt: skip
    await counts_reaching(feature, 6)
    await database["cases"].update_one({"_id": spam["_id"]}, {"$set": {"status": "in_progress"}, "$unset": {"closure_reason": ""}})
    await publish_event(feature.broker, feature.topics.cases, CaseReopened(**about(spam), status=CaseStatus.IN_PROGRESS))
    await counts_reaching(feature, 7)

    # Erased (by the reporter): the count falls, even though triage announces it before deleting the case,
    # and a late repeat of the case's creation does not bring it back.
    await publish_event(feature.broker, feature.topics.cases, CaseErased(**about(erased), reason="reporter_request"))
    counts = await counts_reaching(feature, 6)
    await publish_event(feature.broker, feature.topics.cases, created(erased))
    # A marker on the same partition (same report key): once it counts, the repeat was handled before it.
    marker = case_document(month="2026-04") | {"report_id": erased["report_id"]}
    await store_and_announce(feature, database, [marker])
    await counts_reaching(feature, 1, "2026-04")
    assert (await current_counts(MONTH, repository=feature.repository)).total == 6
    await database["cases"].delete_one({"_id": erased["_id"]})

    maintained = await current_counts(MONTH, repository=feature.repository)
    exact = await exact_counts(MONTH, repository=feature.repository)
    result = await rebuild(repository=feature.repository, batch_size=4)
    assert result.cases == 7 and result.months == 2 and await feature.repository.months() == [MONTH, "2026-04"]
    assert await current_counts(MONTH, repository=feature.repository) == maintained == exact == counts
    assert await exact_counts(MONTH, repository=feature.repository) == exact


async def test_a_redelivered_event_changes_nothing(stats):
    feature, database = stats
    [case] = [case_document(month="2026-02")]
    await store_and_announce(feature, database, [case])
    await counts_reaching(feature, 1, "2026-02")
    # The same CaseCreated again, twice, then a marker case: once the marker counts, the repeats were handled.
    for _ in range(2):
        await publish_event(feature.broker, feature.topics.cases, created(case))
    marker = case_document(month="2026-02", district="walsum")
    await store_and_announce(feature, database, [marker])
    counts = await counts_reaching(feature, 2, "2026-02")
    assert counts.tables["district"]["mitte"] == 1 and counts.tables["district"]["walsum"] == 1
    assert counts.tables["grounds"]["racist_attribution"] == 2


async def test_due_months_are_published_once_with_suppression(stats, infrastructure, topics):
    feature, database = stats
    cases = [case_document(month="2026-01") for _ in range(8)] + [case_document(month="2026-01", district="sued")]
    cases += [case_document(month="2026-02")]
    await store_and_announce(feature, database, cases)
    await counts_reaching(feature, 9, "2026-01")
    await counts_reaching(feature, 1, "2026-02")
    published = []

    async def publish(event):
        published.append(event)
        await feature.publish(event)

    settings = StatisticsSettings(publish_day=5, check_interval_seconds=0)
    before_day = datetime(2026, 3, 4, 22, 59, tzinfo=UTC)  # 23:59 on 4 March in Duisburg: February not due yet
    assert await publish_due_months(repository=feature.repository, publish=publish, settings=settings, now=before_day) == ["2026-01"]
    on_day = datetime(2026, 3, 4, 23, 0, tzinfo=UTC)  # midnight in Duisburg
    assert await publish_due_months(repository=feature.repository, publish=publish, settings=settings, now=on_day) == ["2026-02"]
    assert await publish_due_months(repository=feature.repository, publish=publish, settings=settings, now=on_day) == []

    records = await asyncio.to_thread(read_topic, infrastructure.kafka.admin, topics.statistics)
    events = [decode_event(record.value) for record in records]
    assert events == published and all(isinstance(e, MonthlyStatisticsPublished) for e in events)
    january, february = events
    assert january.total == 9 and january.tables["district"]["mitte"] is None and january.tables["district"]["sued"] is None
    assert january.tables["grounds"]["racist_attribution"] == 9 and january.tables["district"]["walsum"] == 0
    assert february.total is None and set(february.tables["grounds"].values()) == {None}


def test_unsuppressed_figures_need_the_stats_permission(triage_settings, service_headers):
    from fastapi.testclient import TestClient

    from triage.app import create_app

    with TestClient(create_app(triage_settings)) as client:
        assert client.get("/api/v1/statistics/monthly/2026-03").status_code == 401
        token = service_headers  # holds stats.read
        body = client.get("/api/v1/statistics/monthly/2026-03", headers=token).json()
        assert body["month"] == "2026-03" and body["total"] == 0 and body["tables"]["district"]["mitte"] == 0
        bad = client.get("/api/v1/statistics/monthly/2026-3", headers=token)
        assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "month"
        assert client.get("/api/v1/statistics/months", headers=token).json() == {"months": []}


async def test_a_reclassification_that_only_renames_a_cell_reaches_the_live_figures(stats):
    # Issue 12, item 6: a one-case bucket whose counts change only in a cell's name (language -> nationality).
    # FerretDB 1.24 took the old and new counts for identical (it compares documents ignoring keys) and kept the old.
    feature, database = stats
    [case] = [case_document(month="2026-05", grounds=("language",))]
    await store_and_announce(feature, database, [case])
    await counts_reaching(feature, 1, "2026-05")
    staff = {"grounds": ["nationality_or_residence_status"], "forms": ["threat"], "life_area": "housing"}
    await database["cases"].update_one({"_id": case["_id"]}, {"$set": {"classification": staff}})
    await publish_event(feature.broker, feature.topics.cases, CaseClassified(
        **about(case), grounds=[Ground.NATIONALITY_OR_RESIDENCE_STATUS], forms=[Form.THREAT], life_area="housing"))  # fmt: skip

    async def reclassified():
        counts = await current_counts("2026-05", repository=feature.repository)
        return counts if counts.tables["grounds"]["nationality_or_residence_status"] == 1 else None

    counts = await until(reclassified, what="the reclassification in the live figures")
    assert counts.total == 1 and counts.tables["grounds"]["language"] == 0
    assert counts == await exact_counts("2026-05", repository=feature.repository)


async def test_injected_reports_closed_as_spam_are_not_in_the_published_month(stats):
    # Issue 11, item 8: an attacker adds 3 reports to Süd (2 real ones, hidden) to read 5 - 3 = 2 off the
    # published table. Staff close them as spam before the month is published: two closures have reached the
    # statistics, the third waits in the outbox (Kafka was down), so only the case document knows it.
    feature, database = stats
    month = "2026-06"
    honest = [case_document(month=month) for _ in range(6)] + [case_document(month=month, district="sued") for _ in range(2)]
    injected = [case_document(month=month, district="sued") for _ in range(3)]
    await store_and_announce(feature, database, honest + injected)
    await counts_reaching(feature, 11, month)
    spam = {"status": "closed", "closure_reason": "spam"}
    for case in injected:
        await database["cases"].update_one({"_id": case["_id"]}, {"$set": spam})
    for case in injected[:2]:
        await publish_event(feature.broker, feature.topics.cases, CaseClosed(
            **about(case), previous_status=CaseStatus.NEW, closure_reason=ClosureReason.SPAM))  # fmt: skip
    await counts_reaching(feature, 9, month)

    published = []

    async def publish(event):
        published.append(event)

    settings = StatisticsSettings(publish_day=5, check_interval_seconds=0)
    on_day = datetime(2026, 7, 5, 8, 0, tzinfo=UTC)
    assert month in await publish_due_months(repository=feature.repository, publish=publish, settings=settings, now=on_day)
    [event] = [e for e in published if e.month == month]
    expected = publication(
        month_counts(month, count_members({c["_id"]: contribution_of(figures_from_document(c))["cells"] for c in honest})), threshold=5, now=on_day
    )
    assert event.total == 8 and (event.total, event.tables) == (expected.total, expected.tables)
    assert event.tables["district"]["sued"] is None  # the 2 real reports stay hidden
