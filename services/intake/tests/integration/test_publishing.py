"""intake against real Kafka: a 201 means the event is on the topic."""

import pytest
from fastapi.testclient import TestClient

from devstack.probes import read_topic
from intake.app import create_app
from intake.settings import Settings
from meldestelle_shared.events import ReportSubmitted, decode_event

pytestmark = pytest.mark.infra


def test_acknowledged_report_is_on_the_topic(live_settings: Settings, infrastructure, topics):
    with TestClient(create_app(live_settings)) as client:
        assert client.get("/readyz").status_code == 200
        response = client.post("/api/v1/reports", json={"description": "Man hat mir den Zutritt verweigert.", "grounds": ["age"]})
    assert response.status_code == 201
    [record] = read_topic(infrastructure.kafka.admin, topics.reports)
    event = decode_event(record.value)
    assert isinstance(event, ReportSubmitted) and str(event.report_id) == response.json()["report_id"]
    assert event.grounds == ["age"] and record.key == str(event.report_id).encode()
    assert dict(record.headers)["event_type"] == b"ReportSubmitted"
