"""The follow-up loop against real Kafka and the real database: case events from triage reach the
reporter's page, and the reporter's answers and erasure requests reach the reports topic."""

import re
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from devstack.kafka import KafkaAccess
from devstack.probes import eventually, publish_raw, read_topic
from intake.app import create_app
from meldestelle_shared.days import office_day
from meldestelle_shared.events import (
    CaseCreated,
    CaseErased,
    CaseStatusChanged,
    OfficeMessageSent,
    ReporterReplied,
    ReportErasureRequested,
    ReportSubmitted,
    decode_event,
    encode_event,
)
from meldestelle_shared.sealing import load_private_key, load_public_key, seal, unseal
from meldestelle_shared.taxonomy import CaseStatus, Priority

pytestmark = pytest.mark.infra


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def submit(client: TestClient) -> str:
    page = client.get("/de/report").text
    data = {"csrf_token": token(page), "step": "review", "action": "submit", "description": "Man rief mir Beleidigungen nach."}
    response = client.post("/de/report", data=data)
    assert response.status_code == 200, response.text
    return re.search(r"data-receipt>([\d ]{19})<", response.text).group(1)


def inbox_page(client: TestClient, receipt: str) -> str:
    page = client.get("/de/check").text
    response = client.post("/de/check", data={"csrf_token": token(page), "receipt": receipt})
    return response.text if response.status_code == 200 else ""


def events_on(bootstrap: KafkaAccess, topic: str, kind: type) -> list:
    return [e for e in (decode_event(r.value) for r in read_topic(bootstrap, topic)) if isinstance(e, kind)]


def publish(bootstrap: KafkaAccess, topic: str, *events) -> None:
    publish_raw(bootstrap, topic, [(e.partition_key(), encode_event(e)) for e in events])


def test_case_events_reach_the_reporter_and_answers_reach_the_office(live_settings, infrastructure, topics, office_keys):
    bootstrap = infrastructure.kafka.admin
    with TestClient(create_app(live_settings)) as client:
        receipt = submit(client)
        [report] = events_on(bootstrap, topics.reports, ReportSubmitted)
        assert "Eingegangen" in inbox_page(client, receipt)  # the inbox exists before triage has seen the report

        case_id = uuid4()
        created = CaseCreated.for_case(case_id=case_id, report_id=report.report_id, reference="DU-2026-000001", priority=Priority.NORMAL)
        waiting = CaseStatusChanged(
            correlation_id=report.report_id, case_id=case_id, report_id=report.report_id,
            status=CaseStatus.WAITING_FOR_REPORTER, previous_status=CaseStatus.NEW,
        )  # fmt: skip
        question = OfficeMessageSent(
            correlation_id=report.report_id, case_id=case_id, report_id=report.report_id, message_id=uuid4(),
            sealed_for_reporter=seal(load_public_key(report.reporter_public_key), "Wo genau ist das passiert?"),
        )  # fmt: skip
        # The re-announced CaseCreated and the repeated message must change nothing.
        publish(bootstrap, topics.cases, created, waiting, question, created, question)
        page = eventually(
            lambda: (p := inbox_page(client, receipt)) and "Wo genau ist das passiert?" in p and "Wartet auf Sie" in p and p,
            timeout=20, what="the status and the office's question on the reporter's page",
        )  # fmt: skip
        assert page.count("Wo genau ist das passiert?") == 1

        answer = client.post("/de/check/reply", data={"csrf_token": token(page), "receipt": receipt, "text": "Am Hauptbahnhof."})
        assert answer.status_code == 200 and "Am Hauptbahnhof." in answer.text
        [reply] = eventually(lambda: events_on(bootstrap, topics.reports, ReporterReplied), what="the reply event")
        assert reply.report_id == report.report_id
        assert unseal(load_private_key(office_keys[0]), reply.sealed_text) == "Am Hauptbahnhof."

        # What intake stores is ciphertext only.
        database = client.app.state.context.client[live_settings.database]
        stored = repr(eventually(lambda: list_all(client, database), what="stored documents"))
        assert "Hauptbahnhof" not in stored and "Wo genau" not in stored and receipt.replace(" ", "") not in stored


def list_all(client: TestClient, database) -> list:
    async def read() -> list:
        return [d async for d in database["inboxes"].find()] + [d async for d in database["messages"].find()]

    return client.portal.call(read)


def test_erasure_by_the_reporter_and_by_triage(live_settings, infrastructure, topics):
    bootstrap = infrastructure.kafka.admin
    with TestClient(create_app(live_settings)) as client:
        by_reporter, by_triage = submit(client), submit(client)
        page = inbox_page(client, by_reporter)
        done = client.post("/de/check/delete", data={"csrf_token": token(page), "receipt": by_reporter, "confirm": "yes"})
        assert done.status_code == 200
        [request] = eventually(lambda: events_on(bootstrap, topics.reports, ReportErasureRequested), what="the erasure request")
        assert inbox_page(client, by_reporter) == ""

        reports = {e.report_id for e in events_on(bootstrap, topics.reports, ReportSubmitted)} - {request.report_id}
        [other] = reports
        publish(bootstrap, topics.cases, CaseErased(correlation_id=other, case_id=uuid4(), report_id=other, reason="retention"))
        eventually(lambda: inbox_page(client, by_triage) == "", timeout=20, what="triage's erasure to remove the inbox")


def test_wrong_receipts_change_nothing_in_the_database(live_settings):
    with TestClient(create_app(live_settings)) as client:
        receipt = submit(client)
        database = client.app.state.context.client[live_settings.database]
        before = list_all(client, database)
        page = client.get("/de/check").text
        wrong = client.post("/de/check", data={"csrf_token": token(page), "receipt": "9999 9999 9999 9999"})
        assert wrong.status_code == 404 and "keine Meldung mit dieser Quittung" in wrong.text
        assert list_all(client, database) == before and receipt not in repr(before)


def test_what_leaves_intake_keeps_only_the_day_and_no_receipt_hash(live_settings, infrastructure, topics):
    """Issue 11, items 10 and 12: exact times could be matched with proxy logs; the receipt hash linked Kafka to the inboxes."""
    bootstrap = infrastructure.kafka.admin
    with TestClient(create_app(live_settings)) as client:
        receipt = submit(client)
        page = inbox_page(client, receipt)
        assert client.post("/de/check/reply", data={"csrf_token": token(page), "receipt": receipt, "text": "Nachtrag."}).status_code == 200
        database = client.app.state.context.client[live_settings.database]
        stored = list_all(client, database)
        page = inbox_page(client, receipt)
        assert client.post("/de/check/delete", data={"csrf_token": token(page), "receipt": receipt, "confirm": "yes"}).status_code == 200
        records = eventually(lambda: len(found := read_topic(bootstrap, topics.reports)) == 3 and found, what="three events")
    today = office_day()
    events = [decode_event(record.value) for record in records]
    assert [type(e) for e in events] == [ReportSubmitted, ReporterReplied, ReportErasureRequested]
    assert all(event.occurred_at == today for event in events)
    assert all(record.timestamp == int(today.timestamp() * 1000) for record in records)  # Kafka's own timestamp too
    assert all(b"receipt_hash" not in record.value for record in records)
    [inbox] = [d for d in stored if "receipt_hash" in d]
    [copy] = [d for d in stored if d.get("author") == "reporter"]
    assert "created_at" not in inbox and inbox["created_on"] == today.date().isoformat()
    assert copy["sent_at"] == today  # nothing came before it that day, so the day is all it says
