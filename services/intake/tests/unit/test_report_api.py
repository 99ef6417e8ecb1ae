"""Validation at the edge: each kind of bad input gets a 4xx naming the field, and nothing is published."""

import json

import pytest

from meldestelle_shared.events import ReportSubmitted, decode_event
from meldestelle_shared.sealing import load_private_key, unseal
from meldestelle_shared.taxonomy import Wish

VALID = {
    "description": "Der Vermieter sagte, an Ausländer vermiete er nicht.",
    "grounds": ["racist_attribution"],
    "forms": ["denial_of_access_or_service"],
    "life_area": "housing",
    "district": "hamborn",
    "reporter_role": "affected",
    "incident_date": "2026-10",
    "language": "de",
}


def test_valid_report_is_published_sealed_and_acknowledged(client, broker, inboxes, office_keys, notify_keys):
    response = client.post("/api/v1/reports", json=VALID | {"consent_contact": True, "contact": {"email": "a@example.org"}})
    assert response.status_code == 201, response.text
    body = response.json()
    [(topic, value, key)] = broker.published
    event = decode_event(value)
    assert isinstance(event, ReportSubmitted) and str(event.report_id) == body["report_id"] == key.decode()
    assert topic == "meldestelle.reports"
    raw = value.decode()
    assert "Vermieter" not in raw and "a@example.org" not in raw and body["receipt"].replace(" ", "") not in raw
    assert unseal(load_private_key(office_keys[0]), event.sealed_description) == VALID["description"]
    assert json.loads(unseal(load_private_key(office_keys[0]), event.sealed_contact)) == {"email": "a@example.org"}
    assert unseal(load_private_key(notify_keys[0]), event.sealed_contact_for_notify) == "a@example.org"
    [inbox] = inboxes.inboxes.values()
    assert inbox["_id"] == body["report_id"] and "receipt_hash" not in raw and inbox["receipt_hash"] not in raw
    assert event.reporter_verify_key and event.reporter_verify_key != event.reporter_public_key
    assert inbox["public_key"] == event.reporter_public_key and inbox["status"] == "new"


def test_minimal_report_needs_only_a_description(client, broker):
    assert client.post("/api/v1/reports", json={"description": "  Zehn Zeichen mindestens.  "}).status_code == 201
    assert len(broker.published) == 1


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"description": None}, "description", "Field required"),
        ({"description": "   kurz   "}, "description", "at least 10"),
        ({"description": "x" * 10_001}, "description", "at most 10000"),
        ({"grounds": ["astrology"]}, "grounds.0", "Input should be"),
        ({"forms": ["threat", "threat"]}, "forms", "twice"),
        ({"life_area": "moon"}, "life_area", "Input should be"),
        ({"district": "berlin"}, "district", "Input should be"),
        ({"reporter_role": "judge"}, "reporter_role", "Input should be"),
        ({"incident_date": "2999-01"}, "incident_date", "future"),
        ({"incident_date": "yesterday"}, "incident_date", "YYYY-MM"),
        ({"language": "Deutsch!"}, "language", "BCP 47"),
        ({"contact": {"email": "a@example.org"}}, "contact", "consent_contact"),
        ({"consent_contact": True, "contact": {"email": "not-an-address"}}, "contact.email", "e-mail"),
        ({"name": "Max Mustermann"}, "name", "not a known field"),
        ({"wishes": ["advice", "revenge"]}, "wishes.1", "Input should be"),
        ({"wishes": "advice"}, "wishes", "valid list"),
        ({"wishes": ["advice", "advice"]}, "wishes", "twice"),
        ({"referral_consent": "maybe"}, "referral_consent", "valid boolean"),
    ],
)
def test_invalid_fields_are_named_with_a_reason(client, broker, change, field, reason):
    body = {k: v for k, v in (VALID | change).items() if v is not None}
    response = client.post("/api/v1/reports", json=body)
    assert response.status_code == 422, response.text
    errors = response.json()["fields"]
    assert any(e["field"] == field and reason in e["reason"] for e in errors), errors
    assert broker.published == []


def test_wishes_and_referral_consent_reach_the_event_in_clear(client, broker):
    response = client.post("/api/v1/reports", json=VALID | {"wishes": ["legal_support", "advice"], "referral_consent": True})
    assert response.status_code == 201, response.text
    [(_, value, _)] = broker.published
    event = decode_event(value)
    assert event.wishes == [Wish.LEGAL_SUPPORT, Wish.ADVICE] and event.referral_consent is True


def test_a_report_without_wishes_asks_for_nothing_and_consents_to_no_referral(client, broker):
    assert client.post("/api/v1/reports", json=VALID).status_code == 201
    [(_, value, _)] = broker.published
    event = decode_event(value)
    assert event.wishes == [] and event.referral_consent is False


def test_malformed_json_is_a_400(client, broker):
    response = client.post("/api/v1/reports", content=b'{"description": ', headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "malformed_json"
    assert broker.published == []


def test_wrong_content_type_is_a_415(client, broker):
    response = client.post("/api/v1/reports", content=b"description=hello", headers={"content-type": "text/plain"})
    assert response.status_code == 415 and response.json()["error"] == "unsupported_media_type"
    assert broker.published == []


def test_oversize_body_is_a_413_even_without_content_length(client, broker):
    huge = json.dumps(VALID | {"description": "x" * 70_000}).encode()
    assert client.post("/api/v1/reports", content=huge, headers={"content-type": "application/json"}).status_code == 413

    def chunks():
        yield huge[:40_000]
        yield huge[40_000:]

    response = client.post("/api/v1/reports", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["error"] == "body_too_large"
    assert broker.published == []


def test_kafka_failure_is_a_503_saying_nothing_was_saved(client, broker, inboxes):
    from aiokafka.errors import KafkaTimeoutError

    broker.fail = KafkaTimeoutError()
    response = client.post("/api/v1/reports", json=VALID)
    assert response.status_code == 503
    assert response.json()["error"] == "report_not_saved" and "receipt" not in response.json()
    assert inboxes.inboxes == {}  # the inbox stored before publishing is gone again
