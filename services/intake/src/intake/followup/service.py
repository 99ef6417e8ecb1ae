"""Following up with a receipt: find the inbox, read it, write to the office, erase the report."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from nacl.public import PublicKey
from pymongo.errors import PyMongoError

from intake.evidence.files import Upload
from intake.evidence.locker import EvidenceLocker, EvidenceNotStored
from intake.followup.keys import ReporterKeys, open_reporter_key
from intake.followup.repository import InboxRepository
from intake.followup.throttle import ReceiptThrottle
from intake.receipts import MalformedReceipt, ReceiptHasher, normalise_receipt
from intake.throttling import Refusal
from meldestelle_shared.days import office_day
from meldestelle_shared.events import ReporterEvidenceAdded, ReporterReplied, ReporterSigned, ReportErasureRequested
from meldestelle_shared.kafka import publish_event
from meldestelle_shared.sealing import load_public_key, seal, unseal
from meldestelle_shared.signing import sign, signing_key

log = logging.getLogger(__name__)
TYPED_RECEIPT_MAX = 64  # a receipt with spaces is 19 characters; anything longer is not worth echoing in full


class ReceiptNotFound(LookupError):
    """No report has this receipt (or it was erased)."""


class NotDelivered(Exception):
    """Kafka or the database did not take the request in time; nothing changed."""


class ReceiptRefused(Exception):
    """A typed receipt that cannot be used now; `problem` says why, `typed` is what was typed (to show it again)."""

    def __init__(self, problem: str, *, typed: str, retry_after: int = 0) -> None:
        super().__init__(problem)  # never the typed text: it may be a real receipt
        self.problem = problem
        self.typed = typed
        self.retry_after = retry_after


@dataclass(frozen=True)
class MessageView:
    """One message of the conversation, opened for the reporter."""

    author: str
    text: str
    sent_at: datetime


@dataclass(frozen=True)
class InboxView:
    """What the reporter sees: the case status in their words, and the conversation."""

    status: str
    messages: list[MessageView]


@dataclass(frozen=True)
class Delivery:
    """Where and how patiently follow-up events are published."""

    broker: KafkaBroker
    topic: str
    timeout: float


@dataclass(frozen=True)
class UnlockedInbox:
    """An inbox found by its receipt, with the keys the receipt yields: to open its messages, and to sign requests."""

    document: dict[str, Any]
    receipt_key: bytes
    signing_seed: bytes


async def unlock_inbox(
    typed: str, *, client: str, throttle: ReceiptThrottle, inboxes: InboxRepository, hasher: ReceiptHasher
) -> tuple[UnlockedInbox, str]:
    """The inbox of a typed receipt and the receipt's digits, after the throttle let the client try; else ReceiptRefused."""
    typed = typed[:TYPED_RECEIPT_MAX]
    try:
        receipt = normalise_receipt(typed)
    except MalformedReceipt:
        raise ReceiptRefused("malformed", typed=typed) from None
    admission = await throttle.attempt(client)
    if isinstance(admission, Refusal):
        raise ReceiptRefused(admission.reason.value, typed=typed, retry_after=admission.retry_after)
    await asyncio.sleep(admission.delay)  # the global brake slows everyone down instead of refusing anyone
    try:
        inbox = await find_inbox(receipt, inboxes=inboxes, hasher=hasher)
    except ReceiptNotFound:
        await throttle.failed(admission)
        raise ReceiptRefused("not_found", typed=typed) from None
    except PyMongoError:
        await throttle.forgive(admission)
        raise ReceiptRefused("unavailable", typed=typed) from None
    await throttle.forgive(admission)
    return inbox, receipt


async def find_inbox(receipt: str, *, inboxes: InboxRepository, hasher: ReceiptHasher) -> UnlockedInbox:
    """The inbox of a well-formed receipt, or ReceiptNotFound; receipts made under a retired pepper are tried with it after the current one."""
    for pepper_id in hasher.pepper_ids:
        secrets = await asyncio.to_thread(hasher.derive, receipt, pepper_id)  # deliberately slow: off the event loop
        inbox = await inboxes.find_by_receipt_hash(secrets.lookup_hash)
        if inbox is not None:
            return UnlockedInbox(inbox, secrets.key, secrets.signing_seed)
    raise ReceiptNotFound()


async def read_inbox(unlocked: UnlockedInbox, *, inboxes: InboxRepository) -> InboxView:
    """Open the inbox's messages with the receipt-derived key."""
    inbox = unlocked.document
    stored = await inboxes.messages(inbox["_id"])
    messages = []
    if stored:
        reporter_keys = ReporterKeys(inbox["public_key"], inbox["sealed_private_key"])
        private_key = open_reporter_key(unlocked.receipt_key, reporter_keys)
        messages = [MessageView(m["author"], unseal(private_key, m["sealed"]), m["sent_at"]) for m in stored]
    return InboxView(status=inbox["status"], messages=messages)


async def send_reply(
    unlocked: UnlockedInbox, text: str, *, inboxes: InboxRepository, office_key: PublicKey, delivery: Delivery
) -> None:
    """Send the reporter's message to the office, signed with the reporter's key, keeping a copy only the reporter can open."""
    inbox = unlocked.document
    report_id = UUID(inbox["_id"])
    message_id = uuid4()
    copy = {
        "_id": str(message_id),
        "report_id": inbox["_id"],
        "author": "reporter",
        "sealed": seal(load_public_key(inbox["public_key"]), text),
        "sent_at": _reply_stamp(await inboxes.messages(inbox["_id"])),
    }
    event = _signed(
        ReporterReplied(
            occurred_at=office_day(),
            correlation_id=report_id,
            report_id=report_id,
            message_id=message_id,
            sealed_text=seal(office_key, text),
            signature="",
        ),
        unlocked,
    )
    try:
        await inboxes.add_message(copy)
        await asyncio.wait_for(publish_event(delivery.broker, delivery.topic, event), delivery.timeout)
    except (KafkaError, PyMongoError, TimeoutError) as error:
        # The reporter is told it was not sent, so their copy must not claim otherwise.
        await _forget_copy(inboxes, copy)
        raise NotDelivered(type(error).__name__) from error


async def add_evidence(
    unlocked: UnlockedInbox, uploads: list[Upload], *, inboxes: InboxRepository, evidence: EvidenceLocker, delivery: Delivery
) -> None:
    """Seal and store files the reporter adds later, and tell triage with the reporter's signature; all or nothing."""
    report_id = UUID(unlocked.document["_id"])
    try:
        files = await evidence.store(uploads, report_id=report_id)
    except EvidenceNotStored as error:
        raise NotDelivered(str(error)) from error
    event = _signed(
        ReporterEvidenceAdded(occurred_at=office_day(), correlation_id=report_id, report_id=report_id, evidence=files, signature=""),
        unlocked,
    )
    try:
        await inboxes.add_evidence(str(report_id), [str(file.evidence_id) for file in files])
        await asyncio.wait_for(publish_event(delivery.broker, delivery.topic, event), delivery.timeout)
    except (KafkaError, PyMongoError, TimeoutError) as error:
        await evidence.discard(files)  # the ids left in the inbox point at nothing; erasure skips them
        raise NotDelivered(type(error).__name__) from error
    await evidence.confirm(files)


async def erase_report(
    unlocked: UnlockedInbox, *, inboxes: InboxRepository, delivery: Delivery, evidence: EvidenceLocker
) -> None:
    """Ask triage (with the reporter's signature) to erase the case, then delete the files and the inbox here (the receipt stops working at once)."""
    inbox = unlocked.document
    report_id = UUID(inbox["_id"])
    event = _signed(
        ReportErasureRequested(occurred_at=office_day(), correlation_id=report_id, report_id=report_id, signature=""), unlocked
    )
    try:
        await asyncio.wait_for(publish_event(delivery.broker, delivery.topic, event), delivery.timeout)
    except (KafkaError, TimeoutError) as error:
        raise NotDelivered(type(error).__name__) from error
    try:
        await evidence.discard([UUID(evidence_id) for evidence_id in inbox.get("evidence_ids", [])])
        await inboxes.delete(inbox["_id"])
    except PyMongoError as error:
        # The request is on its way: triage's CaseErased deletes the inbox when the database is back.
        log.warning("inbox not deleted yet", extra={"error": type(error).__name__})


def _reply_stamp(conversation: list[dict[str, Any]]) -> datetime:
    """When a reply is filed: the office's day only, yet after every message before it, so the conversation keeps its order."""
    latest = max((message["sent_at"] for message in conversation), default=None)
    day = office_day()
    return max(day, latest + timedelta(milliseconds=1)) if latest else day


def _signed(event: ReporterSigned, unlocked: UnlockedInbox) -> ReporterSigned:
    """The event with the signature that only the receipt's holder can make (triage checks it against the report's key)."""
    return event.model_copy(update={"signature": sign(signing_key(unlocked.signing_seed), event.signed_content())})


async def _forget_copy(inboxes: InboxRepository, copy: dict[str, Any]) -> None:
    try:
        await inboxes.delete_message(copy["_id"])
    except PyMongoError:
        pass  # the database is the failure being reported; the copy stays unreadable to anyone but the reporter
