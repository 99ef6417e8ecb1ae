"""How every consumer processes a batch: commit only after success, back off on outages,
dead-letter what can never succeed, and never stop on one bad message."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from aiokafka.structs import ConsumerRecord, TopicPartition
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.kafka.annotations import KafkaMessage as KafkaMessageParameter
from faststream.middlewares import AckPolicy

from meldestelle_shared.errors import TRANSIENT_ERRORS
from meldestelle_shared.events import Event, UndecodableEvent, decode_event
from meldestelle_shared.kafka import publish_dead_letter
from meldestelle_shared.metrics import ConsumerMetrics
from meldestelle_shared.telemetry import handling_spans

log = logging.getLogger(__name__)

EventHandler = Callable[[Sequence[Event]], Awaitable[None]]


@dataclass
class Backoff:
    """A growing pause before a retry, so an outage does not become a busy loop."""

    initial: float = 0.2
    maximum: float = 10.0
    delay: float = field(init=False, default=0.0)

    async def wait(self) -> None:
        """Sleep for the current delay, then grow it."""
        self.delay = min(self.maximum, self.delay * 2 or self.initial)
        await asyncio.sleep(self.delay)

    def reset(self) -> None:
        """Start again from the shortest delay."""
        self.delay = 0.0


@dataclass
class BatchConsumer:
    """Runs a service's event handler over Kafka batches with the project's delivery rules."""

    broker: KafkaBroker
    name: str
    dead_letter_topic: str
    handle: EventHandler
    transient_errors: tuple[type[BaseException], ...]
    max_attempts: int = 3
    backoff: Backoff = field(default_factory=Backoff)
    metrics: ConsumerMetrics | None = None

    async def __call__(self, message: KafkaMessage) -> None:
        """Process one fetched batch; ack it only when every event is handled or dead-lettered."""
        raw = message.raw_message  # a batch: a tuple from aiokafka, a list from FastStream's TestKafkaBroker
        records = tuple(raw) if isinstance(raw, tuple | list) else (raw,)
        try:
            events = await self._decode(records)
            with handling_spans(self.broker, self.name, events):  # traced: a span per event, child of its message's
                await self._handle(events, records)
        except self.transient_errors as error:
            log.warning("consumer paused by an outage", extra={"consumer": self.name, "error": type(error).__name__})
            if self.metrics:
                self.metrics.failed.labels(self.name).inc()
            await self.backoff.wait()
            await message.nack()  # rewinds to the batch's first offsets: nothing is skipped
            return
        self.backoff.reset()
        await message.ack()
        if self.metrics:
            self.metrics.consumed.labels(self.name).inc(len(events))
            self._record_lag(message, records)

    def _record_lag(self, message: KafkaMessage, records: Sequence[ConsumerRecord]) -> None:
        consumer = getattr(message, "consumer", None)
        last: dict[TopicPartition, int] = {}
        for record in records:
            last[TopicPartition(record.topic, record.partition)] = record.offset
        for partition, offset in last.items():
            highwater = consumer.highwater(partition) if hasattr(consumer, "highwater") else None
            if highwater is not None:
                self.metrics.lag.labels(self.name, partition.topic, str(partition.partition)).set(max(0, highwater - offset - 1))

    async def _decode(self, records: Sequence[ConsumerRecord]) -> list[tuple[Event, ConsumerRecord]]:
        decoded = []
        for record in records:
            try:
                decoded.append((decode_event(record.value or b""), record))
            except UndecodableEvent as error:
                await self._dead_letter(record, f"undecodable: {error}")
        return decoded

    async def _handle(self, decoded: list[tuple[Event, ConsumerRecord]], records: Sequence[ConsumerRecord]) -> None:
        if not decoded:
            return
        try:
            await self.handle([event for event, _ in decoded])
            return
        except self.transient_errors:
            raise
        except Exception:
            log.exception("batch failed, retrying event by event", extra={"consumer": self.name})
        # One event spoils the batch: find it, and let the others through.
        for event, record in decoded:
            await self._handle_alone(event, record)

    async def _handle_alone(self, event: Event, record: ConsumerRecord) -> None:
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self.handle([event])
                return
            except self.transient_errors:
                raise
            except Exception as error:  # noqa: BLE001 - any bug in a handler must not stop the consumer
                last_error = f"{type(error).__name__}: {error}"
                log.warning(
                    "event handler failed",
                    extra={"consumer": self.name, "event_id": str(event.event_id), "attempt": attempt},
                )
                await asyncio.sleep(0.05 * attempt)
        await self._dead_letter(record, f"handler failed {self.max_attempts} times: {last_error}")

    async def _dead_letter(self, record: ConsumerRecord, error: str) -> None:
        if self.metrics:
            self.metrics.dead_lettered.labels(self.name).inc()
        log.error(
            "message dead-lettered",
            extra={"consumer": self.name, "topic": record.topic, "partition": record.partition, "offset": record.offset},
        )
        await publish_dead_letter(self.broker, self.dead_letter_topic, record, error=error, consumer=self.name)


def subscribe(
    broker: KafkaBroker,
    *topics: str,
    group: str,
    handle: EventHandler,
    dead_letter_topic: str,
    description: str,
    transient_errors: tuple[type[BaseException], ...] = TRANSIENT_ERRORS,
    metrics: ConsumerMetrics | None = None,
    max_records: int = 500,
) -> BatchConsumer:
    """Consume `topics` in batches in consumer group `group`, by the project's delivery rules."""
    consumer = BatchConsumer(
        broker=broker,
        name=group,
        dead_letter_topic=dead_letter_topic,
        handle=handle,
        transient_errors=transient_errors,
        metrics=metrics,
    )

    @broker.subscriber(
        *topics,
        group_id=group,
        batch=True,
        max_records=max_records,
        auto_offset_reset="earliest",  # a new group starts from the beginning: nothing is skipped
        ack_policy=AckPolicy.MANUAL,  # BatchConsumer acks only after the handler succeeded
        title=group,
        description=description,
    )
    async def receive(message: KafkaMessageParameter) -> None:
        await consumer(message)

    return consumer
