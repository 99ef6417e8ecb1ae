"""Wiring: build notify's application, its consumer, mailer and stores. Nothing connects at import time."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

import aiosmtplib
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter

from meldestelle_shared.consuming import subscribe
from meldestelle_shared.errors import TRANSIENT_ERRORS
from meldestelle_shared.health import health_router
from meldestelle_shared.kafka import create_broker, kafka_check
from meldestelle_shared.logs import configure_logging
from meldestelle_shared.metrics import ConsumerMetrics, install_metrics
from meldestelle_shared.mongo import create_client, mongo_check
from meldestelle_shared.sealing import load_private_key, unseal
from meldestelle_shared.settings import secrets_dir
from meldestelle_shared.startup import start_with_retry
from meldestelle_shared.web import install_error_handlers
from notify.deliveries import ContactBook, DeliveryLog
from notify.refusals import MailDeferred
from notify.schedule import NoticeSchedule, OfficeWindows
from notify.service import Addresses, Notifier, Send
from notify.settings import Settings

log = logging.getLogger(__name__)

# Connection trouble and temporary refusals (4xx) pass; a permanent refusal of an e-mail is final
# (see Notifier._deliver_once), any other one is retried a few times, then dead-lettered.
SMTP_TRANSIENT_ERRORS = (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, MailDeferred)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the notify application; settings default to the environment."""
    settings = settings or Settings(_secrets_dir=secrets_dir())
    configure_logging(settings.log_level)
    broker = create_broker(settings.kafka, client_id="notify")
    client = create_client(settings.mongodb, app_name="notify")
    database = client[settings.database]
    registry = CollectorRegistry()

    @asynccontextmanager
    async def connect() -> AsyncIterator[Send]:
        smtp = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            start_tls=settings.smtp_starttls,
            validate_certs=settings.smtp_verify_certificate,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            timeout=settings.smtp_timeout,
        )
        async with smtp:
            yield smtp.send_message

    private_key = load_private_key(settings.private_key.get_secret_value()) if settings.private_key else None
    refused = Counter("emails_refused", "E-mails a mail server refused for good.", ["kind", "code"], registry=registry)
    office_windows = (
        OfficeWindows(
            database, threshold=settings.office_digest_threshold, length=timedelta(seconds=settings.office_digest_window_seconds)
        )
        if settings.office_digest_threshold
        else None
    )
    notifier = Notifier(
        deliveries=DeliveryLog(database),
        contacts=ContactBook(database),
        connect=connect,
        notices=NoticeSchedule(database),
        notice_window=timedelta(seconds=settings.notice_window_seconds),
        office_windows=office_windows,
        on_refused=lambda kind, code: refused.labels(kind, str(code)).inc(),
        addresses=Addresses(
            sender=settings.sender,
            office=settings.office_address,
            leads=settings.leads_address,
            workbench_url=settings.workbench_url,
            public_url=settings.public_url,
        ),
        open_sealed=(lambda sealed: unseal(private_key, sealed)) if private_key else None,
    )
    topics = settings.kafka.topics
    subscribe(
        broker,
        topics.reports,
        topics.cases,
        topics.statistics,
        group=settings.consumer_group,
        handle=notifier.handle,
        dead_letter_topic=topics.dead_letters,
        transient_errors=TRANSIENT_ERRORS + SMTP_TRANSIENT_ERRORS,
        metrics=ConsumerMetrics(registry),
        max_records=100,
        description="Content-free e-mails: new cases to the office, news to consenting reporters, reminders to leads.",
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await start_with_retry(broker.start, name="kafka")
        scheduler = asyncio.create_task(every(settings.schedule_interval_seconds, notifier.send_due))
        yield
        scheduler.cancel()
        with suppress(asyncio.CancelledError):
            await scheduler
        await broker.stop()
        await client.close()

    app = FastAPI(title="Meldestelle notify", summary="Notification sender.", version="1.0.0", lifespan=lifespan)
    install_error_handlers(app)
    install_metrics(app, registry, settings.metrics)
    app.include_router(health_router({"kafka": kafka_check(broker), "database": mongo_check(client)}))
    return app


async def every(seconds: float, work: Callable[[], Awaitable[None]]) -> None:
    """Run `work` every so often; a failure (an outage) is logged by type and tried again next time."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await work()
        except Exception as error:  # noqa: BLE001 - waiting e-mails stay in the database for the next run
            log.warning("scheduled e-mails delayed", extra={"error": type(error).__name__})
