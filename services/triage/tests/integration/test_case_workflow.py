"""The case workflow against real Kafka and the real database: each change is stored, audited and announced."""

from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from devstack.kafka import KafkaAccess
from devstack.probes import eventually, publish_raw, read_topic
from meldestelle_shared.events import (
    CaseAssigned,
    CaseClassified,
    CaseClosed,
    CaseCreated,
    CaseReopened,
    CaseStatusChanged,
    OfficeMessageSent,
    decode_event,
    encode_event,
)
from meldestelle_shared.sealing import load_private_key, unseal
from meldestelle_shared.taxonomy import District, Form, Ground, LifeArea
from triage.app import create_app

pytestmark = pytest.mark.infra


def case_events(bootstrap: KafkaAccess, topic: str, count: int) -> list:
    events = [decode_event(r.value) for r in read_topic(bootstrap, topic)]
    events = [e for e in events if not isinstance(e, CaseCreated)]
    return events if len(events) >= count else []


def submit(client, bootstrap, topics, event, token) -> dict:
    publish_raw(bootstrap, topics.reports, [(event.partition_key(), encode_event(event))])
    return eventually(
        lambda: next((c for c in client.get("/api/v1/cases", headers=token).json()["items"] if c["reference"]), None),
        what="the case",
    )


def test_every_change_is_announced_and_on_the_timeline(triage_settings, topics, infrastructure, make_report, staff, service_headers):
    bootstrap = infrastructure.kafka.admin
    token = service_headers
    report, reporter_key = make_report(
        "Der Hausmeister hat mich beleidigt.", grounds=[Ground.AGE], life_area=LifeArea.HOUSING, district=District.MITTE
    )
    with TestClient(create_app(triage_settings)) as client:
        case = submit(client, bootstrap, topics, report, token)
        lead, lead_id = staff.log_in(client, "lena.lead", ["lead"])
        worker, worker_id = staff.log_in(client, "carl.worker", ["caseworker"])
        url = f"/api/v1/cases/{case['id']}"

        assert client.post(f"{url}/status", json={"status": "in_review"}, headers=worker).status_code == 200
        assert client.put(f"{url}/assignee", json={"assignee_id": worker_id}, headers=lead).status_code == 200
        classification = {"grounds": ["age", "disability"], "forms": ["harassment_or_insult"], "life_area": "housing"}
        assert client.put(f"{url}/classification", json=classification, headers=worker).status_code == 200
        sent = client.post(f"{url}/messages", json={"text": "Können Sie uns mehr erzählen?"}, headers=worker)
        assert sent.status_code == 201
        assert client.post(f"{url}/notes", json={"text": "Rückruf Mittwoch"}, headers=worker).status_code == 201
        closed = client.post(f"{url}/close", json={"reason": "resolved"}, headers=worker)
        assert closed.status_code == 200 and closed.json()["status"] == "closed"
        assert client.post(f"{url}/reopen", json={}, headers=lead).json()["status"] == "in_progress"

        view = client.get(url, headers=worker).json()
        announced = eventually(lambda: case_events(bootstrap, topics.cases, 6), what="six case events")

    assert [type(e) for e in announced] == [CaseStatusChanged, CaseAssigned, CaseClassified, OfficeMessageSent, CaseClosed, CaseReopened]
    assert all(e.report_id == report.report_id and str(e.case_id) == case["id"] for e in announced)
    status, assigned, classified, message, closing, reopening = announced
    assert (status.previous_status, status.status) == ("new", "in_review")
    assert assigned.assignee_id == worker_id and classified.grounds == [Ground.AGE, Ground.DISABILITY]
    assert classified.forms == [Form.HARASSMENT_OR_INSULT]
    assert str(message.message_id) == sent.json()["message_id"]
    assert unseal(load_private_key(reporter_key), message.sealed_for_reporter) == "Können Sie uns mehr erzählen?"
    assert closing.closure_reason == "resolved" and reopening.status == "in_progress"

    # Staff's classification stands beside the reporter's answers, never over them.
    assert view["reporter"]["grounds"] == ["age"] and view["classification"]["grounds"] == ["age", "disability"]
    kinds = [entry["kind"] for entry in view["timeline"]]
    assert kinds == ["status_changed", "assigned", "classified", "office_message", "note", "closed", "reopened"]
    texts = {entry["kind"]: entry.get("text") for entry in view["timeline"]}
    assert texts["office_message"] == "Können Sie uns mehr erzählen?" and texts["note"] == "Rückruf Mittwoch"
    assert view["description"] == "Der Hausmeister hat mich beleidigt."


def test_invalid_transitions_are_refused_with_the_allowed_steps(triage_settings, topics, infrastructure, make_report, staff, service_headers):
    token = service_headers
    report, _ = make_report()
    with TestClient(create_app(triage_settings)) as client:
        case = submit(client, infrastructure.kafka.admin, topics, report, token)
        worker, _ = staff.log_in(client, "wanda", ["caseworker"])
        url = f"/api/v1/cases/{case['id']}"
        refused = client.post(f"{url}/status", json={"status": "waiting_for_reporter"}, headers=worker)
        assert refused.status_code == 409 and "allowed: in_review" in refused.json()["message"]
        bad_reason = client.post(f"{url}/close", json={"reason": "bored"}, headers=worker)
        assert bad_reason.status_code == 422 and bad_reason.json()["fields"][0]["field"] == "reason"
        empty = client.post(f"{url}/notes", json={"text": ""}, headers=worker)
        assert empty.status_code == 422 and empty.json()["fields"][0]["field"] == "text"
        reopen = client.post(f"{url}/reopen", json={}, headers=worker)
        assert reopen.status_code == 403  # only leads reopen
        assert client.get(url, headers=token).json()["status"] == "new"  # refused changes changed nothing; a service read is nobody's look
        assert client.get(url, headers=worker).json()["status"] == "in_review"  # a caseworker's first look


def test_service_token_can_message_the_reporter(triage_settings, topics, infrastructure, make_report, service_headers):
    """The contract intake relies on: POST messages with the bearer token, 201 with the message id."""
    bootstrap = infrastructure.kafka.admin
    token = service_headers
    report, reporter_key = make_report()
    with TestClient(create_app(triage_settings)) as client:
        case = submit(client, bootstrap, topics, report, token)
        response = client.post(f"/api/v1/cases/{case['id']}/messages", json={"text": "Hallo"}, headers=token)
        assert response.status_code == 201
        message_id = UUID(response.json()["message_id"])
        [event] = eventually(lambda: case_events(bootstrap, topics.cases, 1), what="the message event")
    assert isinstance(event, OfficeMessageSent) and event.message_id == message_id
    assert unseal(load_private_key(reporter_key), event.sealed_for_reporter) == "Hallo"
