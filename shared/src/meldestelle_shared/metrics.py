"""Prometheus metrics: HTTP requests and latencies, events consumed, failed and dead-lettered, consumer lag.

They are served on a port of their own (METRICS_HOST, METRICS_PORT), never on the service's public
port: they show when reports arrive and when the office works. Each application has its own
registry, so several apps in one test process do not collide. Labels are route templates and
consumer names, never ids or addresses.

Several uvicorn workers of one service (`--workers`) run in prometheus_client's multiprocess mode:
the start-up script sets PROMETHEUS_MULTIPROC_DIR to an emptied directory, every worker writes its
values there, and whichever worker binds the metrics port first serves the sum of all workers'
files; the others find the port taken and leave it to that one.
"""

import errno
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess, start_http_server
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from meldestelle_shared.settings import MetricsSettings


class ConsumerMetrics:
    """What a Kafka consumer did, by consumer name."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.consumed = Counter("events_consumed", "Events handled successfully.", ["consumer"], registry=registry)
        self.failed = Counter("events_failed", "Batches put back after an outage.", ["consumer"], registry=registry)
        self.dead_lettered = Counter("events_dead_lettered", "Messages sent to the dead-letter topic.", ["consumer"], registry=registry)
        self.lag = Gauge(
            "consumer_lag",
            "Messages waiting behind the last processed one.",
            ["consumer", "topic", "partition"],
            registry=registry,
            multiprocess_mode="livemax",  # with several workers: the largest lag any running worker sees
        )


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
        served = _serve_metrics(settings, registry)
        try:
            async with serve_app(app) as state:
                yield state
        finally:
            if served:
                server, thread = served
                server.shutdown()
                server.server_close()
                thread.join()
            if _MULTIPROCESS_DIR:
                multiprocess.mark_process_dead(os.getpid())  # this worker's live gauges go with it

    app.router.lifespan_context = lifespan


_MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def _serve_metrics(settings: MetricsSettings, registry: CollectorRegistry) -> tuple[Any, Any] | None:
    """prometheus_client's own server, in a thread (it answers every path and logs nothing); None if another worker serves."""
    if _MULTIPROCESS_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=_MULTIPROCESS_DIR)
    try:
        return start_http_server(settings.port, addr=settings.host, registry=registry)
    except OSError as error:
        if _MULTIPROCESS_DIR and error.errno == errno.EADDRINUSE:
            return None  # a sibling worker holds the port and serves every worker's files
        raise
