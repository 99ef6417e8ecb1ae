"""intake's wiring in one place: its parts are built here from one `Settings`, and routes take them as typed
dependencies declared once below. Nothing connects here; the application's lifespan starts the broker."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from intake.evidence.files import EvidenceLimits
from intake.evidence.locker import EvidenceLocker
from intake.followup.projection import apply_case_events
from intake.followup.repository import InboxRepository
from intake.followup.service import Delivery
from intake.followup.throttle import ReceiptThrottle
from intake.receipts import ReceiptHasher
from intake.reports.service import SealingKeys
from intake.reports.throttle import SubmissionThrottle
from intake.settings import Settings
from intake.site.drafts import Drafts
from intake.site.rendering import Pages
from intake.site.sealed_drafts import SealedDraftStore
from intake.site.security import FormGuard
from intake.statistics.repository import PublishedStatistics
from intake.statistics.wiring import install_statistics
from intake.throttle_database import DatabaseThrottleStore
from intake.throttling import ThrottleStore, client_address
from meldestelle_shared.consuming import subscribe
from meldestelle_shared.events import Event
from meldestelle_shared.evidence_store import EvidenceStore
from meldestelle_shared.kafka import create_broker
from meldestelle_shared.metrics import ConsumerMetrics
from meldestelle_shared.mongo import create_client
from meldestelle_shared.sealing import load_public_key
from meldestelle_shared.settings import secrets_dir


@dataclass(frozen=True)
class IntakeContext:
    """intake's running parts, built once per application."""

    settings: Settings
    broker: KafkaBroker
    client: AsyncMongoClient
    registry: CollectorRegistry
    inboxes: InboxRepository
    statistics: PublishedStatistics
    keys: SealingKeys
    hasher: ReceiptHasher
    throttle: ReceiptThrottle
    submissions: SubmissionThrottle
    guard: FormGuard
    pages: Pages
    drafts: Drafts
    evidence: EvidenceLocker
    evidence_limits: EvidenceLimits

    def submission(self) -> dict[str, Any]:
        """The keyword arguments submit_report needs besides the report and the client."""
        return {
            "throttle": self.submissions,
            "broker": self.broker,
            "topic": self.settings.kafka.topics.reports,
            "keys": self.keys,
            "hasher": self.hasher,
            "inboxes": self.inboxes,
            "timeout": self.settings.kafka.publish_timeout_ms / 1000,
            "evidence": self.evidence,
        }

    def delivery(self) -> Delivery:
        """Where follow-up events (replies, erasure requests) are published."""
        return Delivery(self.broker, self.settings.kafka.topics.reports, self.settings.kafka.publish_timeout_ms / 1000)


def bootstrap(settings: Settings | None = None) -> IntakeContext:
    """Build intake's parts and subscribe its consumers; settings default to the environment."""
    settings = settings or Settings(_secrets_dir=secrets_dir())
    broker = create_broker(settings.kafka, client_id="intake")
    client = create_client(settings.mongodb, app_name="intake")
    database = client[settings.database]
    pepper = settings.receipt_pepper.get_secret_value()
    guard = FormGuard(pepper, https_only=settings.https_only)  # current pepper only: a form open across a rotation expires once
    throttle_store = DatabaseThrottleStore(database)  # shared by all workers and instances
    office_key = load_public_key(settings.office_public_key)
    context = IntakeContext(
        settings=settings,
        broker=broker,
        client=client,
        registry=CollectorRegistry(),
        inboxes=InboxRepository(database),
        statistics=install_statistics(broker, database, topics=settings.kafka.topics, consumer_group=settings.consumer_group),
        keys=SealingKeys(office=office_key, notify=load_public_key(settings.notify_public_key)),
        hasher=receipt_hasher(settings),
        throttle=receipt_throttle(settings, throttle_store),
        submissions=SubmissionThrottle(
            store=throttle_store,
            max_reports=settings.report_throttle.max_per_window,
            window_seconds=settings.report_throttle.window_seconds,
        ),
        guard=guard,
        pages=Pages(settings.site, guard, office=settings.office),
        drafts=SealedDraftStore(database, pepper.encode()),  # a rotation forgets drafts; the posts' hidden fields keep the answers
        evidence=EvidenceLocker(
            EvidenceStore(client[settings.evidence_database]),
            database,
            office_key,
            pending_seconds=settings.evidence.pending_seconds,
        ),
        evidence_limits=EvidenceLimits(
            max_files=settings.evidence.max_files,
            max_file_bytes=settings.evidence.max_file_bytes,
            max_total_bytes=settings.evidence.max_total_bytes,
        ),
    )
    consume_case_events(context, ConsumerMetrics(context.registry))
    return context


def receipt_hasher(settings: Settings) -> ReceiptHasher:
    """The receipt hash under the current pepper, with the retired ones for receipts made before a rotation."""
    return ReceiptHasher(
        settings.receipt_pepper.get_secret_value(),
        retired_peppers=settings.retired_peppers,
        time_cost=settings.receipt_hash.time_cost,
        memory_kib=settings.receipt_hash.memory_kib,
    )


def receipt_throttle(settings: Settings, store: ThrottleStore) -> ReceiptThrottle:
    """The brake on receipt guessing, by INTAKE_RECEIPT_*."""
    limits = settings.receipt_throttle
    return ReceiptThrottle(
        store=store,
        free_failures=limits.free_failures,
        max_failures=limits.max_failures,
        max_attempts=limits.max_attempts,
        delay_seconds=limits.delay_seconds,
        window_seconds=limits.window_seconds,
        global_failures_per_minute=limits.global_failures_per_minute,
        global_max_delay=limits.global_max_delay_seconds,
    )


def consume_case_events(context: IntakeContext, metrics: ConsumerMetrics) -> None:
    """Keep the reporter read model up to date from triage's case events, in intake's own consumer group."""
    topics = context.settings.kafka.topics

    async def handle(events: Sequence[Event]) -> None:
        await apply_case_events(events, inboxes=context.inboxes, evidence=context.evidence)

    subscribe(
        context.broker,
        topics.cases,
        group=context.settings.consumer_group,
        handle=handle,
        dead_letter_topic=topics.dead_letters,
        metrics=metrics,
        description="Keeps each reporter's status and sealed office messages for the follow-up page.",
    )


def context_of(request: Request) -> IntakeContext:
    """The context of the application serving `request`."""
    return request.app.state.context


Context = Annotated[IntakeContext, Depends(context_of)]
ClientAddress = Annotated[str, Depends(client_address)]
