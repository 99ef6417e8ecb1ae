"""The outbox (unit tier): events leave only once Kafka has them; an outage leaves them for the relay, unchanged."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from aiokafka.errors import KafkaConnectionError

from meldestelle_shared.events import CaseAssigned, CaseStatusChanged, encode_event
from meldestelle_shared.taxonomy import CaseStatus
from triage.cases.outbox import deliver, relay_outbox


class Outboxes:
    def __init__(self, pending=None):
        self.pending = pending or {}

    async def clear_outbox(self, case_id, event_ids):
        for event_id in event_ids:
            self.pending[case_id].pop(event_id)
        if not self.pending[case_id]:
            del self.pending[case_id]

    async def with_pending_events(self, limit=500, *, everywhere=False):
        return [(case_id, list(events.values())) for case_id, events in self.pending.items()]


def events_of(case_id: str, at: datetime) -> list:
    report_id = uuid4()
    ids = {"correlation_id": report_id, "report_id": report_id, "case_id": case_id}
    return [
        CaseAssigned(**ids, assignee_id="s1", occurred_at=at + timedelta(seconds=1)),
        CaseStatusChanged(**ids, status=CaseStatus.IN_REVIEW, previous_status=CaseStatus.NEW, occurred_at=at),
    ]


def stored(events) -> dict:
    return {str(e.event_id): encode_event(e).decode() for e in events}


async def test_delivered_events_are_cleared_and_an_outage_leaves_them():
    case_id = str(uuid4())
    events = events_of(case_id, datetime.now(UTC))
    cases, sent = Outboxes({case_id: stored(events)}), []

    async def kafka_down(batch):
        raise KafkaConnectionError("away")

    async def kafka_up(batch):
        sent.extend(batch)

    assert await deliver(case_id, events, cases=cases, publish=kafka_down) is False
    assert set(cases.pending[case_id]) == {str(e.event_id) for e in events}
    assert await deliver(case_id, events, cases=cases, publish=kafka_up) is True
    assert sent == events and cases.pending == {}


async def test_nothing_to_deliver_is_done_without_kafka():
    async def must_not_publish(batch):
        raise AssertionError("published nothing")

    assert await deliver("c", [], cases=Outboxes(), publish=must_not_publish) is True


async def test_the_relay_sends_each_case_in_the_order_its_events_happened_with_their_ids():
    first, second = str(uuid4()), str(uuid4())
    now = datetime.now(UTC)
    waiting = {first: stored(events_of(first, now)), second: stored(events_of(second, now))}
    ids = {event_id for events in waiting.values() for event_id in events}
    cases, sent = Outboxes({case_id: dict(events) for case_id, events in waiting.items()}), []

    async def publish(batch):
        sent.append([(type(e).__name__, str(e.case_id), str(e.event_id)) for e in batch])

    assert await relay_outbox(cases=cases, publish=publish) == 4
    assert [[kind for kind, _, _ in batch] for batch in sent] == [["CaseStatusChanged", "CaseAssigned"]] * 2
    assert {event_id for batch in sent for _, _, event_id in batch} == ids
    assert await relay_outbox(cases=cases, publish=publish) == 0
