"""Wiring of the statistics feature into intake: a consumer of the statistics topic and the store it fills."""

from collections.abc import Sequence

from faststream.kafka import KafkaBroker
from pymongo.asynchronous.database import AsyncDatabase

from intake.statistics.repository import PublishedStatistics
from intake.statistics.service import store_publications
from meldestelle_shared.consuming import subscribe
from meldestelle_shared.events import Event
from meldestelle_shared.topics import Topics


def install_statistics(broker: KafkaBroker, database: AsyncDatabase, *, topics: Topics, consumer_group: str) -> PublishedStatistics:
    """Store every published month, consuming in a consumer group of its own."""
    repository = PublishedStatistics(database)
    group = f"{consumer_group}-statistics"

    async def handle(events: Sequence[Event]) -> None:
        await store_publications(events, repository=repository)

    subscribe(
        broker,
        topics.statistics,
        group=group,
        handle=handle,
        dead_letter_topic=topics.dead_letters,
        max_records=100,
        description="Stores each published month for the public statistics page and open data.",
    )

    return repository
