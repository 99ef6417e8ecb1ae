"""Traces go over OTLP/HTTP to the configured endpoint, scrubbed; without an endpoint nothing is sent."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from meldestelle_shared.telemetry import TracingSettings, install_tracing


class Collector(BaseHTTPRequestHandler):
    """Records what an OTLP/HTTP client posts, and accepts it."""

    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self.received.append((self.path, self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_spans_reach_the_otlp_endpoint_scrubbed():
    server = HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings = TracingSettings(enabled=True, otlp_endpoint=f"http://127.0.0.1:{server.server_port}/")
        tracing = install_tracing(FastAPI(), KafkaBroker(), settings, service="intake")
        with tracing.provider.get_tracer("test").start_as_current_span("step", attributes={"client.address": "127.0.0.2", "http.route": "/x"}):
            pass
        assert tracing.provider.force_flush(10_000)
    finally:
        server.shutdown()
        thread.join()
    [(path, body)] = Collector.received
    assert path == "/v1/traces"
    request = ExportTraceServiceRequest.FromString(body)
    [resource_spans] = request.resource_spans
    service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}["service.name"]
    [span] = resource_spans.scope_spans[0].spans
    assert service == "meldestelle-intake" and span.name == "step"
    assert {a.key for a in span.attributes} == {"http.route"}


def test_without_an_endpoint_no_exporter_is_installed():
    tracing = install_tracing(FastAPI(), KafkaBroker(), TracingSettings(enabled=True), service="intake")
    assert tracing.provider._active_span_processor._span_processors == ()  # where the SDK keeps them: none
