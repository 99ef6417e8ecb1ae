"""Prometheus metrics: HTTP requests and latencies, events consumed, failed and dead-lettered, consumer lag.

They are served on a port of their own (METRICS_HOST, METRICS_PORT), never on the service's public
port: they show when reports arrive and when the office works. Each application has its own
registry, so several apps in one test process do not collide. Labels are route templates and
consumer names, never ids or addresses.
"""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from meldestelle_shared.settings import MetricsSettings


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


def install_metrics(app: FastAPI, registry: CollectorRegistry, settings: MetricsSettings) -> None:
    """Count the app's requests, and serve its registry on the metrics port while the app runs."""
    app.add_middleware(_HttpMetrics, registry=registry)
    if settings.port is None:
        return
    serve_app = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        # prometheus_client's own server, in a thread: it answers every path with the metrics and logs nothing.
        server, thread = start_http_server(settings.port, addr=settings.host, registry=registry)
        try:
            async with serve_app(app) as state:
                yield state
        finally:
            server.shutdown()
            server.server_close()
            thread.join()

    app.router.lifespan_context = lifespan
