"""triage's wiring in one place: its parts are built here from one `Settings`, its consumers subscribed, and routes
take the parts as the typed dependency `Context` declared below. Nothing connects here; the application's lifespan
starts the broker and the jobs."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from meldestelle_shared.consuming import subscribe
from meldestelle_shared.events import CaseCreated, CaseErased, Event
from meldestelle_shared.kafka import create_broker, publish_events
from meldestelle_shared.metrics import ConsumerMetrics
from meldestelle_shared.mongo import create_client
from meldestelle_shared.sealing import Keyring, load_keyring
from meldestelle_shared.settings import secrets_dir
from triage.audit.log import AuditLog
from triage.cases.actions import CaseDesk
from triage.cases.duplicates import DuplicateGroups, link_duplicates
from triage.cases.followups import apply_followups
from triage.cases.reminding import SentReminders
from triage.cases.repository import CaseRepository
from triage.cases.seen import JobMemory
from triage.cases.service import CaseRules, open_cases
from triage.evidence.service import EvidenceDesk, remember_evidence
from triage.evidence.wiring import consume_case_events_for_evidence, evidence_desk
from triage.referrals.directory import Directory, load_directory
from triage.letters.repository import LetterRepository, TemplateRepository
from meldestelle_shared.leases import Leases
from triage.letters.service import LetterDesk
from triage.settings import Settings
from triage.staff.admin import StaffDesk
from triage.staff.approvals import ApprovalRepository
from triage.staff.repository import SessionRepository, StaffRepository
from triage.staff.service import LoginPolicy
from triage.staff.throttle import LoginThrottle
from triage.staff.tokens import TokenRepository
from triage.stats.wiring import StatisticsFeature, install_statistics


@dataclass(frozen=True)
class TriageContext:
    """What request and event handlers need, built once per application."""

    settings: Settings
    broker: KafkaBroker
    client: AsyncMongoClient
    registry: CollectorRegistry
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
    leases: Leases
    accounts: StaffDesk
    statistics: StatisticsFeature
    referrals: Directory
    letters: LetterDesk
    evidence: EvidenceDesk
    sent_reminders: SentReminders
    jobs: JobMemory = field(default_factory=JobMemory)  # what this process's scheduled jobs checked today

    def login(self) -> dict[str, Any]:
        """The keyword arguments start_session needs besides the credentials and the client."""
        return {
            "throttle": self.login_throttle, "staff": self.staff, "sessions": self.sessions, "audit": self.audit,
            "totp_key": self.totp_key, "office_key": self.office_key, "policy": self.policy,
        }  # fmt: skip


def bootstrap(settings: Settings | None = None) -> TriageContext:
    """Build triage's parts and subscribe its consumers; settings default to the environment."""
    settings = settings or Settings(_secrets_dir=secrets_dir())
    # Checked before anything starts: a bad directory file stops triage with the entry and field to fix.
    referrals = load_directory(settings.referral_directory) if settings.referral_directory else Directory()
    broker = create_broker(settings.kafka, client_id="triage")
    client = create_client(settings.mongodb, app_name="triage")
    database = client[settings.database]
    office_key = load_keyring(settings.office_private_key.get_secret_value(), settings.office_retired_private_keys.get_secret_value())
    cases, audit = CaseRepository(database, client[settings.queue_database]), AuditLog(database)
    totp_key = load_keyring(settings.totp_private_key.get_secret_value(), settings.totp_retired_private_keys.get_secret_value())
    staff, sessions, approvals = StaffRepository(database), SessionRepository(database), ApprovalRepository(database)

    async def publish_in_order(events: Sequence[Event]) -> None:
        # Events about one case must reach its partition in the order they happened: publish_events keeps it;
        # sent together, Kafka batches them, and each is still acknowledged by all in-sync replicas.
        await publish_events(broker, settings.kafka.topics.cases, events)

    login, session = settings.login, settings.session
    leases = Leases(database["job_leases"])
    desk = CaseDesk(cases=cases, audit=audit, publish=publish_in_order, office_key=office_key, rules=case_rules(settings))
    context = TriageContext(
        settings=settings,
        broker=broker,
        client=client,
        registry=CollectorRegistry(),
        cases=cases,
        office_key=office_key,
        totp_key=totp_key,
        staff=staff,
        sessions=sessions,
        tokens=TokenRepository(database),
        approvals=approvals,
        audit=audit,
        policy=LoginPolicy(
            max_failures=login.max_failures,
            max_delay=timedelta(seconds=login.account_delay_max_seconds),
            idle=timedelta(minutes=session.idle_minutes),
            max_age=timedelta(hours=session.max_hours),
        ),
        login_throttle=LoginThrottle(
            free_failures=login.free_failures, delay_seconds=1, max_delay_seconds=login.client_delay_max_seconds
        ),
        desk=desk,
        leases=leases,
        accounts=StaffDesk(staff=staff, sessions=sessions, approvals=approvals, totp_key=totp_key, audit=audit),
        statistics=install_statistics(
            broker, client[settings.statistics_database], cases, topics=settings.kafka.topics, consumer_group=settings.consumer_group, settings=settings.statistics,
            leases=leases,
        ),
        referrals=referrals,
        sent_reminders=SentReminders(database),
        letters=LetterDesk(templates=TemplateRepository(database), letters=LetterRepository(database), office=settings.letter, cases=desk),
        evidence=evidence_desk(
            client, settings.mongodb, store_database=settings.evidence_database, safe_database=settings.evidence_safe_database,
            office_key=office_key, settings=settings.evidence,
        ),
    )
    metrics = ConsumerMetrics(context.registry)
    consume_reports(context, metrics)
    consume_duplicate_hints(context, metrics)
    consume_case_events_for_evidence(
        broker, settings.kafka.topics.cases, group=f"{settings.consumer_group}-evidence", dead_letter_topic=settings.kafka.topics.dead_letters,
        cases=cases, desk=context.evidence, metrics=metrics,
    )  # fmt: skip
    return context


def case_rules(settings: Settings) -> CaseRules:
    """The configurable triage rules."""
    return CaseRules(
        reference_prefix=settings.reference_prefix,
        deadline_periods=settings.deadline.periods(),
        near_days=settings.deadline.near_days,
    )


def consume_reports(context: TriageContext, metrics: ConsumerMetrics) -> None:
    """Consume report events in batches; offsets are committed only after the cases are stored."""
    settings, desk = context.settings, context.desk
    topics = settings.kafka.topics

    async def handle(events: Sequence[Event]) -> None:
        await remember_evidence(events, desk=context.evidence)
        await open_cases(events, repository=desk.cases, publish=desk.publish, rules=desk.rules)
        await apply_followups(events, cases=desk.cases, audit=desk.audit, publish=desk.publish, evidence=context.evidence)

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


def consume_duplicate_hints(context: TriageContext, metrics: ConsumerMetrics) -> None:
    """Look for duplicates of each new case in a consumer group of its own, off the path that opens cases:
    comparing texts is slow, and a backlog of reports must not wait for it."""
    settings = context.settings
    groups = DuplicateGroups(context.client[settings.duplicates_database])

    async def handle(events: Sequence[Event]) -> None:
        created = [str(event.case_id) for event in events if isinstance(event, CaseCreated)]
        if created:
            await link_duplicates(
                created, cases=context.cases, groups=groups, office_key=context.office_key, threshold=settings.duplicate_similarity
            )
        erased = [str(event.case_id) for event in events if isinstance(event, CaseErased)]
        await groups.leave(erased)
        await context.letters.letters.erase_cases(erased)  # an erased case's letters go with it

    subscribe(
        context.broker,
        settings.kafka.topics.cases,
        group=f"{settings.consumer_group}-duplicates",
        handle=handle,
        dead_letter_topic=settings.kafka.topics.dead_letters,
        metrics=metrics,
        max_records=100,
        description="Links each new case to similar cases of the same life area, district and month.",
    )


def context_of(request: Request) -> TriageContext:
    """The context of the application serving `request`."""
    return request.app.state.context


Context = Annotated[TriageContext, Depends(context_of)]
