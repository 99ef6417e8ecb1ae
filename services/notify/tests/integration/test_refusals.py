"""A mail relay that refuses a reporter's address: the address must appear in no log, dead letter,
metric or delivery record, and a permanent refusal is not retried (real Kafka, database, SMTP relay)."""

import logging
import time
from uuid import uuid4

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from pydantic import SecretStr
from pymongo import MongoClient

from devstack.probes import eventually, publish_raw, read_topic
from devstack.processes import free_port
from meldestelle_shared.events import CaseCreated, CaseStatusChanged, ReportSubmitted, encode_event
from meldestelle_shared.sealing import generate_key_pair, load_public_key, seal
from meldestelle_shared.taxonomy import CaseStatus, Priority
from notify.app import create_app

pytestmark = pytest.mark.infra

KEYS = generate_key_pair()


class RefusingRelay:
    """An SMTP relay that refuses some recipients the way real relays do: naming the address in its reply."""

    def __init__(self, permanent: str, temporary: str, temporary_refusals: int) -> None:
        self.permanent, self.temporary = permanent, temporary
        self.temporary_left = temporary_refusals
        self.attempts: dict[str, int] = {}
        self.delivered: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook name
        self.attempts[address] = self.attempts.get(address, 0) + 1
        if address == self.permanent:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address == self.temporary and self.temporary_left > 0:
            self.temporary_left -= 1
            return f"451 4.7.1 <{address}>: Recipient address rejected: greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted"


@pytest.fixture
def relay():
    suffix = uuid4().hex[:8]
    handler = RefusingRelay(f"gone.{suffix}@refused.test", f"busy.{suffix}@greylist.test", temporary_refusals=2)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    relay_log = logging.getLogger("mail.log")  # the relay's own log names recipients; only notify's is under test
    relay_log.disabled = True
    controller.start()
    yield handler, controller.port
    controller.stop()
    relay_log.disabled = False


def publish(infrastructure, topic: str, *events) -> None:
    publish_raw(infrastructure.kafka.admin, topic, [(e.partition_key(), encode_event(e)) for e in events])


def report_with_address(infrastructure, topics, database: str, address: str) -> ReportSubmitted:
    report_id = uuid4()
    report = ReportSubmitted(
        correlation_id=report_id, report_id=report_id, sealed_description="x",
        sealed_contact_for_notify=seal(load_public_key(KEYS[1]), address),
    )  # fmt: skip
    publish(infrastructure, topics.reports, report)
    with MongoClient(infrastructure.database_uri("notify")) as client:
        contacts = client[database]["contacts"]
        eventually(lambda: contacts.find_one({"_id": str(report_id)}), timeout=20, what="the contact to be stored")
    return report


def news(report: ReportSubmitted) -> CaseStatusChanged:
    return CaseStatusChanged(
        correlation_id=report.report_id, case_id=uuid4(), report_id=report.report_id,
        status=CaseStatus.IN_PROGRESS, previous_status=CaseStatus.IN_REVIEW,
    )  # fmt: skip


def test_a_refused_reporter_address_leaks_nowhere_and_is_not_retried(notify_settings, topics, infrastructure, relay, capfd):
    handler, port = relay
    settings = notify_settings.model_copy(
        update={"smtp": notify_settings.smtp.model_copy(update={"port": port}), "private_key": SecretStr(KEYS[0]), "notice_window_seconds": 0.5, "schedule_interval_seconds": 0.3}
    )
    with TestClient(create_app(settings)) as client:
        refused = report_with_address(infrastructure, topics, settings.database, handler.permanent)
        greylisted = report_with_address(infrastructure, topics, settings.database, handler.temporary)
        publish(infrastructure, topics.cases, news(refused), news(greylisted))
        eventually(lambda: handler.permanent in handler.attempts, timeout=30, what="the refused delivery")
        eventually(lambda: handler.temporary in handler.delivered, timeout=60, what="the greylisted notice, retried until taken")
        # The consumer goes on after the refusal: a new case still reaches the office.
        publish(infrastructure, topics.cases, CaseCreated.for_case(case_id=uuid4(), report_id=uuid4(), reference="DU-2026-000321", priority=Priority.HIGH))
        eventually(lambda: settings.office_address in handler.delivered, timeout=30, what="the office e-mail")
        time.sleep(3)  # room for wrong retries
        metrics = httpx.get(f"http://{settings.metrics.host}:{settings.metrics.port}/metrics", timeout=10).text  # the internal metrics port
    logs = "".join(capfd.readouterr())
    dead_letters = read_topic(infrastructure.kafka.admin, topics.dead_letters)
    with MongoClient(infrastructure.database_uri("notify")) as mongo:
        deliveries = list(mongo[settings.database]["deliveries"].find())

    assert '"level"' in logs  # notify's JSON log was captured
    for address in (handler.permanent, handler.temporary):
        local_part = address.split("@")[0]
        assert local_part not in logs
        assert local_part not in metrics
        for record in dead_letters:
            assert local_part.encode() not in (record.value or b"")
            assert all(local_part.encode() not in (value or b"") for _, value in record.headers)
        assert local_part not in repr(deliveries)
    assert handler.attempts[handler.permanent] == 1  # a permanent refusal is final
    assert handler.attempts[handler.temporary] == 3  # two temporary refusals, then delivered
    assert 'emails_refused_total{code="550",kind="ReporterNotice"} 1.0' in metrics
    assert [d["error"] for d in deliveries if d.get("status") == "refused"] == ["SMTPRecipientsRefused 550"]
