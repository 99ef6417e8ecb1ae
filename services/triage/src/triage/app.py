"""Wiring: build triage's application, its consumer and its database access. Nothing connects at import time."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy
from nacl.public import PrivateKey
from pymongo import AsyncMongoClient

from meldestelle_shared.consuming import BatchConsumer
from meldestelle_shared.errors import TRANSIENT_ERRORS
from meldestelle_shared.events import CaseCreated, Event
from meldestelle_shared.health import health_router
from meldestelle_shared.kafka import create_broker, kafka_check, publish_event
from meldestelle_shared.logs import configure_logging
from meldestelle_shared.mongo import create_client, mongo_check
from meldestelle_shared.sealing import load_private_key
from meldestelle_shared.settings import secrets_dir
from meldestelle_shared.startup import start_with_retry
from meldestelle_shared.web import install_error_handlers
from triage.cases.repository import CaseRepository
from triage.cases.router import router as cases_router
from triage.cases.service import CaseRules, open_cases
from triage.settings import Settings


@dataclass(frozen=True)
class TriageContext:
    """What request and event handlers need, built once per application."""

    settings: Settings
    broker: KafkaBroker
    client: AsyncMongoClient
    cases: CaseRepository
    office_key: PrivateKey


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the triage application; settings default to the environment."""
    settings = settings or Settings(_secrets_dir=secrets_dir())
    configure_logging(settings.log_level)
    broker = create_broker(settings.kafka, client_id="triage")
    client = create_client(settings.mongodb, app_name="triage")
    context = TriageContext(
        settings=settings,
        broker=broker,
        client=client,
        cases=CaseRepository(client[settings.database]),
        office_key=load_private_key(settings.office_private_key.get_secret_value()),
    )
    _subscribe(context)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await start_with_retry(context.cases.ensure_indexes, name="database")
        await start_with_retry(broker.start, name="kafka")
        yield
        await broker.stop()
        await client.close()

    app = FastAPI(title="Meldestelle triage", summary="The office's case API.", version="1.0.0", lifespan=lifespan)
    app.state.context = context
    install_error_handlers(app)
    app.include_router(cases_router)
    app.include_router(health_router({"kafka": kafka_check(broker), "database": mongo_check(client)}))
    return app


def _subscribe(context: TriageContext) -> None:
    """Consume report events in batches; offsets are committed only after the cases are stored."""
    settings = context.settings
    topics = settings.kafka.topics
    rules = CaseRules(
        reference_prefix=settings.reference_prefix,
        deadline_months=settings.agg_deadline_months,
        near_days=settings.deadline_near_days,
    )

    async def announce(events: Sequence[CaseCreated]) -> None:
        # Sent together, so Kafka batches them; each is still acknowledged by all in-sync replicas.
        await asyncio.gather(*(publish_event(context.broker, topics.cases, event) for event in events))

    async def handle(events: Sequence[Event]) -> None:
        await open_cases(events, repository=context.cases, publish=announce, rules=rules)

    consumer = BatchConsumer(
        broker=context.broker,
        name=settings.consumer_group,
        dead_letter_topic=topics.dead_letters,
        handle=handle,
        transient_errors=TRANSIENT_ERRORS,
    )

    @context.broker.subscriber(
        topics.reports,
        group_id=settings.consumer_group,
        batch=True,
        max_records=settings.batch_size,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        title="triage-reports",
        description="Opens one case per reported event.",
    )
    async def on_reports(message: KafkaMessage) -> None:
        await consumer(message)
