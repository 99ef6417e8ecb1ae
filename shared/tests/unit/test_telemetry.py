"""The allowlist in front of every exporter: only ids, names, counts and codes leave the process."""

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, StatusCode

from meldestelle_shared.telemetry import Tracing, TracingSettings

ADDRESS = "reporter@example.org"


def test_only_allowlisted_attributes_leave_and_exception_texts_stay_behind():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    Tracing(provider).export_to(exporter)
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("linked") as other:
        pass
    try:
        with tracer.start_as_current_span(
            "smtp send",
            attributes={"meldestelle.email.kind": "CaseCreated", "smtp.recipient": ADDRESS, "client.address": "127.0.0.2"},
            links=[Link(other.get_span_context(), {"messaging.kafka.message.offset": 7, "note": ADDRESS})],
        ):
            raise ValueError(f"recipient refused: {ADDRESS}")
    except ValueError:
        pass
    [_, span] = exporter.get_finished_spans()
    assert dict(span.attributes) == {"meldestelle.email.kind": "CaseCreated"}
    [event] = span.events
    assert dict(event.attributes) == {"exception.type": "ValueError"}
    assert dict(span.links[0].attributes) == {"messaging.kafka.message.offset": 7}
    assert span.status.status_code == StatusCode.ERROR and span.status.description is None


def test_tracing_is_off_unless_enabled_and_reads_the_standard_endpoint(monkeypatch):
    assert TracingSettings().enabled is False
    monkeypatch.setenv("TRACING_ENABLED", "true")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    settings = TracingSettings()
    assert settings.enabled and settings.otlp_endpoint == "http://collector:4318"
