"""Wiring of the statistics feature into triage: its consumer, its publication job and its repository."""

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from faststream.kafka import KafkaBroker
from pymongo.asynchronous.database import AsyncDatabase

from meldestelle_shared.consuming import subscribe
from meldestelle_shared.events import Event, MonthlyStatisticsPublished
from meldestelle_shared.kafka import publish_event
from meldestelle_shared.leases import Leases
from meldestelle_shared.topics import Topics
from triage.cases.ports import CaseFiguresPort
from triage.stats.casework import apply_casework_events
from triage.stats.publication import run_publication_job
from triage.stats.repository import StatisticsRepository
from triage.stats.service import apply_case_events
from triage.stats.settings import StatisticsSettings


@dataclass
class StatisticsFeature:
    """The read model's repository and the publication job's task."""

    repository: StatisticsRepository
    broker: KafkaBroker
    topics: Topics
    settings: StatisticsSettings
    leases: Leases
    _job: asyncio.Task | None = field(default=None, init=False)

    async def publish(self, event: MonthlyStatisticsPublished) -> None:
        """Publish a month's figures and wait for Kafka's acknowledgement."""
        await publish_event(self.broker, self.topics.statistics, event)

    async def start(self) -> None:
        """Start the publication job (unless its interval is 0)."""
        if self.settings.check_interval_seconds > 0:
            period = timedelta(seconds=self.settings.check_interval_seconds)
            self._job = asyncio.create_task(
                run_publication_job(
                    repository=self.repository, publish=self.publish, settings=self.settings,
                    claim=lambda: self.leases.claim("statistics-publication", period),
                )  # fmt: skip
            )

    async def stop(self) -> None:
        """Stop the publication job."""
        if self._job:
            self._job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._job


def install_statistics(
    broker: KafkaBroker,
    database: AsyncDatabase,
    cases: CaseFiguresPort,
    *,
    topics: Topics,
    consumer_group: str,
    settings: StatisticsSettings,
    leases: Leases,
) -> StatisticsFeature:
    """Subscribe the read model (in `database`, its own) to case events in a consumer group of its own, and build the job."""
    feature = StatisticsFeature(StatisticsRepository(database, cases), broker, topics, settings, leases)
    group = f"{consumer_group}-stats"

    async def handle(events: Sequence[Event]) -> None:
        await apply_case_events(events, repository=feature.repository)
        await apply_casework_events(events, store=feature.repository.casework, cases=feature.repository.cases)

    subscribe(
        broker,
        topics.cases,
        group=group,
        handle=handle,
        dead_letter_topic=topics.dead_letters,
        description="Keeps the monthly statistics read model current from case events.",
    )

    return feature
