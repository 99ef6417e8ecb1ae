"""OpenTelemetry tracing, off by default: one trace per report, from the POST through Kafka to the case and the e-mail.

FastStream's middleware traces publishing and consuming and carries the trace context in the message headers
(`traceparent`, nothing else). It gives a consumed batch one span that only links to its messages, so the
consumer also starts one span per event as a child of that event's message (`handling_spans`): what a handler
publishes or sends for a report is parented by the span of the event of the same report (`caused_by`, `step`).

Spans leave the process only through `AllowlistExporter`: attributes, event attributes and link attributes
not named in `ALLOWED_ATTRIBUTES` are dropped, and status descriptions too (they hold exception texts), so
no instrumentation, present or future, can export a description, an address or a client's IP.
"""

import logging
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aiokafka.structs import ConsumerRecord
from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import Event as SpanEvent
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from meldestelle_shared.events import Event

log = logging.getLogger(__name__)

# Everything a span may carry out of the process: ids, names of topics and routes, counts, codes, error types.
ALLOWED_ATTRIBUTES = frozenset(
    {
        # FastAPI: the route template, never the raw path, query, client address or user agent
        "http.request.method",
        "http.method",
        "http.route",
        "http.response.status_code",
        "http.status_code",
        # Kafka, by FastStream and by handling_spans
        "messaging.system",
        "messaging.operation",
        "messaging.destination.name",
        "messaging.destination_publish.name",
        "messaging.message.id",
        "messaging.message.conversation_id",  # the report id every event of a report carries
        "messaging.kafka.destination.partition",
        "messaging.kafka.message.offset",
        "messaging.batch.message_count",
        "messaging.consumer.group.name",
        # this project's own
        "meldestelle.event.type",
        "meldestelle.event.id",
        "meldestelle.email.kind",
        "error.type",
        "exception.type",
    }
)


# FastAPI's own telemetry, off: it would send spans, metrics and logs (with URL queries and the input of rejected
# requests) to any global provider, past the allowlist; install_tracing adds the instrumentation that goes through it.
FASTAPI_TELEMETRY_OFF: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


class TracingSettings(BaseSettings):
    """Whether spans are made (TRACING_ENABLED) and where they go (the standard OTEL_EXPORTER_OTLP_ENDPOINT)."""

    model_config = SettingsConfigDict(env_prefix="TRACING_", populate_by_name=True)

    enabled: bool = Field(default=False, description="Trace requests and events with OpenTelemetry; off: no spans and no trace headers.")
    otlp_endpoint: str = Field(
        default="",
        validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT",
        description="Base URL of an OTLP/HTTP collector (traces go to /v1/traces); empty: spans are made but not exported.",
    )


class AllowlistExporter(SpanExporter):
    """Hands spans on with only allowlisted attributes and without status descriptions."""

    def __init__(self, exporter: SpanExporter) -> None:
        self.exporter = exporter

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Export the scrubbed copies of `spans`."""
        return self.exporter.export([scrubbed(span) for span in spans])

    def shutdown(self) -> None:
        """Shut the wrapped exporter down."""
        self.exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the wrapped exporter."""
        return self.exporter.force_flush(timeout_millis)


def scrubbed(span: ReadableSpan) -> ReadableSpan:
    """A copy of `span` holding only allowlisted attributes, anywhere in it."""
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=_allowed(span.attributes),
        events=[SpanEvent(event.name, _allowed(event.attributes), event.timestamp) for event in span.events],
        links=[Link(link.context, _allowed(link.attributes)) for link in span.links],
        kind=span.kind,
        status=Status(span.status.status_code),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _allowed(attributes: Attributes) -> dict[str, Any]:
    return {key: value for key, value in (attributes or {}).items() if key in ALLOWED_ATTRIBUTES}


class ServiceTelemetry(KafkaTelemetryMiddleware):
    """FastStream's Kafka tracing middleware, keeping its tracer at hand for the per-event spans."""

    def __init__(self, provider: TracerProvider) -> None:
        super().__init__(tracer_provider=provider, meter_provider=NoOpMeterProvider(), include_messages_counters=False)  # metrics: Prometheus

    @property
    def tracer(self) -> Tracer:
        """The tracer of the service's provider."""
        return self._tracer


@dataclass(frozen=True)
class Tracing:
    """A service's tracer provider, once tracing is on."""

    provider: TracerProvider

    def export_to(self, exporter: SpanExporter) -> None:
        """Also export every finished span, scrubbed, to `exporter` right away (tests use the in-memory one)."""
        self.provider.add_span_processor(SimpleSpanProcessor(AllowlistExporter(exporter)))


def install_tracing(app: FastAPI, broker: KafkaBroker, settings: TracingSettings, *, service: str) -> Tracing | None:
    """Trace `app`'s requests and `broker`'s messages as `service` if settings say so; app.state.tracing holds the result."""
    app.state.tracing = None
    if not settings.enabled:
        return None
    # The provider flushes and shuts down at exit (shutdown_on_exit), after uvicorn has stopped on SIGTERM.
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: f"meldestelle-{service}"}))
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # loads requests and protobuf: only when used

        exporter = OTLPSpanExporter(endpoint=f"{settings.otlp_endpoint.rstrip('/')}/v1/traces")
        provider.add_span_processor(BatchSpanProcessor(AllowlistExporter(exporter)))
    else:
        log.warning("tracing is on without OTEL_EXPORTER_OTLP_ENDPOINT: spans are made but not exported")
    broker.insert_middleware(ServiceTelemetry(provider))
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        meter_provider=NoOpMeterProvider(),
        excluded_urls="/healthz,/readyz,/metrics",
        exclude_spans=["receive", "send"],
    )
    app.state.tracing = Tracing(provider)
    return app.state.tracing


def tracer_of(broker: KafkaBroker) -> Tracer | None:
    """The tracer of the broker's tracing middleware; None when tracing is off."""
    return next((middleware.tracer for middleware in broker.middlewares if isinstance(middleware, ServiceTelemetry)), None)


# While a consumer handles a batch: its tracer, and per report (correlation id) the span of the batch's first event of it.
_handling: ContextVar[tuple[Tracer, dict[UUID, Span]] | None] = ContextVar("meldestelle_handling", default=None)
_PROPAGATOR = TraceContextTextMapPropagator()


@contextmanager
def handling_spans(broker: KafkaBroker, consumer: str, decoded: Sequence[tuple[Event, ConsumerRecord]]) -> Iterator[None]:
    """Give each event of a batch its own span, a child of the context in its message's headers, for the block's time."""
    tracer = tracer_of(broker)
    if tracer is None or not decoded:
        yield
        return
    batch = trace.get_current_span().get_span_context()  # FastStream's span of the whole batch
    spans = [_event_span(tracer, consumer, event, record, batch) for event, record in decoded]
    by_report: dict[UUID, Span] = {}
    for (event, _), span in zip(decoded, spans, strict=True):
        by_report.setdefault(event.correlation_id, span)
    token = _handling.set((tracer, by_report))
    try:
        yield
    except BaseException as error:
        for span in spans:
            span.set_status(StatusCode.ERROR)
            span.set_attribute("error.type", type(error).__name__)
        raise
    finally:
        _handling.reset(token)
        for span in spans:
            span.end()


def _event_span(tracer: Tracer, consumer: str, event: Event, record: ConsumerRecord, batch: trace.SpanContext) -> Span:
    headers = {name: value.decode(errors="replace") for name, value in (record.headers or ())}
    return tracer.start_span(
        f"{consumer} handle {event.event_type}",
        context=_PROPAGATOR.extract(headers),
        kind=SpanKind.CONSUMER,
        links=[Link(batch)] if batch.is_valid else None,
        attributes={
            "meldestelle.event.type": event.event_type,
            "meldestelle.event.id": str(event.event_id),
            "messaging.message.conversation_id": str(event.correlation_id),
            "messaging.destination.name": record.topic,
            "messaging.kafka.destination.partition": record.partition,
            "messaging.kafka.message.offset": record.offset,
            "messaging.consumer.group.name": consumer,
        },
    )


def caused_by(correlation_id: UUID | None) -> AbstractContextManager[Any]:
    """Run the block under the span of the event being handled for the same report, if any (e.g. to publish what follows)."""
    state = _handling.get()
    span = state[1].get(correlation_id) if state and correlation_id else None
    return trace.use_span(span, end_on_exit=False) if span else nullcontext()


@contextmanager
def step(name: str, correlation_id: UUID | None, **attributes: str) -> Iterator[None]:
    """A span around one step of handling a report's event (e.g. sending its e-mail); nothing outside a traced batch."""
    state = _handling.get()
    if state is None:
        yield
        return
    tracer, by_report = state
    parent = by_report.get(correlation_id) if correlation_id else None
    context = trace.set_span_in_context(parent) if parent else None
    with tracer.start_as_current_span(name, context=context, kind=SpanKind.CLIENT, attributes=attributes):
        yield
