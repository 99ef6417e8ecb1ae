"""Prometheus metrics at /metrics: HTTP requests and latencies, events consumed, failed and dead-lettered, consumer lag.

Each application has its own registry, so several apps in one test process do not collide.
Labels are route templates and consumer names, never ids or addresses.
"""

import time

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ConsumerMetrics:
    """What a Kafka consumer did, by consumer name."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.consumed = Counter("events_consumed", "Events handled successfully.", ["consumer"], registry=registry)
        self.failed = Counter("events_failed", "Batches put back after an outage.", ["consumer"], registry=registry)
        self.dead_lettered = Counter("events_dead_lettered", "Messages sent to the dead-letter topic.", ["consumer"], registry=registry)
        self.lag = Gauge("consumer_lag", "Messages waiting behind the last processed one.", ["consumer", "topic", "partition"], registry=registry)


class _HttpMetrics:
    """ASGI middleware counting requests and timing them by route template."""

    def __init__(self, app: ASGIApp, *, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests = Counter("http_requests", "HTTP requests.", ["method", "route", "status"], registry=registry)
        self.latency = Histogram("http_request_duration_seconds", "HTTP latency.", ["method", "route"], registry=registry)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.latency.labels(scope["method"], route).observe(time.perf_counter() - started)


def install_metrics(app: FastAPI, registry: CollectorRegistry) -> None:
    """Add request metrics and the /metrics endpoint, serving everything in the app's registry."""
    app.add_middleware(_HttpMetrics, registry=registry)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
