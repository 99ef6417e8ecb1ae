"""Rotating the receipt pepper, against real Kafka and the real database: intake restarts with a new pepper
and the old one retired, and receipts made before still open their inbox, reply and erase as their reporter."""

import re

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from devstack.kafka import KafkaAccess
from devstack.probes import eventually, read_topic
from intake.app import create_app
from intake.followup.peppers import pepper_usage
from intake.settings import Settings
from meldestelle_shared.events import ReporterReplied, ReportErasureRequested, ReportSubmitted, decode_event
from meldestelle_shared.signing import verify

pytestmark = pytest.mark.infra

PEPPER_A, PEPPER_B = "rotation-pepper-aaaa-0123456789", "rotation-pepper-bbbb-0123456789"


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def submit(client: TestClient) -> str:
    page = client.get("/de/report").text
    data = {"csrf_token": token(page), "step": "review", "action": "submit", "description": "Man rief mir Beleidigungen nach."}
    response = client.post("/de/report", data=data)
    assert response.status_code == 200, response.text
    return re.search(r"data-receipt>([\d ]{19})<", response.text).group(1)


def check(client: TestClient, receipt: str):
    page = client.get("/de/check").text
    return client.post("/de/check", data={"csrf_token": token(page), "receipt": receipt})


def events_on(bootstrap: KafkaAccess, topic: str, kind: type) -> list:
    return [e for e in (decode_event(r.value) for r in read_topic(bootstrap, topic)) if isinstance(e, kind)]


def with_peppers(settings: Settings, pepper: str, retired: str = "") -> Settings:
    return settings.model_copy(update={"receipt_pepper": SecretStr(pepper), "receipt_retired_peppers": SecretStr(retired)})


def inbox_documents(client: TestClient, settings: Settings) -> dict:
    async def read() -> dict:
        return {d["_id"]: d async for d in client.app.state.context.client[settings.database]["inboxes"].find()}

    return client.portal.call(read)


def test_receipts_made_before_a_pepper_rotation_keep_working_while_the_old_pepper_is_retired(live_settings, infrastructure, topics):
    bootstrap = infrastructure.kafka.admin
    with TestClient(create_app(with_peppers(live_settings, PEPPER_A))) as client:
        old_receipt = submit(client)
        pepper_a = client.app.state.context.hasher.pepper_id
    [old_report] = eventually(lambda: events_on(bootstrap, topics.reports, ReportSubmitted), what="the first report")

    # Restarted with the new pepper alone: the old receipt finds nothing.
    with TestClient(create_app(with_peppers(live_settings, PEPPER_B))) as client:
        refused = check(client, old_receipt)
        assert refused.status_code == 404 and "keine Meldung mit dieser Quittung" in refused.text

    # Restarted with the new pepper and the old one retired: it opens, replies and erases as its reporter.
    rotated = with_peppers(live_settings, PEPPER_B, retired=PEPPER_A)
    with TestClient(create_app(rotated)) as client:
        hasher = client.app.state.context.hasher
        assert hasher.pepper_ids == [hasher.pepper_id, pepper_a] and hasher.pepper_id != pepper_a
        page = check(client, old_receipt)
        assert page.status_code == 200 and "Eingegangen" in page.text
        answer = client.post("/de/check/reply", data={"csrf_token": token(page.text), "receipt": old_receipt, "text": "Nachtrag."})
        assert answer.status_code == 200 and "Nachtrag." in answer.text

        new_receipt = submit(client)
        inboxes = inbox_documents(client, rotated)
        assert {inbox["pepper_id"] for inbox in inboxes.values()} == {pepper_a, hasher.pepper_id}
        [new_inbox] = [inbox for inbox in inboxes.values() if inbox["_id"] != str(old_report.report_id)]
        assert new_inbox["pepper_id"] == hasher.pepper_id
        client.portal.call(  # an inbox from before pepper ids were recorded
            lambda: client.app.state.context.client[rotated.database]["inboxes"].insert_one({"_id": "legacy", "receipt_hash": "0" * 64})
        )
        usage = client.portal.call(lambda: pepper_usage(hasher, client.app.state.context.inboxes)).splitlines()
        assert usage[0].split()[:3] == [hasher.pepper_id, "current", "1"]
        assert usage[1].split()[:3] == [pepper_a, "retired", "1"]
        assert re.match(r"no id\s+-\s+1 ", usage[2]) and re.match(r"unknown\s+-\s+0 ", usage[3])

        page = check(client, old_receipt)
        erased = client.post("/de/check/delete", data={"csrf_token": token(page.text), "receipt": old_receipt, "confirm": "yes"})
        assert erased.status_code == 200
        assert check(client, old_receipt).status_code == 404 and check(client, new_receipt).status_code == 200

    [reply] = eventually(lambda: events_on(bootstrap, topics.reports, ReporterReplied), what="the reply")
    [erasure] = eventually(lambda: events_on(bootstrap, topics.reports, ReportErasureRequested), what="the erasure request")
    for signed in (reply, erasure):  # triage checks these against the verify key that came with the report
        assert signed.report_id == old_report.report_id
        verify(old_report.reporter_verify_key, signed.signed_content(), signed.signature)
