"""Tracing: one report is one trace from the POST through Kafka to the case and the e-mail, and no span holds personal data.

intake, triage and notify run in this process under real uvicorn servers, against the session's Kafka, database
servers and SMTP sink; spans go to OpenTelemetry's in-memory exporter through the services' own allowlist.
"""

import asyncio
import json
from contextlib import AsyncExitStack

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from devstack.probes import read_topic, serving
from intake.app import create_app as create_intake
from intake.settings import ReceiptHashSettings
from intake.settings import Settings as IntakeSettings
from meldestelle_shared.sealing import generate_key_pair
from meldestelle_shared.settings import MongoSettings
from meldestelle_shared.telemetry import TracingSettings
from notify.app import create_app as create_notify
from notify.settings import Settings as NotifySettings
from notify.settings import SmtpSettings
from triage.app import create_app as create_triage
from triage.settings import Settings as TriageSettings

pytestmark = pytest.mark.infra

DESCRIPTION = "Der Hausmeister Kowalczyk hat mich im Treppenhaus beschimpft."
EMAIL = "tracing-reporter@example.org"
CLIENT_ADDRESS = "127.0.0.2"
REPORT = {
    "description": DESCRIPTION,
    "grounds": ["age"],
    "language": "de",
    "consent_contact": True,
    "contact": {"email": EMAIL},
}


def apps(infrastructure, topics, name: str, tracing: bool) -> tuple[FastAPI, FastAPI, FastAPI]:
    """intake, triage and notify on this test's topics and databases, with tracing on or off."""
    office_private, office_public = generate_key_pair()
    notify_private, notify_public = generate_key_pair()
    traced = TracingSettings(enabled=tracing)
    kafka = infrastructure.kafka
    intake = IntakeSettings(
        office_public_key=office_public,
        notify_public_key=notify_public,
        receipt_pepper="tracing-test-pepper-0123456789",
        receipt_hash=ReceiptHashSettings(memory_kib=8192, time_cost=1),
        https_only=False,
        database=name,
        consumer_group=f"{name}-intake",
        kafka=kafka.access("intake").settings(topic_prefix=topics.prefix),
        mongodb=MongoSettings(uri=infrastructure.database_uri("intake")),
        tracing=traced,
    )
    triage = TriageSettings(
        office_private_key=office_private,
        totp_private_key=generate_key_pair()[0],
        database=name,
        consumer_group=f"{name}-triage",
        job_interval_seconds=0,
        https_only=False,
        kafka=kafka.access("triage").settings(topic_prefix=topics.prefix),
        mongodb=MongoSettings(uri=infrastructure.database_uri("triage")),
        tracing=traced,
    )
    notify = NotifySettings(
        smtp=SmtpSettings(host="127.0.0.1", port=infrastructure.smtp.port, starttls=False, timeout=2.0),
        private_key=notify_private,
        office_address=f"{name}@office.test",
        database=name,
        consumer_group=f"{name}-notify",
        kafka=kafka.access("notify").settings(topic_prefix=topics.prefix),
        mongodb=MongoSettings(uri=infrastructure.database_uri("notify")),
        tracing=traced,
    )
    return create_intake(intake), create_triage(triage), create_notify(notify)


async def report_to_email(infrastructure, name: str, services: tuple[FastAPI, ...]) -> str:
    """Run the services, POST a report from 127.0.0.2, wait for the office's e-mail; returns the receipt."""
    async with AsyncExitStack() as running:
        [intake_url, *_] = [await running.enter_async_context(serving(app)) for app in services]
        transport = httpx.AsyncHTTPTransport(local_address=CLIENT_ADDRESS)
        async with httpx.AsyncClient(base_url=intake_url, transport=transport, timeout=30) as client:
            response = await client.post("/api/v1/reports?lang=de", json=REPORT)
        assert response.status_code == 201, response.text
        for _ in range(600):
            if [mail for mail in infrastructure.smtp.messages() if mail["To"] == f"{name}@office.test"]:
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("no e-mail to the office within 30 s")
        return response.json()["receipt"]


def exported(services: tuple[FastAPI, ...]) -> InMemorySpanExporter:
    """One in-memory exporter receiving every service's spans, scrubbed as an OTLP collector would get them."""
    exporter = InMemorySpanExporter()
    for app in services:
        app.state.tracing.export_to(exporter)
    return exporter


def chain_of(spans: list[ReadableSpan], last: ReadableSpan) -> list[ReadableSpan]:
    """`last` and its ancestors, root first."""
    by_id = {span.context.span_id: span for span in spans}
    chain = [last]
    while chain[-1].parent is not None:
        assert chain[-1].parent.span_id in by_id, f"the parent of {chain[-1].name!r} was not exported"
        chain.append(by_id[chain[-1].parent.span_id])
    return chain[::-1]


def everything_in(span: ReadableSpan) -> str:
    """All a span carries out of the process, as text."""
    return json.dumps(
        {
            "name": span.name,
            "attributes": dict(span.attributes or {}),
            "events": [(event.name, dict(event.attributes or {})) for event in span.events],
            "links": [dict(link.attributes or {}) for link in span.links],
            "resource": dict(span.resource.attributes),
            "status": span.status.description,
        },
        default=str,
    )


async def test_a_report_is_one_trace_from_the_post_to_the_email_without_personal_data(infrastructure, topics, unique_name):
    services = apps(infrastructure, topics, unique_name, tracing=True)
    exporter = exported(services)

    receipt = await report_to_email(infrastructure, unique_name, services)

    spans = list(exporter.get_finished_spans())
    [smtp] = [span for span in spans if span.name == "smtp send"]
    chain = chain_of(spans, smtp)
    steps = [(span.resource.attributes["service.name"], span.kind, span.name) for span in chain]
    assert steps[0] == ("meldestelle-intake", SpanKind.SERVER, "POST /api/v1/reports"), steps
    # FastStream puts the context of its "create" span into the headers; its "publish" span is that span's child.
    assert ("meldestelle-intake", SpanKind.PRODUCER, f"{topics.reports} create") in steps, steps
    assert ("meldestelle-triage", SpanKind.CONSUMER, f"{unique_name}-triage handle ReportSubmitted") in steps, steps
    assert ("meldestelle-triage", SpanKind.PRODUCER, f"{topics.cases} create") in steps, steps
    assert ("meldestelle-notify", SpanKind.CONSUMER, f"{unique_name}-notify handle CaseCreated") in steps, steps
    services_in_order = [service for service, _, _ in steps]
    assert services_in_order == sorted(services_in_order, key=["meldestelle-intake", "meldestelle-triage", "meldestelle-notify"].index)
    assert len({span.context.trace_id for span in chain}) == 1
    assert smtp.attributes["meldestelle.email.kind"] == "CaseCreated"
    creates = {span.context.span_id for span in chain if span.name.endswith(" create")}
    published = [span for span in spans if span.name.endswith(" publish") and span.parent and span.parent.span_id in creates]
    assert {span.name for span in published} == {f"{topics.reports} publish", f"{topics.cases} publish"}

    # FastStream starts a new trace per consumed batch, whose root links to the messages it holds; each event's span links back.
    [handled] = [span for span in chain if span.name == f"{unique_name}-triage handle ReportSubmitted"]
    [batch] = [span for span in spans if span.context.trace_id == handled.links[0].context.trace_id and span.parent is None]
    assert (batch.name, batch.kind) == (f"{topics.reports} create", SpanKind.CONSUMER)
    assert smtp.context.trace_id in {link.context.trace_id for link in batch.links}

    for span in spans:
        text = everything_in(span)
        for secret in (DESCRIPTION, "Kowalczyk", EMAIL, "example.org", CLIENT_ADDRESS, receipt, "lang=de"):
            assert secret not in text, (secret, span.name, text)
    server = [span for span in spans if span.kind == SpanKind.SERVER]
    assert server and all(span.attributes.get("http.route") for span in server)

    # Kafka records carry the trace context and nothing more of it (no baggage).
    trace_id = format(smtp.context.trace_id, "032x")
    for topic in (topics.reports, topics.cases):
        [record] = read_topic(infrastructure.kafka.admin, topic)
        headers = dict(record.headers)
        assert headers["traceparent"].decode().split("-")[1] == trace_id, topic
        assert set(headers) - {"content-type", "event_type", "schema_version", "correlation_id"} <= {"traceparent", "tracestate"}, headers


async def test_tracing_off_makes_no_spans_and_no_trace_headers(infrastructure, topics, unique_name, monkeypatch):
    everything = InMemorySpanExporter()  # would catch any span made through OpenTelemetry's global provider
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(everything))
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", provider)
    services = apps(infrastructure, topics, unique_name, tracing=False)
    assert all(app.state.tracing is None for app in services)

    await report_to_email(infrastructure, unique_name, services)

    assert everything.get_finished_spans() == ()  # FastAPI's own telemetry is off too (FASTAPI_TELEMETRY_OFF)
    assert not any(getattr(app, "_is_instrumented_by_opentelemetry", False) for app in services)
    for topic in (topics.reports, topics.cases):
        for record in read_topic(infrastructure.kafka.admin, topic):
            assert not {name for name, _ in record.headers} & {"traceparent", "tracestate", "baggage"}
