"""triage's application: the parts from `triage.bootstrap`, the routers, the edge's handlers and the lifespan."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from meldestelle_shared.health import health_router
from meldestelle_shared.kafka import kafka_check
from meldestelle_shared.logs import configure_logging
from meldestelle_shared.metrics import install_metrics
from meldestelle_shared.mongo import mongo_check
from meldestelle_shared.settings import secrets_dir
from meldestelle_shared.startup import start_with_retry
from meldestelle_shared.telemetry import FASTAPI_TELEMETRY_OFF, install_tracing
from meldestelle_shared.web import RequestLimits, install_error_handlers
from triage import scheduler
from triage.audit.router import router as audit_router
from triage.bootstrap import bootstrap
from triage.cases.router import router as cases_router
from triage.catalogue.router import router as catalogue_router
from triage.evidence.router import router as evidence_router
from triage.cookies import StrictTransportSecurity
from triage.referrals.router import router as referrals_router
from triage.reports.router import api as reports_router
from triage.reports.router import pages as report_pages
from triage.edge import install_refusal_handlers
from triage.letters.router import router as letters_router
from triage.letters.service import seed_templates
from triage.settings import Settings
from triage.staff.router import router as staff_router
from triage.stats.router import router as statistics_router
from triage.workbench.pages import HERE as WORKBENCH_DIR
from triage.workbench.casework import router as casework_router
from triage.workbench.router import router as workbench_router


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the triage application; settings default to the environment."""
    settings = settings or Settings(_secrets_dir=secrets_dir())
    configure_logging(settings.log_level)
    context = bootstrap(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for repository in (context.cases, context.staff, context.sessions, context.audit, context.letters.letters):
            await start_with_retry(repository.ensure_indexes, name="database")
        await start_with_retry(lambda: seed_templates(context.letters.templates), name="database")
        await start_with_retry(context.cases.queue.cached.current, name="database")  # the queue's first page needs no scan
        await start_with_retry(context.broker.start, name="kafka")
        await context.statistics.start()
        jobs = asyncio.create_task(scheduler.run_forever(context)) if settings.job_interval_seconds else None
        yield
        if jobs:
            jobs.cancel()
            with suppress(asyncio.CancelledError):
                await jobs
        await context.statistics.stop()
        await context.broker.stop()
        await context.client.close()

    # No /docs or /redoc: FastAPI's viewers load their scripts from a CDN. /openapi.json documents the API.
    app = FastAPI(
        title="Meldestelle triage",
        summary="The office's case API.",
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        telemetry=FASTAPI_TELEMETRY_OFF,
    )
    app.state.context = context  # read only by triage.bootstrap.context_of
    app.add_middleware(RequestLimits, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(StrictTransportSecurity, enabled=settings.https_only)
    install_error_handlers(app)
    install_refusal_handlers(app)
    install_metrics(app, context.registry, settings.metrics)
    install_tracing(app, context.broker, context.settings.tracing, service="triage")
    routers = (
        cases_router, referrals_router, letters_router, staff_router, audit_router, workbench_router, casework_router, catalogue_router,
        evidence_router, reports_router, report_pages,
    )
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=WORKBENCH_DIR / "static"), name="static")
    app.include_router(statistics_router)
    app.include_router(health_router({"kafka": kafka_check(context.broker), "database": mongo_check(context.client)}))
    return app
