"""notify's wiring in one place: everything it runs on is built here from one `Settings`. Nothing connects here."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import aiosmtplib
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry, Counter
from pymongo import AsyncMongoClient

from meldestelle_shared.consuming import subscribe
from meldestelle_shared.errors import TRANSIENT_ERRORS
from meldestelle_shared.kafka import create_broker
from meldestelle_shared.metrics import ConsumerMetrics
from meldestelle_shared.mongo import create_client
from meldestelle_shared.sealing import load_keyring
from meldestelle_shared.settings import secrets_dir
from notify.deliveries import ContactBook, DeliveryLog
from notify.refusals import MailDeferred
from notify.schedule import NoticeSchedule, OfficeWindows
from notify.service import Addresses, Connect, Notifier, OpenSealed, Send
from notify.settings import Settings, SmtpSettings

# Connection trouble and temporary refusals (4xx) pass; a permanent refusal of an e-mail is final
# (see Notifier._deliver_once), any other one is retried a few times, then dead-lettered.
SMTP_TRANSIENT_ERRORS = (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, MailDeferred)


@dataclass(frozen=True)
class Context:
    """notify's running parts, built once per application."""

    settings: Settings
    broker: KafkaBroker
    client: AsyncMongoClient
    registry: CollectorRegistry
    notifier: Notifier


def bootstrap(settings: Settings | None = None) -> Context:
    """Build notify's parts and subscribe its consumer; settings default to the environment."""
    settings = settings or Settings(_secrets_dir=secrets_dir())
    broker = create_broker(settings.kafka, client_id="notify")
    client = create_client(settings.mongodb, app_name="notify")
    registry = CollectorRegistry()
    notifier = build_notifier(settings, client=client, registry=registry)
    consume(broker, notifier, settings=settings, metrics=ConsumerMetrics(registry))
    return Context(settings=settings, broker=broker, client=client, registry=registry, notifier=notifier)


def build_notifier(settings: Settings, *, client: AsyncMongoClient, registry: CollectorRegistry) -> Notifier:
    """The notifier over notify's database, its mail relay and its key."""
    database = client[settings.database]
    refused = Counter("emails_refused", "E-mails a mail server refused for good.", ["kind", "code"], registry=registry)
    office_windows = (
        OfficeWindows(database, threshold=settings.office_digest_threshold, length=timedelta(seconds=settings.office_digest_window_seconds))
        if settings.office_digest_threshold
        else None
    )
    return Notifier(
        deliveries=DeliveryLog(database),
        contacts=ContactBook(database),
        connect=smtp_connection(settings.smtp),
        notices=NoticeSchedule(database),
        notice_window=timedelta(seconds=settings.notice_window_seconds),
        office_windows=office_windows,
        office=settings.office,
        on_refused=lambda kind, code: refused.labels(kind, str(code)).inc(),
        addresses=Addresses(
            sender=settings.sender,
            office=settings.office_address,
            leads=settings.leads_address,
            workbench_url=settings.workbench_url,
            public_url=settings.public_url,
        ),
        open_sealed=unsealer(settings),
    )


def consume(broker: KafkaBroker, notifier: Notifier, *, settings: Settings, metrics: ConsumerMetrics | None = None) -> None:
    """Subscribe the notifier to the report, case and statistics topics, by the shared delivery rules."""
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
        metrics=metrics,
        max_records=100,
        description="Content-free e-mails: new cases to the office, news to consenting reporters, reminders to leads.",
    )


def smtp_connection(smtp: SmtpSettings) -> Connect:
    """Open one connection to the mail relay per use, sending any number of e-mails."""

    @asynccontextmanager
    async def connect() -> AsyncIterator[Send]:
        client = aiosmtplib.SMTP(
            hostname=smtp.host,
            port=smtp.port,
            start_tls=smtp.starttls,
            validate_certs=smtp.verify_certificate,
            username=smtp.username,
            password=smtp.password.get_secret_value() if smtp.password else None,
            timeout=smtp.timeout,
        )
        async with client:
            yield client.send_message

    return connect


def unsealer(settings: Settings) -> OpenSealed | None:
    """What opens reporters' sealed addresses (with the current key or a retired one); None without a key, so reporters get no notices."""
    if not settings.private_key:
        return None
    keyring = load_keyring(settings.private_key.get_secret_value(), settings.retired_private_keys.get_secret_value())
    return keyring.open
