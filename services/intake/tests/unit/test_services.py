"""intake's service functions against FastStream's in-memory TestKafkaBroker (unit tier: no Kafka, inboxes in memory)."""

import asyncio
import dataclasses
import json
import re
from uuid import uuid4

import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import CollectorRegistry

from intake.bootstrap import bootstrap, consume_case_events
from intake.followup.service import (
    Delivery,
    ReceiptRefused,
    erase_report,
    read_inbox,
    send_reply,
    unlock_inbox,
)
from intake.followup.throttle import ReceiptThrottle
from intake.receipts import ReceiptHasher
from intake.reports.schemas import ReportCreate
from intake.reports.service import ReportNotSaved, SealingKeys, TooManyReports, submit_report
from intake.reports.throttle import SubmissionThrottle
from intake.throttling import MemoryThrottleStore
from meldestelle_shared.events import (
    CaseCreated,
    ReportAbandoned,
    ReporterReplied,
    ReportErasureRequested,
    ReportSubmitted,
    decode_event,
    encode_event,
)
from meldestelle_shared.kafka import create_broker
from meldestelle_shared.metrics import ConsumerMetrics
from meldestelle_shared.sealing import load_private_key, load_public_key, unseal
from meldestelle_shared.settings import KafkaSettings
from meldestelle_shared.signing import verify
from meldestelle_shared.taxonomy import Priority

KAFKA = KafkaSettings(bootstrap_servers="127.0.0.1:9", topic_prefix="unit", username="intake", password="unit-only")
TOPICS = KAFKA.topics
CLIENT = "127.0.0.2"
REPORT = ReportCreate(
    description="Der Vermieter sagte, an Ausländer vermiete er nicht.",
    grounds=["racist_attribution"],
    consent_contact=True,
    contact={"email": "a@example.org"},
)


@pytest.fixture
def kafka():
    """A broker (never connected) whose reports topic is caught in memory: `kafka.reports` lists (key, event)."""
    broker = create_broker(KAFKA, client_id="intake")
    broker.reports = []

    @broker.subscriber(TOPICS.reports)
    async def catch(message: KafkaMessage) -> None:
        broker.reports.append((message.raw_message.key, decode_event(message.body)))

    return broker


@pytest.fixture
def hasher() -> ReceiptHasher:
    return ReceiptHasher("unit-test-pepper-0123456789", time_cost=1, memory_kib=8192)


@pytest.fixture
def sealing(office_keys, notify_keys) -> SealingKeys:
    return SealingKeys(office=load_public_key(office_keys[1]), notify=load_public_key(notify_keys[1]))


def submission(kafka, inboxes, hasher, sealing, *, max_reports: int = 10, timeout: float = 5.0) -> dict:
    throttle = SubmissionThrottle(store=MemoryThrottleStore(), max_reports=max_reports, window_seconds=3600)
    return dict(
        client=CLIENT, throttle=throttle, broker=kafka, topic=TOPICS.reports, keys=sealing, hasher=hasher, inboxes=inboxes, timeout=timeout,
        evidence=NoFiles(),
    )


class NoFiles:
    """The evidence locker for reports without files (files are tested against the real database)."""

    async def store(self, uploads, *, report_id):
        assert not uploads
        return []

    async def confirm(self, files) -> None:
        assert not files

    async def discard(self, files) -> None:
        assert not list(files)


def receipt_throttle(**limits) -> ReceiptThrottle:
    defaults = dict(
        free_failures=3, max_failures=10, max_attempts=60, delay_seconds=2.0, window_seconds=3600,
        global_failures_per_minute=120, global_max_delay=30.0,
    )  # fmt: skip
    return ReceiptThrottle(store=MemoryThrottleStore(), **(defaults | limits))


async def test_a_submitted_report_is_published_sealed_keyed_by_its_id_with_an_inbox(kafka, inboxes, hasher, sealing, office_keys, notify_keys):
    async with TestKafkaBroker(kafka) as test_broker:
        accepted = await submit_report(REPORT, **submission(test_broker, inboxes, hasher, sealing))
    [(key, event)] = kafka.reports
    assert isinstance(event, ReportSubmitted) and event.report_id == accepted.report_id and key == str(accepted.report_id).encode()
    assert "Vermieter" not in event.model_dump_json() and "a@example.org" not in event.model_dump_json()
    assert unseal(load_private_key(office_keys[0]), event.sealed_description) == REPORT.description
    assert json.loads(unseal(load_private_key(office_keys[0]), event.sealed_contact)) == {"email": "a@example.org"}
    assert unseal(load_private_key(notify_keys[0]), event.sealed_contact_for_notify) == "a@example.org"
    assert inboxes.inboxes[str(accepted.report_id)]["public_key"] == event.reporter_public_key
    assert re.fullmatch(r"\d{4}( \d{4}){3}", accepted.receipt)  # 16 digits, grouped as the site shows them


async def test_a_publish_kafka_does_not_confirm_in_time_is_not_saved_and_abandoned(kafka, inboxes, hasher, sealing):
    async with TestKafkaBroker(kafka) as test_broker:
        with pytest.raises(ReportNotSaved):
            await submit_report(REPORT, **submission(test_broker, inboxes, hasher, sealing, timeout=0))
        for _ in range(200):  # the abandon notice goes out in the background: wait for it, up to 10 s
            if kafka.reports:
                break
            await asyncio.sleep(0.05)
    assert inboxes.inboxes == {}  # nobody holds a receipt for it
    [(_, abandoned)] = kafka.reports
    assert isinstance(abandoned, ReportAbandoned)


async def test_a_client_over_its_report_limit_gets_too_many_reports_and_nothing_is_published(kafka, inboxes, hasher, sealing):
    async with TestKafkaBroker(kafka) as test_broker:
        arguments = submission(test_broker, inboxes, hasher, sealing, max_reports=1)
        await submit_report(REPORT, **arguments)
        with pytest.raises(TooManyReports) as refused:
            await submit_report(REPORT, **arguments)
    assert 1 <= refused.value.retry_after <= 3600
    assert len(kafka.reports) == 1 and len(inboxes.inboxes) == 1


async def test_a_reply_is_published_signed_and_sealed_and_kept_for_the_reporter(kafka, inboxes, hasher, sealing, office_keys):
    async with TestKafkaBroker(kafka) as test_broker:
        accepted = await submit_report(REPORT, **submission(test_broker, inboxes, hasher, sealing))
        inbox, _ = await unlock_inbox(accepted.receipt, client=CLIENT, throttle=receipt_throttle(), inboxes=inboxes, hasher=hasher)
        await send_reply(inbox, "Noch eine Ergänzung.", inboxes=inboxes, office_key=sealing.office, delivery=Delivery(test_broker, TOPICS.reports, 5))
    [(_, report), (key, replied)] = kafka.reports
    assert isinstance(replied, ReporterReplied) and key == str(accepted.report_id).encode()
    assert unseal(load_private_key(office_keys[0]), replied.sealed_text) == "Noch eine Ergänzung."
    verify(report.reporter_verify_key, replied.signed_content(), replied.signature)  # raises on a wrong signature
    assert [m.text for m in (await read_inbox(inbox, inboxes=inboxes)).messages] == ["Noch eine Ergänzung."]


async def test_erasure_is_requested_with_the_reporters_signature_and_the_receipt_stops_working(kafka, inboxes, hasher, sealing):
    async with TestKafkaBroker(kafka) as test_broker:
        accepted = await submit_report(REPORT, **submission(test_broker, inboxes, hasher, sealing))
        throttle = receipt_throttle()
        inbox, _ = await unlock_inbox(accepted.receipt, client=CLIENT, throttle=throttle, inboxes=inboxes, hasher=hasher)
        await erase_report(inbox, inboxes=inboxes, delivery=Delivery(test_broker, TOPICS.reports, 5), evidence=NoFiles())
        with pytest.raises(ReceiptRefused) as refused:
            await unlock_inbox(accepted.receipt, client=CLIENT, throttle=throttle, inboxes=inboxes, hasher=hasher)
    [(_, report), (_, erasure)] = kafka.reports
    assert isinstance(erasure, ReportErasureRequested) and erasure.report_id == accepted.report_id
    verify(report.reporter_verify_key, erasure.signed_content(), erasure.signature)  # raises on a wrong signature
    assert refused.value.problem == "not_found" and inboxes.inboxes == {}


@pytest.mark.parametrize(
    ("typed", "limits", "problem"),
    [
        ("1234 5678", {}, "malformed"),
        ("1" * 16, {}, "not_found"),
        ("1" * 16, {"max_attempts": 1}, "too_many"),  # the second attempt of the window
    ],
)
async def test_unusable_receipts_are_refused_with_the_reason_and_what_was_typed(inboxes, hasher, typed, limits, problem):
    throttle = receipt_throttle(**limits)
    if problem == "too_many":
        with pytest.raises(ReceiptRefused):
            await unlock_inbox(typed, client=CLIENT, throttle=throttle, inboxes=inboxes, hasher=hasher)
    with pytest.raises(ReceiptRefused) as refused:
        await unlock_inbox(typed, client=CLIENT, throttle=throttle, inboxes=inboxes, hasher=hasher)
    assert refused.value.problem == problem and refused.value.typed == typed
    assert typed not in str(refused.value)  # a typed receipt never reaches a log through the error's text


async def test_the_case_consumer_wired_by_bootstrap_links_the_inbox_to_its_case(intake_settings, kafka, inboxes, hasher, sealing):
    context = dataclasses.replace(bootstrap(intake_settings.model_copy(update={"kafka": KAFKA})), broker=kafka, inboxes=inboxes)
    consume_case_events(context, ConsumerMetrics(CollectorRegistry()))
    case_id = uuid4()
    async with TestKafkaBroker(kafka) as test_broker:
        accepted = await submit_report(REPORT, **submission(test_broker, inboxes, hasher, sealing))
        created = CaseCreated.for_case(case_id=case_id, report_id=accepted.report_id, reference="DU-2026-000001", priority=Priority.NORMAL)
        await test_broker.publish(encode_event(created), topic=TOPICS.cases, key=created.partition_key())
    inbox = inboxes.inboxes[str(accepted.report_id)]
    assert inbox["case_id"] == str(case_id) and inbox["status"] == created.status.value


class CountingHasher(ReceiptHasher):
    """A receipt hasher that records which pepper each (slow) run used."""

    def __init__(self, pepper: str, **options) -> None:
        super().__init__(pepper, time_cost=1, memory_kib=8192, **options)
        self.runs: list[str] = []

    def derive(self, receipt: str, pepper_id: str | None = None):
        self.runs.append(pepper_id or self.pepper_id)
        return super().derive(receipt, pepper_id)


async def test_after_a_pepper_rotation_lookups_try_the_current_pepper_first_then_each_retired_one(kafka, inboxes, sealing):
    old = CountingHasher("pepper-aaaa-0123456789")
    rotated = CountingHasher("pepper-cccc-0123456789", retired_peppers=["pepper-bbbb-0123456789", "pepper-aaaa-0123456789"])
    current, middle, oldest = rotated.pepper_ids
    async with TestKafkaBroker(kafka) as test_broker:
        before = await submit_report(REPORT, **submission(test_broker, inboxes, old, sealing))
        after = await submit_report(REPORT, **submission(test_broker, inboxes, rotated, sealing))
        rotated.runs.clear()
        inbox, _ = await unlock_inbox(before.receipt, client=CLIENT, throttle=receipt_throttle(), inboxes=inboxes, hasher=rotated)
        assert rotated.runs == [current, middle, oldest] and inbox.document["_id"] == str(before.report_id)
        await erase_report(inbox, inboxes=inboxes, delivery=Delivery(test_broker, TOPICS.reports, 5), evidence=NoFiles())
        rotated.runs.clear()
        await unlock_inbox(after.receipt, client=CLIENT, throttle=receipt_throttle(), inboxes=inboxes, hasher=rotated)
        assert rotated.runs == [current]  # a found inbox costs no further run
        rotated.runs.clear()
        with pytest.raises(ReceiptRefused, match="not_found"):
            await unlock_inbox("1" * 16, client=CLIENT, throttle=receipt_throttle(), inboxes=inboxes, hasher=rotated)
        assert rotated.runs == [current, middle, oldest]
    [(_, report), *_, (_, erasure)] = kafka.reports
    verify(report.reporter_verify_key, erasure.signed_content(), erasure.signature)  # the old receipt still signs as its reporter
    assert inboxes.inboxes[str(after.report_id)]["pepper_id"] == current
