"""Submitting a report: seal, hash the receipt, and publish durably before anyone says "received"."""

import asyncio
import json
import logging
from dataclasses import dataclass
from uuid import UUID, uuid4

from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from nacl.public import PublicKey

from intake.receipts import ReceiptHasher, new_receipt
from intake.reports.schemas import ReportCreate
from meldestelle_shared.events import ReportAbandoned, ReportSubmitted
from meldestelle_shared.kafka import publish_event
from meldestelle_shared.sealing import seal

log = logging.getLogger(__name__)


class ReportNotSaved(Exception):
    """Kafka did not acknowledge the report, so it was not saved."""


@dataclass(frozen=True)
class ReportAccepted:
    """A report Kafka has durably, and the receipt its sender must keep."""

    report_id: UUID
    receipt: str


def build_report_event(report: ReportCreate, *, report_id: UUID, receipt_hash: str, office_key: PublicKey) -> ReportSubmitted:
    """Turn a validated report into its event, sealing the description and contact data."""
    contact = report.contact.model_dump() if report.contact and report.consent_contact else None
    return ReportSubmitted(
        correlation_id=report_id,
        report_id=report_id,
        receipt_hash=receipt_hash,
        grounds=report.grounds,
        forms=report.forms,
        life_area=report.life_area,
        district=report.district,
        reporter_role=report.reporter_role,
        incident_date=report.incident_date,
        language=report.language,
        sealed_description=seal(office_key, report.description),
        sealed_contact=seal(office_key, json.dumps(contact)) if contact else None,
    )


async def submit_report(
    report: ReportCreate,
    *,
    broker: KafkaBroker,
    topic: str,
    office_key: PublicKey,
    hasher: ReceiptHasher,
    timeout: float,
) -> ReportAccepted:
    """Publish a report and return its receipt once Kafka has acknowledged it within `timeout` seconds."""
    report_id = uuid4()
    receipt = new_receipt()
    receipt_hash = await asyncio.to_thread(hasher.hash, receipt)  # deliberately slow: off the event loop
    event = build_report_event(report, report_id=report_id, receipt_hash=receipt_hash, office_key=office_key)
    try:
        await asyncio.wait_for(publish_event(broker, topic, event), timeout)
    except (KafkaError, TimeoutError) as error:
        # The idempotent producer keeps retrying a report it has buffered, so it may still arrive.
        # The reporter is told it was not saved, so make sure triage drops it if it does.
        _abandon_in_background(broker, topic, report_id)
        raise ReportNotSaved(type(error).__name__) from error
    return ReportAccepted(report_id=report_id, receipt=receipt)


_pending: set[asyncio.Task] = set()


def _abandon_in_background(broker: KafkaBroker, topic: str, report_id: UUID) -> None:
    abandoned = ReportAbandoned(correlation_id=report_id, report_id=report_id)
    task = asyncio.create_task(publish_event(broker, topic, abandoned))
    _pending.add(task)
    task.add_done_callback(_forget)


def _forget(task: asyncio.Task) -> None:
    _pending.discard(task)
    if not task.cancelled() and task.exception():
        log.warning("abandon notice not published", extra={"error": type(task.exception()).__name__})
