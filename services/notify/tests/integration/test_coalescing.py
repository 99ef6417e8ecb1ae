"""Fewer e-mails, none lost: reporter notices coalesced per case, office digests for bursts (real Kafka, database, SMTP sink)."""

import time
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from pymongo import MongoClient

from devstack.probes import eventually, publish_raw
from meldestelle_shared.events import (
    CaseAssigned,
    CaseClassified,
    CaseCreated,
    CaseStatusChanged,
    OfficeMessageSent,
    ReportSubmitted,
    encode_event,
)
from meldestelle_shared.sealing import generate_key_pair, load_public_key, seal
from meldestelle_shared.taxonomy import CaseStatus, Priority
from notify.app import create_app

pytestmark = pytest.mark.infra

KEYS = generate_key_pair()
WINDOW = 3.0


@pytest.fixture
def settings(notify_settings):
    """notify with a reporter key, a short notice window and a small digest threshold."""
    return notify_settings.model_copy(
        update={
            "private_key": SecretStr(KEYS[0]),
            "notice_window_seconds": WINDOW,
            "schedule_interval_seconds": 0.3,
            "office_digest_threshold": 3,
            "office_digest_window_seconds": 4.0,
        }
    )


def mails_to(infrastructure, address: str) -> list:
    return [m for m in infrastructure.smtp.messages() if m["To"] == address]


def publish(infrastructure, topic: str, *events) -> None:
    publish_raw(infrastructure.kafka.admin, topic, [(e.partition_key(), encode_event(e)) for e in events])


def reporter(infrastructure, settings, topics, address: str) -> ReportSubmitted:
    """A report whose reporter left an address, published and remembered by notify."""
    report_id = uuid4()
    report = ReportSubmitted(
        correlation_id=report_id, report_id=report_id, sealed_description="x",
        sealed_contact_for_notify=seal(load_public_key(KEYS[1]), address), language="de",
    )  # fmt: skip
    publish(infrastructure, topics.reports, report)
    with MongoClient(infrastructure.database_uri("notify")) as client:
        contacts = client[settings.database]["contacts"]
        eventually(lambda: contacts.find_one({"_id": str(report_id)}), timeout=20, what="the contact to be stored")
    return report


def test_three_changes_within_two_seconds_give_one_notice_and_internal_changes_none(settings, topics, infrastructure):
    news, internal = f"news-{uuid4().hex[:6]}@example.org", f"internal-{uuid4().hex[:6]}@example.org"
    with TestClient(create_app(settings)):
        report = reporter(infrastructure, settings, topics, news)
        quiet = reporter(infrastructure, settings, topics, internal)
        ids = {"correlation_id": report.report_id, "case_id": uuid4(), "report_id": report.report_id}
        quiet_ids = {"correlation_id": quiet.report_id, "case_id": uuid4(), "report_id": quiet.report_id}
        started = time.monotonic()
        publish(infrastructure, topics.cases, CaseStatusChanged(**ids, status=CaseStatus.IN_REVIEW, previous_status=CaseStatus.NEW))
        publish(infrastructure, topics.cases, OfficeMessageSent(**ids, message_id=uuid4(), sealed_for_reporter="c2VjcmV0"))
        publish(
            infrastructure, topics.cases, CaseStatusChanged(**ids, status=CaseStatus.WAITING_FOR_REPORTER, previous_status=CaseStatus.IN_REVIEW)
        )
        publish(
            infrastructure, topics.cases,
            CaseAssigned(**quiet_ids, assignee_id="staff-1"),
            CaseClassified(**quiet_ids, grounds=[], forms=[], life_area=None),
        )  # fmt: skip
        assert time.monotonic() - started < 2, "the three changes must fall within two seconds"
        [mail] = eventually(lambda: mails_to(infrastructure, news), timeout=WINDOW + 15, what="the coalesced notice")
        time.sleep(WINDOW + 2)  # a second window: room for a wrong second notice
    assert len(mails_to(infrastructure, news)) == 1
    assert mails_to(infrastructure, internal) == []
    assert "Quittung" in mail.get_content() and "c2VjcmV0" not in mail.get_content()


def test_a_burst_of_new_cases_gives_the_office_a_bounded_number_of_emails_naming_each_case_once(settings, topics, infrastructure):
    moment = datetime.now(UTC)  # one moment, so the burst falls in one digest window
    burst = [
        CaseCreated.for_case(
            case_id=uuid4(), report_id=uuid4(), reference=f"DU-2026-{900000 + n}", priority=Priority.NORMAL, created_at=moment
        )
        for n in range(20)
    ]
    office = settings.office_address
    with TestClient(create_app(settings)):
        publish(infrastructure, topics.cases, *burst)
        publish(infrastructure, topics.cases, *burst[:5])  # redelivered: changes nothing
        digest = eventually(
            lambda: [m for m in mails_to(infrastructure, office) if "more new reports" in m["Subject"]], timeout=30, what="the digest"
        )
        time.sleep(3)  # room for wrong extra e-mails
    mails = mails_to(infrastructure, office)
    assert len(mails) == settings.office_digest_threshold + 1 and len(digest) == 1
    texts = [m["Subject"] + m.get_content() for m in mails]
    for event in burst:
        assert sum(event.reference in text for text in texts) == 1, event.reference
    assert digest[0].get_content().count("DU-2026-") == len(burst) - settings.office_digest_threshold
