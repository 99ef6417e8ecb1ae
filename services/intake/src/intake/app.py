"""Wiring: build intake's FastAPI application from its settings. Nothing connects at import time."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from intake.followup.projection import apply_case_events
from intake.followup.repository import InboxRepository
from intake.followup.service import Delivery
from intake.followup.throttle import ReceiptThrottle
from intake.receipts import ReceiptHasher
from intake.reports.router import router as reports_router
from intake.reports.throttle import SubmissionThrottle
from intake.reports.service import ReportNotSaved, SealingKeys
from intake.settings import Settings
from intake.site import followup_pages, info_pages, report_pages
from intake.site.drafts import DraftStore
from intake.site.followup_pages import ReceiptRefused
from intake.site.rendering import Pages
from intake.site.security import FormGuard, SecurityHeaders, SiteRequestLimits
from intake.site.web import FormRejected, language_of_path
from intake.statistics.router import router as statistics_router
from intake.statistics.wiring import install_statistics
from intake.throttling import MemoryThrottleStore
from meldestelle_shared.consuming import subscribe
from meldestelle_shared.events import Event
from meldestelle_shared.health import health_router
from meldestelle_shared.kafka import create_broker, kafka_check
from meldestelle_shared.logs import configure_logging
from meldestelle_shared.metrics import ConsumerMetrics, install_metrics
from meldestelle_shared.mongo import create_client, mongo_check
from meldestelle_shared.sealing import load_public_key
from meldestelle_shared.settings import secrets_dir
from meldestelle_shared.startup import start_with_retry
from meldestelle_shared.web import error_response, install_error_handlers

STATIC_DIR = Path(__file__).parent / "site" / "static"


@dataclass(frozen=True)
class IntakeContext:
    """What request and event handlers need, built once per application."""

    settings: Settings
    broker: KafkaBroker
    client: AsyncMongoClient
    inboxes: InboxRepository
    keys: SealingKeys
    hasher: ReceiptHasher
    throttle: ReceiptThrottle
    submissions: SubmissionThrottle
    guard: FormGuard
    pages: Pages

    def submission(self) -> dict[str, Any]:
        """The keyword arguments submit_report needs besides the report."""
        return {
            "broker": self.broker,
            "topic": self.settings.kafka.topics.reports,
            "keys": self.keys,
            "hasher": self.hasher,
            "inboxes": self.inboxes,
            "timeout": self.settings.kafka.publish_timeout_ms / 1000,
        }

    def delivery(self) -> Delivery:
        """Where follow-up events (replies, erasure requests) are published."""
        return Delivery(self.broker, self.settings.kafka.topics.reports, self.settings.kafka.publish_timeout_ms / 1000)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the intake application; settings default to the environment."""
    settings = settings or Settings(_secrets_dir=secrets_dir())
    configure_logging(settings.log_level)
    broker = create_broker(settings.kafka, client_id="intake")
    client = create_client(settings.mongodb, app_name="intake")
    pepper = settings.receipt_pepper.get_secret_value()
    guard = FormGuard(pepper, https_only=settings.https_only)
    throttle_store = MemoryThrottleStore()  # one process's counts; see intake.throttling for sharing them
    context = IntakeContext(
        settings=settings,
        broker=broker,
        client=client,
        inboxes=InboxRepository(client[settings.database]),
        keys=SealingKeys(office=load_public_key(settings.office_public_key), notify=load_public_key(settings.notify_public_key)),
        hasher=ReceiptHasher(pepper, time_cost=settings.receipt_hash_time_cost, memory_kib=settings.receipt_hash_memory_kib),
        throttle=ReceiptThrottle(
            store=throttle_store,
            free_failures=settings.receipt_free_failures,
            max_failures=settings.receipt_max_failures,
            max_attempts=settings.receipt_max_attempts,
            delay_seconds=settings.receipt_delay_seconds,
            window_seconds=settings.receipt_window_seconds,
            global_failures_per_minute=settings.receipt_global_failures_per_minute,
            global_max_delay=settings.receipt_global_max_delay_seconds,
        ),
        submissions=SubmissionThrottle(
            store=throttle_store, max_reports=settings.report_max_per_window, window_seconds=settings.report_window_seconds
        ),
        guard=guard,
        pages=Pages(settings.site, guard),
    )
    registry = CollectorRegistry()
    _subscribe(context, ConsumerMetrics(registry))
    statistics = install_statistics(
        broker, client[settings.database], topics=settings.kafka.topics, consumer_group=settings.consumer_group
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await start_with_retry(context.inboxes.ensure_indexes, name="database")
        await start_with_retry(broker.start, name="kafka")
        yield
        await broker.stop()
        await client.close()

    # No /docs or /redoc: FastAPI's viewers load their scripts from a CDN. /openapi.json documents the API.
    app = FastAPI(
        title="Meldestelle intake",
        summary="Anonymous reporting of discrimination: the public site and API.",
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = context
    app.state.statistics = statistics
    app.state.drafts = DraftStore()
    app.add_middleware(SiteRequestLimits, max_body_bytes=settings.max_body_bytes, too_large_page=_page_for(context, 413, "too_large"))
    app.add_middleware(SecurityHeaders, https_only=settings.https_only)
    install_error_handlers(app)
    _install_page_errors(app, context)
    install_metrics(app, registry, settings.metrics)

    @app.exception_handler(ReportNotSaved)
    async def _not_saved(request: Request, exc: ReportNotSaved) -> JSONResponse:
        return error_response(
            503, "report_not_saved", "Your report was NOT saved: the system is briefly unavailable. Please try again."
        )

    app.include_router(reports_router)
    app.include_router(statistics_router)
    app.include_router(health_router({"kafka": kafka_check(broker), "database": mongo_check(client)}))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for pages in (report_pages, followup_pages, info_pages):
        app.include_router(pages.router)
    return app


def _subscribe(context: IntakeContext, metrics: ConsumerMetrics) -> None:
    """Keep the reporter read model up to date from triage's case events, in intake's own consumer group."""
    settings = context.settings

    async def handle(events: Sequence[Event]) -> None:
        await apply_case_events(events, inboxes=context.inboxes)

    subscribe(
        context.broker,
        settings.kafka.topics.cases,
        group=settings.consumer_group,
        handle=handle,
        dead_letter_topic=settings.kafka.topics.dead_letters,
        metrics=metrics,
        description="Keeps each reporter's status and sealed office messages for the follow-up page.",
    )


def _install_page_errors(app: FastAPI, context: IntakeContext) -> None:
    """On the site, errors are pages in the resident's language; the API keeps its JSON errors."""
    json_http_error = app.exception_handlers[StarletteHTTPException]

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith(("/api/", "/static/")) or exc.status_code not in _PAGE_ERRORS:
            return await json_http_error(request, exc)
        return _page_for(context, exc.status_code, _PAGE_ERRORS[exc.status_code])(request.scope)

    @app.exception_handler(FormRejected)
    async def _form_rejected(request: Request, exc: FormRejected) -> Response:
        return _page_for(context, 403, "form_rejected")(request.scope)

    @app.exception_handler(ReceiptRefused)
    async def _receipt_refused(request: Request, exc: ReceiptRefused) -> Response:
        return exc.response


_PAGE_ERRORS = {400: "bad_request", 404: "not_found", 405: "not_found"}


def _page_for(context: IntakeContext, status: int, kind: str) -> Callable[[Scope], Response]:
    """A renderer of the message page `kind`, in the language of the requested address."""

    def render(scope: Scope) -> Response:
        language = language_of_path(scope["path"])
        return context.pages.render(Request(scope), language, "message.html", page="/", status=status, kind=kind)

    return render
