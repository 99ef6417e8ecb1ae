"""Kafka plumbing: one broker factory and one way to publish events and dead letters."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka.structs import ConsumerRecord, RecordMetadata
from faststream.kafka import KafkaBroker
from faststream.security import SASLScram256, SASLScram512

from meldestelle_shared.events import Event, encode_event
from meldestelle_shared.settings import KafkaSettings
from meldestelle_shared.telemetry import caused_by


def create_broker(settings: KafkaSettings, *, client_id: str) -> KafkaBroker:
    """Build a broker, authenticated as the service's principal, whose publishes return only once every in-sync replica has the message."""
    options = settings.client_options()
    scram = {"SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512}[options["sasl_mechanism"]]
    return KafkaBroker(
        [server.strip() for server in settings.bootstrap_servers.split(",")],
        security=scram(options["sasl_plain_username"], options["sasl_plain_password"], use_ssl=options["security_protocol"] == "SASL_SSL"),
        client_id=client_id,
        enable_idempotence=True,  # implies acks=all; retries cannot duplicate or reorder
        request_timeout_ms=settings.request_timeout_ms,
        linger_ms=settings.linger_ms,
        allow_auto_create_topics=False,
        # FastStream logs every message at INFO; ids only, but far too chatty for production logs.
        log_level=logging.DEBUG,
    )


async def publish_event(broker: KafkaBroker, topic: str, event: Event) -> RecordMetadata:
    """Publish an event and wait for Kafka's acknowledgement."""
    return await _send(broker, topic, event)


async def publish_events(broker: KafkaBroker, topic: str, events: Sequence[Event]) -> None:
    """Publish events in order and wait until Kafka acknowledged them all.

    Each is queued without waiting for the one before: the producer keeps a partition's records in the
    order they were queued (idempotence keeps it through retries), and the batch costs one round
    trip instead of one per event.
    """
    pending = [await _send(broker, topic, event, no_confirm=True) for event in events]
    await asyncio.gather(*pending)


async def _send(broker: KafkaBroker, topic: str, event: Event, **options: Any) -> Any:
    with caused_by(event.correlation_id):  # traced: the publish span is a child of the handled event of the same report
        return await _publish(broker, topic, event, **options)


async def _publish(broker: KafkaBroker, topic: str, event: Event, **options: Any) -> Any:
    return await broker.publish(
        encode_event(event),
        topic=topic,
        key=event.partition_key(),
        headers={
            "content-type": "application/json",
            "event_type": event.event_type,
            "schema_version": str(event.schema_version),
        },
        correlation_id=str(event.correlation_id),
        # The record's own timestamp says no more than the event: a resident's event carries only the day.
        timestamp_ms=int(event.occurred_at.timestamp() * 1000),
        **options,
    )


async def publish_dead_letter(
    broker: KafkaBroker, topic: str, record: ConsumerRecord, *, error: str, consumer: str
) -> None:
    """Park a message that cannot be processed, keeping its bytes, key and headers for a replay."""
    headers = {name: value.decode(errors="replace") for name, value in (record.headers or ())}
    headers.update(
        {
            "dead_letter_error": error[:500],
            "dead_letter_consumer": consumer,
            "dead_letter_topic": record.topic,
            "dead_letter_partition": str(record.partition),
            "dead_letter_offset": str(record.offset),
        }
    )
    await broker.publish(record.value or b"", topic=topic, key=record.key, headers=headers)


def kafka_check(broker: KafkaBroker) -> Callable[[], Awaitable[bool]]:
    """A readiness check that asks Kafka for metadata."""

    async def check() -> bool:
        return await broker.ping(timeout=2.0)

    return check
