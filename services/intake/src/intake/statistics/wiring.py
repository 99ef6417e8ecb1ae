"""Wiring of the statistics feature into intake: a consumer of the statistics topic and the store it fills."""

from collections.abc import Sequence

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy
from pymongo.asynchronous.database import AsyncDatabase

from intake.statistics.repository import PublishedStatistics
from intake.statistics.service import store_publications
from meldestelle_shared.consuming import BatchConsumer
from meldestelle_shared.errors import TRANSIENT_ERRORS
from meldestelle_shared.events import Event
from meldestelle_shared.topics import Topics


def install_statistics(broker: KafkaBroker, database: AsyncDatabase, *, topics: Topics, consumer_group: str) -> PublishedStatistics:
    """Store every published month, consuming in a consumer group of its own."""
    repository = PublishedStatistics(database)
    group = f"{consumer_group}-statistics"

    async def handle(events: Sequence[Event]) -> None:
        await store_publications(events, repository=repository)

    consumer = BatchConsumer(
        broker=broker, name=group, dead_letter_topic=topics.dead_letters, handle=handle, transient_errors=TRANSIENT_ERRORS
    )

    @broker.subscriber(
        topics.statistics,
        group_id=group,
        batch=True,
        max_records=100,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        title="intake-statistics",
        description="Stores each published month for the public statistics page and open data.",
    )
    async def on_statistics(message: KafkaMessage) -> None:
        await consumer(message)

    return repository
