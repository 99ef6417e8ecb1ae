"""The publication job: once a month has closed and the configured day has come, publish its figures."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from meldestelle_shared.days import in_office_time
from meldestelle_shared.events import MonthlyStatisticsPublished
from triage.stats.figures import publication
from triage.stats.repository import StatisticsRepository
from triage.stats.schedule import due_months
from triage.stats.service import exact_counts
from triage.stats.settings import StatisticsSettings

log = logging.getLogger(__name__)

Publish = Callable[[MonthlyStatisticsPublished], Awaitable[object]]


async def publish_due_months(
    *, repository: StatisticsRepository, publish: Publish, settings: StatisticsSettings, now: datetime | None = None
) -> list[str]:
    """Publish every closed month that is due and not yet published, oldest first; returns the months published."""
    now = now or datetime.now(UTC)
    today = in_office_time(now).date()
    months = due_months(
        today,
        publish_day=settings.publish_day,
        first_month=next(iter(await repository.months()), None),
        published=await repository.published_months(),
    )
    for month in months:
        counts = await exact_counts(month, repository=repository)
        # A crash after claiming re-sends the claimed figures, so a month is never published twice differently.
        event = await repository.claim_publication(publication(counts, threshold=settings.threshold, now=now))
        await publish(event)
        await repository.mark_published(month)
        log.info("monthly statistics published", extra={"month": month, "suppressed_total": event.total is None})
    return months


async def run_publication_job(
    *, repository: StatisticsRepository, publish: Publish, settings: StatisticsSettings, claim: Callable[[], Awaitable[bool]]
) -> None:
    """Check for due months every `check_interval_seconds` until cancelled, in the instance whose `claim` wins; a failed run is retried next time."""
    while True:
        try:
            if await claim():
                await publish_due_months(repository=repository, publish=publish, settings=settings)
        except Exception as error:  # noqa: BLE001 - an outage must not end the job; the next run catches up
            log.warning("statistics publication failed", extra={"error": type(error).__name__})
        await asyncio.sleep(settings.check_interval_seconds)
