import dataclasses
import hashlib
from datetime import datetime
from uuid import UUID, uuid4
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from intake.app import create_app
from intake.bootstrap import receipt_throttle
from intake.reports.throttle import SubmissionThrottle
from intake.site.drafts import DraftStore
from intake.throttling import MemoryThrottleStore
from intake.followup.repository import DuplicateReport
from intake.settings import ReceiptHashSettings, Settings
from meldestelle_shared.events import EvidenceFile
from meldestelle_shared.sealing import generate_key_pair
from meldestelle_shared.settings import KafkaSettings


@pytest.fixture(scope="session")
def office_keys() -> tuple[str, str]:
    return generate_key_pair()


@pytest.fixture(scope="session")
def notify_keys() -> tuple[str, str]:
    return generate_key_pair()


@pytest.fixture
def intake_settings(office_keys, notify_keys) -> Settings:
    """Settings with cheap hashing parameters for unit tests; plain http, as on loopback."""
    return Settings(
        office_public_key=office_keys[1],
        notify_public_key=notify_keys[1],
        receipt_pepper="unit-test-pepper-0123456789",
        receipt_hash=ReceiptHashSettings(memory_kib=8192, time_cost=1),
        https_only=False,
        kafka=KafkaSettings(username="intake", password="unit-test-password"),  # the unit tier never connects
    )


class RecordingBroker:
    """Stands in for Kafka in the unit tier: records what would be published."""

    def __init__(self, fail: Exception | None = None):
        self.published = []
        self.fail = fail

    async def publish(self, value, *, topic, key=None, headers=None, correlation_id=None, timestamp_ms=None):
        if self.fail:
            raise self.fail
        self.published.append((topic, value, key))


class MemoryInboxes:
    """The inbox repository's contract, in memory, for the unit tier."""

    def __init__(self) -> None:
        self.inboxes: dict[str, dict[str, Any]] = {}
        self.stored_messages: dict[str, dict[str, Any]] = {}

    async def insert(self, inbox: dict[str, Any]) -> None:
        if inbox["_id"] in self.inboxes:
            raise DuplicateReport(inbox["_id"])
        self.inboxes[inbox["_id"]] = dict(inbox)

    async def delete(self, report_id: str) -> None:
        self.inboxes.pop(report_id, None)
        self.stored_messages = {k: m for k, m in self.stored_messages.items() if m["report_id"] != report_id}

    async def find_by_receipt_hash(self, receipt_hash: str) -> dict[str, Any] | None:
        return next((dict(i) for i in self.inboxes.values() if i["receipt_hash"] == receipt_hash), None)

    async def exists(self, report_id: str) -> bool:
        return report_id in self.inboxes

    async def messages(self, report_id: str) -> list[dict[str, Any]]:
        return sorted((m for m in self.stored_messages.values() if m["report_id"] == report_id), key=lambda m: m["sent_at"])

    async def add_message(self, message: dict[str, Any]) -> None:
        self.stored_messages.setdefault(message["_id"], dict(message))

    async def delete_message(self, message_id: str) -> None:
        self.stored_messages.pop(message_id, None)

    async def link_case(self, report_id: str, case_id: str, status: str, at: datetime) -> None:
        inbox = self.inboxes.get(report_id)
        if inbox and inbox["case_id"] is None:
            inbox.update(case_id=case_id, status=status, status_at=at)

    async def set_status(self, report_id: str, status: str, at: datetime) -> None:
        inbox = self.inboxes.get(report_id)
        if inbox and inbox["status_at"] <= at:
            inbox.update(status=status, status_at=at)


class MemoryEvidence:
    """The evidence locker's contract, in memory, for the unit tier: files by id, and which are still pending."""

    def __init__(self) -> None:
        self.files: dict[UUID, bytes] = {}
        self.pending: set[UUID] = set()

    async def store(self, uploads, *, report_id: UUID) -> list[EvidenceFile]:
        stored = []
        for upload in uploads:
            evidence_id = uuid4()
            self.files[evidence_id] = upload.data
            self.pending.add(evidence_id)
            digest = hashlib.sha256(upload.data).hexdigest()
            stored.append(EvidenceFile(evidence_id=evidence_id, media_type=upload.media_type, size=len(upload.data), sealed_sha256=digest))
        return stored

    async def confirm(self, files) -> None:
        self.pending -= {file.evidence_id for file in files}

    async def discard(self, files) -> None:
        for file in files:
            evidence_id = getattr(file, "evidence_id", file)
            self.files.pop(evidence_id, None)
            self.pending.discard(evidence_id)

    async def is_stored(self, file: EvidenceFile) -> bool:
        return file.evidence_id in self.files


@pytest.fixture
def evidence():
    return MemoryEvidence()


@pytest.fixture
def broker():
    return RecordingBroker()


@pytest.fixture
def inboxes():
    return MemoryInboxes()


def with_fakes(app: FastAPI, settings: Settings, broker: RecordingBroker, inboxes: MemoryInboxes) -> FastAPI:
    """`app` with Kafka, the inboxes, the throttles' counts and the drafts in memory, so nothing connects."""
    limits, counts = settings.report_throttle, MemoryThrottleStore()
    app.state.context = dataclasses.replace(
        app.state.context,
        broker=broker,
        inboxes=inboxes,
        throttle=receipt_throttle(settings, counts),
        submissions=SubmissionThrottle(store=counts, max_reports=limits.max_per_window, window_seconds=limits.window_seconds),
        drafts=DraftStore(),
        evidence=MemoryEvidence(),
    )
    return app


@pytest.fixture
def fake_parts():
    """`fake_parts(app, settings, broker, inboxes)`: the app with its outside parts in memory."""
    return with_fakes


@pytest.fixture
def client(intake_settings, broker, inboxes):
    """The app with Kafka and the database replaced by in-memory fakes; no lifespan, so nothing connects."""
    return TestClient(with_fakes(create_app(intake_settings), intake_settings, broker, inboxes))
