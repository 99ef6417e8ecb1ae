"""The batch consumer's delivery rules, with an in-memory message and broker (unit tier)."""

from uuid import uuid4

from aiokafka.structs import ConsumerRecord

from meldestelle_shared.consuming import Backoff, BatchConsumer
from meldestelle_shared.events import CaseCreated, encode_event
from meldestelle_shared.taxonomy import Priority


class FakeMessage:
    def __init__(self, records):
        self.raw_message = tuple(records)
        self.outcome = None

    async def ack(self):
        self.outcome = "ack"

    async def nack(self):
        self.outcome = "nack"


class FakeBroker:
    middlewares = ()  # no tracing middleware: tracing off

    def __init__(self):
        self.published = []

    async def publish(self, value, *, topic, key=None, headers=None):
        self.published.append((topic, value, headers))


def record(value: bytes, offset: int) -> ConsumerRecord:
    return ConsumerRecord("t", 0, offset, 0, 0, b"k", value, None, 0, len(value), [("event_type", b"X")])


def event_bytes() -> bytes:
    return encode_event(CaseCreated.for_case(case_id=uuid4(), report_id=uuid4(), reference="DU-2026-000001", priority=Priority.NORMAL))


def consumer(broker, handle, **kwargs) -> BatchConsumer:
    return BatchConsumer(broker=broker, name="test", dead_letter_topic="dlq", handle=handle,
                         transient_errors=(ConnectionError,), backoff=Backoff(initial=0.001), **kwargs)


async def test_good_batch_is_handled_then_acked():
    seen = []

    async def handle(events):
        seen.extend(events)

    message = FakeMessage([record(event_bytes(), 0), record(event_bytes(), 1)])
    await consumer(FakeBroker(), handle)(message)
    assert len(seen) == 2 and message.outcome == "ack"


async def test_undecodable_message_is_dead_lettered_with_its_headers_and_the_rest_goes_on():
    seen, broker = [], FakeBroker()

    async def handle(events):
        seen.extend(events)

    message = FakeMessage([record(b"garbage", 0), record(event_bytes(), 1)])
    await consumer(broker, handle)(message)
    assert len(seen) == 1 and message.outcome == "ack"
    [(topic, value, headers)] = broker.published
    assert topic == "dlq" and value == b"garbage"
    assert headers["event_type"] == "X" and headers["dead_letter_offset"] == "0" and "undecodable" in headers["dead_letter_error"]


async def test_outage_nacks_without_dead_lettering():
    broker = FakeBroker()

    async def handle(events):
        raise ConnectionError("database away")

    message = FakeMessage([record(event_bytes(), 0)])
    await consumer(broker, handle)(message)
    assert message.outcome == "nack" and broker.published == []


async def test_event_that_keeps_failing_is_dead_lettered_after_bounded_attempts():
    broker, calls, good = FakeBroker(), [], event_bytes()

    async def handle(events):
        calls.append(len(events))
        if any(encode_event(e) != good for e in events):
            raise RuntimeError("bug")

    message = FakeMessage([record(good, 0), record(event_bytes(), 1)])
    await consumer(broker, handle, max_attempts=3)(message)
    assert message.outcome == "ack"
    assert calls == [2, 1, 1, 1, 1]  # the batch, the good one alone, the bad one three times
    [(_, _, headers)] = broker.published
    assert headers["dead_letter_offset"] == "1" and "RuntimeError" in headers["dead_letter_error"]
