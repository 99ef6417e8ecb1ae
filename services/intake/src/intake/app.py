"""Wiring: build intake's FastAPI application from its settings. Nothing connects at import time."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from nacl.public import PublicKey

from intake.receipts import ReceiptHasher
from intake.reports.router import router as reports_router
from intake.reports.service import ReportNotSaved
from intake.settings import Settings
from meldestelle_shared.health import health_router
from meldestelle_shared.kafka import create_broker, kafka_check
from meldestelle_shared.logs import configure_logging
from meldestelle_shared.sealing import load_public_key
from meldestelle_shared.settings import secrets_dir
from meldestelle_shared.startup import start_with_retry
from meldestelle_shared.web import RequestLimits, error_response, install_error_handlers


@dataclass(frozen=True)
class IntakeContext:
    """What request handlers need, built once per application."""

    settings: Settings
    broker: KafkaBroker
    office_key: PublicKey
    hasher: ReceiptHasher


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the intake application; settings default to the environment."""
    settings = settings or Settings(_secrets_dir=secrets_dir())
    configure_logging(settings.log_level)
    broker = create_broker(settings.kafka, client_id="intake")
    context = IntakeContext(
        settings=settings,
        broker=broker,
        office_key=load_public_key(settings.office_public_key),
        hasher=ReceiptHasher(
            settings.receipt_pepper.get_secret_value(),
            time_cost=settings.receipt_hash_time_cost,
            memory_kib=settings.receipt_hash_memory_kib,
        ),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await start_with_retry(broker.start, name="kafka")
        yield
        await broker.stop()

    app = FastAPI(
        title="Meldestelle intake",
        summary="Anonymous reporting of discrimination: the public API.",
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.context = context
    app.add_middleware(RequestLimits, max_body_bytes=settings.max_body_bytes)
    install_error_handlers(app)

    @app.exception_handler(ReportNotSaved)
    async def _not_saved(request: Request, exc: ReportNotSaved) -> JSONResponse:
        return error_response(
            503, "report_not_saved", "Your report was NOT saved: the system is briefly unavailable. Please try again."
        )

    app.include_router(reports_router)
    app.include_router(health_router({"kafka": kafka_check(broker)}))
    return app
