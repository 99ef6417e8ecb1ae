"""Submitting a report: seal, hash the receipt, open the reporter's inbox, and publish durably
before anyone says "received"."""

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from nacl.public import PublicKey
from pymongo.errors import PyMongoError

from intake.evidence.files import Upload
from intake.evidence.locker import EvidenceLocker, EvidenceNotStored
from intake.followup.keys import ReporterKeys, create_reporter_keys
from intake.followup.repository import NEVER, InboxRepository
from intake.receipts import ReceiptHasher, ReceiptSecrets, new_receipt
from intake.reports.schemas import ReportCreate
from intake.reports.throttle import SubmissionThrottle
from meldestelle_shared.days import office_date, office_day
from meldestelle_shared.events import EvidenceFile, ReportAbandoned, ReportSubmitted
from meldestelle_shared.kafka import publish_event
from meldestelle_shared.sealing import seal
from meldestelle_shared.signing import public_verify_key, signing_key

log = logging.getLogger(__name__)


class ReportNotSaved(Exception):
    """Kafka or the database did not take the report, so it was not saved."""


class TooManyReports(Exception):
    """This client has sent its reports for the window; it may again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class SealingKeys:
    """The public keys a report is sealed to: the office's, and notify's for the e-mail address alone."""

    office: PublicKey
    notify: PublicKey


@dataclass(frozen=True)
class ReportAccepted:
    """A report Kafka has durably, and the receipt its sender must keep."""

    report_id: UUID
    receipt: str


def build_report_event(
    report: ReportCreate,
    *,
    report_id: UUID,
    keys: SealingKeys,
    reporter_public_key: str,
    reporter_verify_key: str,
    evidence: Sequence[EvidenceFile] = (),
) -> ReportSubmitted:
    """Turn a validated report into its event, sealing the description and contact data."""
    contact = report.contact.model_dump() if report.contact and report.consent_contact else None
    return ReportSubmitted(
        occurred_at=office_day(),
        correlation_id=report_id,
        report_id=report_id,
        grounds=report.grounds,
        forms=report.forms,
        life_area=report.life_area,
        district=report.district,
        reporter_role=report.reporter_role,
        incident_date=report.incident_date,
        language=report.language,
        wishes=report.wishes,
        referral_consent=report.referral_consent,
        sealed_description=seal(keys.office, report.description),
        sealed_contact=seal(keys.office, json.dumps(contact)) if contact else None,
        sealed_contact_for_notify=seal(keys.notify, contact["email"]) if contact else None,
        reporter_public_key=reporter_public_key,
        reporter_verify_key=reporter_verify_key,
        evidence=list(evidence),
        evidence_original_consent=report.evidence_original_consent and bool(evidence),
    )


def new_inbox(report_id: UUID, receipt: ReceiptSecrets, reporter_keys: ReporterKeys, evidence_ids: Sequence[str] = ()) -> dict:
    """The reporter's inbox document: status "new" until triage says more; it lists the files, so erasure finds them by id."""
    return {
        "_id": str(report_id),
        "receipt_hash": receipt.lookup_hash,
        "pepper_id": receipt.pepper_id,  # which pepper this receipt needs (see intake.followup.peppers)
        "case_id": None,
        "status": "new",
        "status_at": NEVER,
        "public_key": reporter_keys.public_key,
        "sealed_private_key": reporter_keys.sealed_private_key,
        "created_on": office_date().isoformat(),  # the day only: an exact time could be matched with proxy logs
        "evidence_ids": list(evidence_ids),
    }


async def submit_report(
    report: ReportCreate,
    *,
    client: str,
    throttle: SubmissionThrottle,
    broker: KafkaBroker,
    topic: str,
    keys: SealingKeys,
    hasher: ReceiptHasher,
    inboxes: InboxRepository,
    timeout: float,
    evidence: EvidenceLocker,
    report_id: UUID | None = None,
    uploads: Sequence[Upload] = (),
    kept_evidence: Sequence[EvidenceFile] = (),
) -> ReportAccepted:
    """Publish a report and return its receipt once Kafka has acknowledged it within `timeout` seconds.

    A client over its limit gets TooManyReports. The files (`uploads`, sealed and stored now, and
    `kept_evidence`, stored earlier by the form's evidence step) and then the inbox are stored first,
    so a receipt handed out always works; if Kafka does not confirm, inbox and files are deleted again
    and ReportNotSaved raised. `report_id` lets the site make a resent form a DuplicateReport.
    """
    if refusal := await throttle.attempt(client):
        raise TooManyReports(refusal.retry_after)
    report_id = report_id or uuid4()
    try:
        new_files = await evidence.store(uploads, report_id=report_id)
    except EvidenceNotStored as error:
        raise ReportNotSaved(str(error)) from error
    files = [*kept_evidence, *new_files]
    try:
        accepted = await _publish_report(
            report, report_id=report_id, files=files, broker=broker, topic=topic, keys=keys, hasher=hasher, inboxes=inboxes, timeout=timeout
        )
    except BaseException:
        # All or nothing: a report not saved keeps no file. A draft's files stay pending for the next try
        # (or the sweep); they may also belong to the same form sent a moment earlier (DuplicateReport).
        await evidence.discard(new_files)
        raise
    await evidence.confirm(files)
    return accepted


async def _publish_report(
    report: ReportCreate,
    *,
    report_id: UUID,
    files: list[EvidenceFile],
    broker: KafkaBroker,
    topic: str,
    keys: SealingKeys,
    hasher: ReceiptHasher,
    inboxes: InboxRepository,
    timeout: float,
) -> ReportAccepted:
    receipt = new_receipt()
    secrets = await asyncio.to_thread(hasher.derive, receipt)  # deliberately slow: off the event loop
    reporter_keys = create_reporter_keys(secrets.key)
    event = build_report_event(
        report,
        report_id=report_id,
        keys=keys,
        reporter_public_key=reporter_keys.public_key,
        reporter_verify_key=public_verify_key(signing_key(secrets.signing_seed)),
        evidence=files,
    )
    try:
        await inboxes.insert(new_inbox(report_id, secrets, reporter_keys, [str(file.evidence_id) for file in files]))
    except PyMongoError as error:
        raise ReportNotSaved(type(error).__name__) from error
    try:
        await asyncio.wait_for(publish_event(broker, topic, event), timeout)
    except (KafkaError, TimeoutError) as error:
        # The idempotent producer keeps retrying a report it has buffered, so it may still arrive.
        # The reporter is told it was not saved, so make sure triage drops it if it does.
        _abandon_in_background(broker, topic, report_id)
        await _delete_inbox(inboxes, report_id)
        raise ReportNotSaved(type(error).__name__) from error
    return ReportAccepted(report_id=report_id, receipt=receipt)


async def _delete_inbox(inboxes: InboxRepository, report_id: UUID) -> None:
    try:
        await inboxes.delete(str(report_id))
    except PyMongoError as error:
        # A harmless leftover: nobody holds its receipt.
        log.warning("inbox of an unsaved report not deleted", extra={"error": type(error).__name__})


_pending: set[asyncio.Task] = set()


def _abandon_in_background(broker: KafkaBroker, topic: str, report_id: UUID) -> None:
    abandoned = ReportAbandoned(occurred_at=office_day(), correlation_id=report_id, report_id=report_id)
    task = asyncio.create_task(publish_event(broker, topic, abandoned))
    _pending.add(task)
    task.add_done_callback(_forget)


def _forget(task: asyncio.Task) -> None:
    _pending.discard(task)
    if not task.cancelled() and task.exception():
        log.warning("abandon notice not published", extra={"error": type(task.exception()).__name__})
