"""intake's application: its parts come from `bootstrap`; this adds the lifespan, routers, middleware and error mapping."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from intake.bootstrap import bootstrap
from intake.errors import install_error_handlers, message_page
from intake.reports.router import document_report_bodies, router as reports_router
from intake.settings import Settings
from intake.site import followup_pages, info_pages, report_pages
from intake.site.security import SecurityHeaders, SiteRequestLimits
from intake.statistics.router import router as statistics_router
from meldestelle_shared.health import health_router
from meldestelle_shared.kafka import kafka_check
from meldestelle_shared.logs import configure_logging
from meldestelle_shared.metrics import install_metrics
from meldestelle_shared.mongo import mongo_check
from meldestelle_shared.startup import start_with_retry
from meldestelle_shared.telemetry import FASTAPI_TELEMETRY_OFF, install_tracing

STATIC_DIR = Path(__file__).parent / "site" / "static"
# The only addresses that take files (multipart bodies up to the evidence limits); every other body stays small.
UPLOAD_PATHS = re.compile(r"^(/api/v1/reports|/[a-zA-Z-]{2,8}/report/evidence|/[a-zA-Z-]{2,8}/check/evidence)$")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the intake application; settings default to the environment."""
    context = bootstrap(settings)
    settings = context.settings
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await start_with_retry(context.inboxes.ensure_indexes, name="database")
        await context.evidence.sweep_quietly()  # what a crash left pending
        await start_with_retry(context.broker.start, name="kafka")
        yield
        await context.broker.stop()
        await context.client.close()

    # No /docs or /redoc: FastAPI's viewers load their scripts from a CDN. /openapi.json documents the API.
    app = FastAPI(
        title="Meldestelle intake",
        summary="Anonymous reporting of discrimination: the public site and API.",
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        telemetry=FASTAPI_TELEMETRY_OFF,
    )
    app.state.context = context  # read only by intake.bootstrap.context_of
    too_large = message_page(context.pages, 413, "too_large")
    app.add_middleware(
        SiteRequestLimits,
        max_body_bytes=settings.max_body_bytes,
        too_large_page=too_large,
        takes_uploads=lambda path: UPLOAD_PATHS.match(path) is not None,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(SecurityHeaders, https_only=settings.https_only)
    install_error_handlers(app, context.pages)
    install_metrics(app, context.registry, settings.metrics)
    install_tracing(app, context.broker, context.settings.tracing, service="intake")
    app.include_router(reports_router)
    document_report_bodies(app)
    app.include_router(statistics_router)
    app.include_router(health_router({"kafka": kafka_check(context.broker), "database": mongo_check(context.client)}))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for pages in (report_pages, followup_pages, info_pages):
        app.include_router(pages.router)
    return app
