"""Wiring: build triage's application, its consumer and its database access. Nothing connects at import time."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from meldestelle_shared.consuming import subscribe
from meldestelle_shared.events import CaseCreated, CaseErased, Event
from meldestelle_shared.health import health_router
from meldestelle_shared.kafka import create_broker, kafka_check, publish_events
from meldestelle_shared.logs import configure_logging
from meldestelle_shared.metrics import ConsumerMetrics, install_metrics
from meldestelle_shared.mongo import create_client, mongo_check
from meldestelle_shared.sealing import Keyring, load_keyring
from meldestelle_shared.settings import secrets_dir
from meldestelle_shared.startup import start_with_retry
from meldestelle_shared.web import RequestLimits, install_error_handlers
from triage import scheduler
from triage.audit.log import AuditLog
from triage.audit.router import router as audit_router
from triage.cases.actions import CaseDesk
from triage.cases.duplicates import DuplicateGroups, link_duplicates
from triage.cases.followups import apply_followups
from triage.cases.repository import CaseRepository
from triage.cases.router import router as cases_router
from triage.cases.service import CaseRules, open_cases
from triage.cookies import StrictTransportSecurity
from triage.settings import Settings
from triage.staff.approvals import ApprovalRepository
from triage.staff.repository import SessionRepository, StaffRepository
from triage.staff.router import router as staff_router
from triage.staff.service import LoginPolicy
from triage.staff.throttle import LoginThrottle
from triage.staff.tokens import TokenRepository
from triage.workbench.pages import HERE as WORKBENCH_DIR
from triage.workbench.pages import install_refusal_handlers
from triage.workbench.router import router as workbench_router
from triage.stats.router import router as statistics_router
from triage.stats.wiring import install_statistics


@dataclass(frozen=True)
class TriageContext:
    """What request and event handlers need, built once per application."""

    settings: Settings
    broker: KafkaBroker
    client: AsyncMongoClient
    cases: CaseRepository
    office_key: Keyring
    totp_key: Keyring
    staff: StaffRepository
    sessions: SessionRepository
    tokens: TokenRepository
    approvals: ApprovalRepository
    audit: AuditLog
    policy: LoginPolicy
    login_throttle: LoginThrottle
    desk: CaseDesk


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the triage application; settings default to the environment."""
    settings = settings or Settings(_secrets_dir=secrets_dir())
    configure_logging(settings.log_level)
    broker = create_broker(settings.kafka, client_id="triage")
    client = create_client(settings.mongodb, app_name="triage")
    database = client[settings.database]
    office_key = load_keyring(settings.office_private_key.get_secret_value(), settings.office_retired_private_keys.get_secret_value())
    cases, audit = CaseRepository(database), AuditLog(database)

    async def publish_in_order(events: Sequence[Event]) -> None:
        # Events about one case must reach its partition in the order they happened: publish_events keeps it.
        await publish_events(broker, settings.kafka.topics.cases, events)

    context = TriageContext(
        settings=settings,
        broker=broker,
        client=client,
        cases=cases,
        office_key=office_key,
        totp_key=load_keyring(settings.totp_private_key.get_secret_value(), settings.totp_retired_private_keys.get_secret_value()),
        staff=StaffRepository(database),
        sessions=SessionRepository(database),
        tokens=TokenRepository(database),
        approvals=ApprovalRepository(database),
        audit=audit,
        policy=LoginPolicy(
            max_failures=settings.login_max_failures,
            max_delay=timedelta(seconds=settings.login_account_delay_max_seconds),
            idle=timedelta(minutes=settings.session_idle_minutes),
            max_age=timedelta(hours=settings.session_max_hours),
        ),
        login_throttle=LoginThrottle(
            free_failures=settings.login_free_failures, delay_seconds=1, max_delay_seconds=settings.login_client_delay_max_seconds
        ),
        desk=CaseDesk(cases=cases, audit=audit, publish=publish_in_order, office_key=office_key, rules=case_rules(settings)),
    )
    registry = CollectorRegistry()
    consumer_metrics = ConsumerMetrics(registry)
    _subscribe(context, consumer_metrics)
    _subscribe_duplicate_hints(context, consumer_metrics)
    statistics = install_statistics(
        broker, client[settings.database], topics=settings.kafka.topics, consumer_group=settings.consumer_group
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await start_with_retry(context.cases.ensure_indexes, name="database")
        for repository in (context.staff, context.sessions, context.audit):
            await start_with_retry(repository.ensure_indexes, name="database")
        await start_with_retry(broker.start, name="kafka")
        await statistics.start()
        jobs = asyncio.create_task(scheduler.run_forever(context)) if settings.job_interval_seconds else None
        yield
        if jobs:
            jobs.cancel()
            with suppress(asyncio.CancelledError):
                await jobs
        await statistics.stop()
        await broker.stop()
        await client.close()

    # No /docs or /redoc: FastAPI's viewers load their scripts from a CDN. /openapi.json documents the API.
    app = FastAPI(
        title="Meldestelle triage", summary="The office's case API.", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.context = context
    app.state.statistics = statistics
    app.add_middleware(RequestLimits, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(StrictTransportSecurity, enabled=settings.https_only)
    install_error_handlers(app)
    install_refusal_handlers(app)
    install_metrics(app, registry, settings.metrics)
    app.include_router(cases_router)
    app.include_router(staff_router)
    app.include_router(audit_router)
    app.include_router(workbench_router)
    app.mount("/static", StaticFiles(directory=WORKBENCH_DIR / "static"), name="static")
    app.include_router(statistics_router)
    app.include_router(health_router({"kafka": kafka_check(broker), "database": mongo_check(client)}))
    return app


def case_rules(settings: Settings) -> CaseRules:
    """The configurable triage rules."""
    return CaseRules(
        reference_prefix=settings.reference_prefix,
        deadline_months=settings.agg_deadline_months,
        near_days=settings.deadline_near_days,
    )


def _subscribe(context: TriageContext, metrics: ConsumerMetrics) -> None:
    """Consume report events in batches; offsets are committed only after the cases are stored."""
    settings = context.settings
    topics = settings.kafka.topics
    rules = case_rules(settings)

    async def announce(events: Sequence[Event]) -> None:
        # Sent together, so Kafka batches them; each is still acknowledged by all in-sync replicas.
        await publish_events(context.broker, topics.cases, events)

    async def handle(events: Sequence[Event]) -> None:
        await open_cases(events, repository=context.cases, publish=announce, rules=rules)
        await apply_followups(events, cases=context.cases, audit=context.audit, publish=context.desk.publish)

    subscribe(
        context.broker,
        topics.reports,
        group=settings.consumer_group,
        handle=handle,
        dead_letter_topic=topics.dead_letters,
        metrics=metrics,
        max_records=settings.batch_size,
        description="Opens one case per report, files reporter replies and erases on request.",
    )


def _subscribe_duplicate_hints(context: TriageContext, metrics: ConsumerMetrics) -> None:
    """Look for duplicates of each new case in a consumer group of its own, off the path that opens cases:
    comparing texts is slow, and a backlog of reports must not wait for it."""
    settings = context.settings
    group = f"{settings.consumer_group}-duplicates"
    groups = DuplicateGroups(context.client[settings.database])

    async def handle(events: Sequence[Event]) -> None:
        created = [str(event.case_id) for event in events if isinstance(event, CaseCreated)]
        if created:
            await link_duplicates(
                created, cases=context.cases, groups=groups, office_key=context.office_key, threshold=settings.duplicate_similarity
            )
        await groups.leave([str(event.case_id) for event in events if isinstance(event, CaseErased)])

    subscribe(
        context.broker,
        settings.kafka.topics.cases,
        group=group,
        handle=handle,
        dead_letter_topic=settings.kafka.topics.dead_letters,
        metrics=metrics,
        max_records=100,
        description="Links each new case to similar cases of the same life area, district and month.",
    )
