"""notify's application: its parts come from `bootstrap`; this adds the lifespan, health and metrics."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI

from meldestelle_shared.health import health_router
from meldestelle_shared.kafka import kafka_check
from meldestelle_shared.logs import configure_logging
from meldestelle_shared.metrics import install_metrics
from meldestelle_shared.mongo import mongo_check
from meldestelle_shared.startup import start_with_retry
from meldestelle_shared.telemetry import FASTAPI_TELEMETRY_OFF, install_tracing
from meldestelle_shared.web import install_error_handlers
from notify.bootstrap import bootstrap
from notify.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the notify application; settings default to the environment."""
    context = bootstrap(settings)
    configure_logging(context.settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await start_with_retry(context.broker.start, name="kafka")
        scheduler = asyncio.create_task(every(context.settings.schedule_interval_seconds, context.notifier.send_due))
        yield
        scheduler.cancel()
        with suppress(asyncio.CancelledError):
            await scheduler
        await context.broker.stop()
        await context.client.close()

    app = FastAPI(
        title="Meldestelle notify",
        summary="Notification sender.",
        version="1.0.0",
        lifespan=lifespan,
        telemetry=FASTAPI_TELEMETRY_OFF,
    )
    install_error_handlers(app)
    install_metrics(app, context.registry, context.settings.metrics)
    install_tracing(app, context.broker, context.settings.tracing, service="notify")
    app.include_router(health_router({"kafka": kafka_check(context.broker), "database": mongo_check(context.client)}))
    return app


async def every(seconds: float, work: Callable[[], Awaitable[None]]) -> None:
    """Run `work` every so often; a failure (an outage) is logged by type and tried again next time."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await work()
        except Exception as error:  # noqa: BLE001 - waiting e-mails stay in the database for the next run
            log.warning("scheduled e-mails delayed", extra={"error": type(error).__name__})
