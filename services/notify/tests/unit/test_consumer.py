"""notify's consumer as wired by bootstrap, driven through FastStream's in-memory TestKafkaBroker (unit tier: no Kafka)."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from meldestelle_shared.events import CaseCreated, CaseStatusChanged, ReportSubmitted, encode_event
from meldestelle_shared.kafka import create_broker
from meldestelle_shared.settings import KafkaSettings
from meldestelle_shared.taxonomy import CaseStatus, Priority
from notify.bootstrap import consume
from notify.settings import Settings

SETTINGS = Settings(
    kafka=KafkaSettings(bootstrap_servers="127.0.0.1:9", topic_prefix="unit", username="notify", password="unit-only"), consumer_group="unit-notify"
)
TOPICS = SETTINGS.kafka.topics


@pytest.fixture
def broker(notifier):
    """A broker (never connected) carrying notify's subscriber over the in-memory notifier, and a dead-letter catcher."""
    broker = create_broker(SETTINGS.kafka, client_id="notify")
    consume(broker, notifier, settings=SETTINGS)
    broker.dead_letters = []

    @broker.subscriber(TOPICS.dead_letters)
    async def catch(message: KafkaMessage) -> None:
        broker.dead_letters.append((message.body, message.headers))

    return broker


async def publish(broker, topic: str, *events) -> None:
    for event in events:
        await broker.publish(encode_event(event), topic=topic, key=event.partition_key())


async def test_a_published_case_reaches_the_office_once_even_when_redelivered(broker, outbox):
    event = CaseCreated.for_case(case_id=uuid4(), report_id=uuid4(), reference="DU-2026-000099", priority=Priority.HIGH)
    async with TestKafkaBroker(broker) as test_broker:
        await publish(test_broker, TOPICS.cases, event, event)
    assert [(m["To"], m["Subject"]) for m in outbox] == [("office@x", "Neue Meldung DU-2026-000099 – Priorität: Hoch")]


async def test_a_message_that_is_not_an_event_is_dead_lettered_and_the_consumer_goes_on(broker, outbox):
    event = CaseCreated.for_case(case_id=uuid4(), report_id=uuid4(), reference="DU-2026-000100", priority=Priority.NORMAL)
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(b"not json", topic=TOPICS.cases, key=b"k")
        await publish(test_broker, TOPICS.cases, event)
    [(body, headers)] = broker.dead_letters
    assert body == b"not json" and headers["dead_letter_error"].startswith("undecodable")
    assert headers["dead_letter_topic"] == TOPICS.cases and headers["dead_letter_consumer"] == "unit-notify"
    assert [m["To"] for m in outbox] == ["office@x"]


async def test_news_for_a_consenting_reporter_becomes_a_notice_in_their_language(broker, notifier, outbox, seal_for_notify):
    report_id = uuid4()
    report = ReportSubmitted(
        correlation_id=report_id, report_id=report_id, receipt_hash="0", sealed_description="x",
        sealed_contact_for_notify=seal_for_notify("reporter@example.org"), language="bg",
    )  # fmt: skip
    news = CaseStatusChanged(
        correlation_id=report_id, case_id=uuid4(), report_id=report_id,
        status=CaseStatus.IN_PROGRESS, previous_status=CaseStatus.IN_REVIEW,
    )  # fmt: skip
    async with TestKafkaBroker(broker) as test_broker:
        await publish(test_broker, TOPICS.reports, report)
        await publish(test_broker, TOPICS.cases, news)
    assert outbox == []  # the notice waits for its window
    await notifier.send_due(datetime.now(UTC) + timedelta(hours=1))
    [notice] = outbox
    assert notice["To"] == "reporter@example.org"
    assert notice["Subject"] == "Новини за Вашия сигнал / Neuigkeiten zu Ihrer Meldung"
    assert "http://site/bg/check" in notice.get_content() and "http://site/de/check" in notice.get_content()
