"""A fresh stack per fault test, and the tools to feed it and count what came out."""

import asyncio
from collections.abc import Iterator
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from pymongo import MongoClient

from devstack.probes import run_async
from devstack.pytest_plugin import running_stack
from devstack.stack import LocalStack
from meldestelle_shared.events import ReportSubmitted, encode_event
from meldestelle_shared.sealing import load_public_key, seal
from meldestelle_shared.taxonomy import Form, Ground


@pytest.fixture
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The whole system as processes, fresh for each fault test (one office e-mail per case: the tests count them)."""
    with running_stack(tmp_path_factory.mktemp("stack"), env={"NOTIFY_OFFICE_DIGEST_THRESHOLD": "0"}) as running:
        yield running


def report_events(stack: LocalStack, count: int) -> list[ReportSubmitted]:
    """Reports as intake would publish them, sealed for this stack's office key."""
    office_key = load_public_key((stack.secrets / "intake" / "intake_office_public_key").read_text())
    events = []
    for number in range(count):
        report_id = uuid4()
        events.append(
            ReportSubmitted(
                correlation_id=report_id,
                report_id=report_id,
                grounds=[Ground.AGE],
                forms=[Form.UNEQUAL_TREATMENT],
                sealed_description=seal(office_key, f"Bericht Nummer {number}"),
            )
        )
    return events


def publish_reports(stack: LocalStack, events: list[ReportSubmitted], *, per_second: float | None = None) -> None:
    """Publish report events with acks=all, optionally at a steady rate."""

    async def publish() -> None:
        producer = AIOKafkaProducer(**stack.kafka.admin.client_options(), enable_idempotence=True)
        await producer.start()
        try:
            for number, event in enumerate(events):
                await producer.send(stack.topics.reports, encode_event(event), key=event.partition_key())
                if per_second:
                    await asyncio.sleep(1 / per_second)
                elif number % 500 == 499:
                    await producer.flush()
            await producer.flush()
        finally:
            await producer.stop()

    run_async(publish)


def case_report_ids(stack: LocalStack) -> list[str]:
    """The report id of every stored case (duplicates would show twice)."""
    with MongoClient(stack.database_uri("triage"), serverSelectionTimeoutMS=5000) as client:
        return [case["report_id"] for case in client[f"{stack.database_prefix}triage"]["cases"].find({}, {"report_id": 1})]
