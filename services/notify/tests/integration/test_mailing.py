"""notify against real Kafka, the real database and a real SMTP server."""

import time
from uuid import uuid4

import httpx
import pytest
from fastapi.testclient import TestClient

from devstack.probes import eventually, publish_raw
from meldestelle_shared.events import CaseCreated, encode_event
from meldestelle_shared.taxonomy import Priority
from notify.app import create_app

pytestmark = pytest.mark.infra


def case_created() -> CaseCreated:
    return CaseCreated.for_case(case_id=uuid4(), report_id=uuid4(), reference="DU-2026-000777", priority=Priority.HIGH)


def mails_to(infrastructure, address: str) -> list:
    return [m for m in infrastructure.smtp.messages() if m["To"] == address]


def test_one_email_per_case_event_even_when_redelivered(notify_settings, topics, infrastructure):
    event = case_created()
    with TestClient(create_app(notify_settings)):
        publish_raw(infrastructure.kafka.admin, topics.cases, [(event.partition_key(), encode_event(event))] * 3)
        [mail] = eventually(lambda: mails_to(infrastructure, notify_settings.office_address), what="the e-mail")
        time.sleep(2)  # give a wrong second e-mail time to arrive
    assert len(mails_to(infrastructure, notify_settings.office_address)) == 1
    assert "DU-2026-000777" in mail["Subject"] and str(event.case_id) in mail.get_content()


def test_smtp_outage_delays_the_email_but_does_not_lose_it(notify_settings, topics, infrastructure):
    event = case_created()
    infrastructure.smtp.stop()
    try:
        with TestClient(create_app(notify_settings)):
            publish_raw(infrastructure.kafka.admin, topics.cases, [(event.partition_key(), encode_event(event))])
            time.sleep(3)  # notify retries with backoff meanwhile
            infrastructure.smtp.start()
            infrastructure.smtp.wait_ready()
            eventually(lambda: mails_to(infrastructure, notify_settings.office_address), timeout=30, what="the delayed e-mail")
    finally:
        if not infrastructure.smtp.is_running:
            infrastructure.smtp.start()
            infrastructure.smtp.wait_ready()


def test_metrics_count_what_the_consumer_did(notify_settings, topics, infrastructure):
    event = case_created()
    metrics_url = f"http://{notify_settings.metrics.host}:{notify_settings.metrics.port}/metrics"
    with TestClient(create_app(notify_settings)) as client:
        publish_raw(infrastructure.kafka.admin, topics.cases, [(event.partition_key(), encode_event(event)), (b"k", b"junk")])
        eventually(lambda: mails_to(infrastructure, notify_settings.office_address), what="the e-mail")
        assert client.get("/healthz").status_code == 200
        assert client.get("/metrics").status_code == 404  # never on the service's own port

        def exposed() -> str:
            text = httpx.get(metrics_url, timeout=5).text
            return text if 'events_dead_lettered_total{consumer="' in text and "events_consumed_total" in text else ""

        text = eventually(exposed, what="consumer metrics on the metrics port")
    assert f'events_dead_lettered_total{{consumer="{notify_settings.consumer_group}"}} 1.0' in text
    assert 'http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'route="unmatched",status="404"' in text
    assert "127.0.0.1" not in text
    with pytest.raises(httpx.TransportError):  # the endpoint ends with the app
        httpx.get(metrics_url, timeout=2)
