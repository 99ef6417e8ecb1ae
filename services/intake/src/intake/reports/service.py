"""Submitting a report: seal, hash the receipt, and publish durably before anyone says "received"."""

import asyncio
import json
from dataclasses import dataclass
from uuid import UUID, uuid4

from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from nacl.public import PublicKey

from intake.receipts import ReceiptHasher, new_receipt
from intake.reports.schemas import ReportCreate
from meldestelle_shared.events import ReportSubmitted
from meldestelle_shared.kafka import publish_event
from meldestelle_shared.sealing import seal


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
    report: ReportCreate, *, broker: KafkaBroker, topic: str, office_key: PublicKey, hasher: ReceiptHasher
) -> ReportAccepted:
    """Publish a report and return its receipt once Kafka has acknowledged it."""
    report_id = uuid4()
    receipt = new_receipt()
    receipt_hash = await asyncio.to_thread(hasher.hash, receipt)  # deliberately slow: off the event loop
    event = build_report_event(report, report_id=report_id, receipt_hash=receipt_hash, office_key=office_key)
    try:
        await publish_event(broker, topic, event)
    except KafkaError as error:
        raise ReportNotSaved(type(error).__name__) from error
    return ReportAccepted(report_id=report_id, receipt=receipt)
