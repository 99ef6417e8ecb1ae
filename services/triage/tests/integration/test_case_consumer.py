"""triage against real Kafka and the real database: one case per report, whatever is redelivered."""

from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from devstack.kafka import KafkaAccess
from devstack.probes import eventually, publish_raw, read_topic
from meldestelle_shared.events import CaseCreated, ReportSubmitted, decode_event, encode_event
from meldestelle_shared.sealing import load_public_key, seal
from meldestelle_shared.taxonomy import Form, Ground, LifeArea
from triage.app import create_app

pytestmark = pytest.mark.infra


def report_event(office_public_key: str, text: str) -> ReportSubmitted:
    report_id = uuid4()
    return ReportSubmitted(
        correlation_id=report_id,
        report_id=report_id,
        grounds=[Ground.RELIGION_OR_BELIEF],
        forms=[Form.THREAT],
        life_area=LifeArea.PUBLIC_SPACE,
        sealed_description=seal(load_public_key(office_public_key), text),
    )


def records_once_at_least(count: int, bootstrap: KafkaAccess, topic: str) -> list:
    records = read_topic(bootstrap, topic)
    return records if len(records) >= count else []


def test_duplicate_report_events_make_one_case_and_one_announcement(triage_settings, topics, infrastructure, office_keys, service_headers):
    bootstrap = infrastructure.kafka.admin
    event = report_event(office_keys[1], "Im Bus wurde ich wegen meines Kopftuchs bedroht.")
    token = service_headers
    with TestClient(create_app(triage_settings)) as client:
        publish_raw(bootstrap, topics.reports, [(event.partition_key(), encode_event(event))] * 2)
        page = eventually(lambda: client.get("/api/v1/cases", headers=token).json()["items"], what="the case")
        before = len(eventually(lambda: read_topic(bootstrap, topics.cases), what="the announcement"))
        publish_raw(bootstrap, topics.reports, [(event.partition_key(), encode_event(event))])
        announced = eventually(lambda: records_once_at_least(before + 1, bootstrap, topics.cases), what="a repeat")
        assert client.get("/api/v1/cases", headers=token).json()["total"] == 1
        [case] = page
        assert case["priority"] == "urgent" and case["priority_reason"] == "physical_violence_or_threat"
        assert case["reporter"]["grounds"] == ["religion_or_belief"] and "description" not in case
        detail = client.get(f"/api/v1/cases/{case['id']}", headers=token).json()
        assert detail["description"] == "Im Bus wurde ich wegen meines Kopftuchs bedroht."
    events = [decode_event(r.value) for r in announced]
    assert all(isinstance(e, CaseCreated) for e in events)
    assert len({e.event_id for e in events}) == 1  # repeats carry the same id, so consumers drop them
    assert events[0].reference.startswith("DU-") and str(events[0].case_id) == case["id"]


def test_poison_messages_are_dead_lettered_and_the_consumer_goes_on(triage_settings, topics, infrastructure, office_keys, service_headers):
    bootstrap = infrastructure.kafka.admin
    good = report_event(office_keys[1], "Beim Amt wurde ich nicht bedient.")
    with TestClient(create_app(triage_settings)) as client:
        publish_raw(bootstrap, topics.reports, [(b"k", b"\xff not json"), (b"k", b'{"event_type": "Unknown"}')])
        publish_raw(bootstrap, topics.reports, [(good.partition_key(), encode_event(good))])
        token = service_headers
        eventually(lambda: client.get("/api/v1/cases", headers=token).json()["total"] == 1, what="the good case")
    # Both: the good case (another partition) can be stored before the second poison message is dead-lettered.
    dead = eventually(lambda: records_once_at_least(2, bootstrap, topics.dead_letters), what="both dead letters")
    assert sorted(r.value for r in dead) == sorted([b"\xff not json", b'{"event_type": "Unknown"}'])
    assert all(dict(r.headers)["dead_letter_consumer"] == triage_settings.consumer_group.encode() for r in dead)


def test_staff_api_refuses_requests_without_the_token(triage_settings):
    with TestClient(create_app(triage_settings)) as client:
        assert client.get("/api/v1/cases").status_code == 401
        assert client.get("/api/v1/cases", headers={"Authorization": "Bearer wrong"}).status_code == 401
        refused = client.get(f"/api/v1/cases/{uuid4()}", headers={"Authorization": "Bearer wrong"})
        assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
        entries = client.portal.call(lambda: client.app.state.context.audit.page(filters={"reason": "unknown_token"}, skip=0, limit=10))
    assert entries[1] == 2  # each wrong token is in the audit log


async def test_a_reference_another_instance_drew_too_is_drawn_again_never_dropped(infrastructure, unique_name, office_keys):
    """FerretDB 1.24 can lose one of two concurrent `$inc`s of the counter, so two triage instances may draw one number.
    Before the fix the second case hit the unique reference, was taken for a redelivery, was not stored, and was announced."""
    from meldestelle_shared.mongo import create_client
    from meldestelle_shared.settings import MongoSettings
    from triage.cases.repository import CaseRepository
    from triage.cases.service import CaseRules, open_cases

    client = create_client(MongoSettings(uri=infrastructure.database_uri("triage")), app_name="test")
    try:
        repository = CaseRepository(client[unique_name])
        await repository.ensure_indexes()
        rules = CaseRules(reference_prefix="DU")
        announced = []

        async def publish(events) -> None:
            announced.extend(events)

        [first] = await open_cases([report_event(office_keys[1], "Erster Bericht.")], repository=repository, publish=publish, rules=rules)
        await client[unique_name]["counters"].update_one({}, {"$inc": {"value": -1}})  # the other instance's $inc was lost
        second, third = await open_cases(
            [report_event(office_keys[1], "Zweiter Bericht."), report_event(office_keys[1], "Dritter Bericht.")],
            repository=repository, publish=publish, rules=rules,
        )  # fmt: skip
        references = [first.reference, second.reference, third.reference]
        assert len(set(references)) == 3, references
        for event in (first, second, third):  # every announced case is stored, under the announced reference
            stored = await repository.get(event.case_id)
            assert stored is not None and stored.reference == event.reference
    finally:
        await client.close()
