"""Evidence on the office's side, against real Kafka and the real database: sealed originals in the evidence store
(written here as intake would), ReportSubmitted with references, safe copies made off the case path, served to
staff who may read the case, the original only to a lead with a reason, and every file gone with its case."""

import hashlib
import io
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import bson
import pytest
from fastapi.testclient import TestClient
from gridfs import GridFSBucket
from PIL import Image
from pymongo import MongoClient

from devstack.probes import eventually, publish_raw, read_topic
from meldestelle_shared.events import EvidenceFile, ReportErasureRequested, encode_event
from meldestelle_shared.sealing import load_public_key, seal_bytes
from triage.app import create_app
from triage.cases.jobs import apply_retention

pytestmark = pytest.mark.infra
SETTLING = 180  # seconds: each file is converted in a process of its own, on a loaded machine


def store_original(settings, office_public_key: str, data: bytes, media_type: str) -> EvidenceFile:
    """Seal a file and put it into the evidence store as intake does; returns the reference its report carries."""
    sealed = seal_bytes(load_public_key(office_public_key), data)
    evidence_id = uuid4()
    with MongoClient(settings.mongodb.uri) as client:
        GridFSBucket(client[settings.evidence_database], bucket_name="evidence").upload_from_stream_with_id(str(evidence_id), "evidence", sealed)
    return EvidenceFile(evidence_id=evidence_id, media_type=media_type, size=len(data), sealed_sha256=hashlib.sha256(sealed).hexdigest())


def publish(infrastructure, topic: str, *events) -> None:
    publish_raw(infrastructure.kafka.admin, topic, [(event.partition_key(), encode_event(event)) for event in events])


def settled_case(client, headers) -> dict:
    """The one case, once none of its files waits for a safe copy."""

    def probe() -> dict | None:
        items = client.get("/api/v1/cases", headers=headers).json()["items"]
        if not items:
            return None
        detail = client.get(f"/api/v1/cases/{items[0]['id']}", headers=headers).json()
        return detail if detail["evidence"] and all(f["state"] != "pending" for f in detail["evidence"]) else None

    return eventually(probe, timeout=SETTLING, interval=0.5, what="the safe copies")


def stored_bytes(uri: str, database_names: list[str]) -> bytes:
    """Everything in these databases, as the BSON the server keeps."""
    with MongoClient(uri) as client:
        return b"".join(
            bson.encode(doc) for name in database_names for collection in client[name].list_collection_names()
            for doc in client[name][collection].find()
        )  # fmt: skip


def test_safe_copies_are_made_shown_and_the_hostile_files_marked(
    triage_settings, topics, infrastructure, office_keys, make_report, staff, service_headers, evidence_files
):
    settings = triage_settings
    photo, screenshot = evidence_files.jpeg_with_gps(), evidence_files.noise_png((120, 90))
    files = [
        store_original(settings, office_keys[1], photo, "image/jpeg"),
        store_original(settings, office_keys[1], evidence_files.hostile_pdf(), "application/pdf"),
        store_original(settings, office_keys[1], screenshot, "image/png"),
        store_original(settings, office_keys[1], evidence_files.png_bomb(), "image/png"),
        store_original(settings, office_keys[1], evidence_files.truncated_png(), "image/png"),
    ]
    report, _ = make_report(evidence=files)
    with TestClient(create_app(settings)) as client:
        publish(infrastructure, topics.reports, report)
        case = settled_case(client, service_headers)
        states = [(f["state"], f["reason"]) for f in case["evidence"]]
        assert states == [("safe", None)] * 3 + [("could_not_be_made_safe", "too_many_pixels"), ("could_not_be_made_safe", "corrupt")]
        caseworker, _ = staff.log_in(client, "caseworker1", ["caseworker"])
        base = f"/cases/{case['id']}/evidence"

        view = client.get(f"{base}/{files[0].evidence_id}/view", headers=caseworker)
        assert view.status_code == 200 and view.headers["content-type"] == "image/jpeg"
        assert view.headers["x-content-type-options"] == "nosniff" and view.headers["content-security-policy"].startswith("sandbox")
        assert view.headers["content-disposition"].startswith("inline")
        assert dict(Image.open(io.BytesIO(view.content)).getexif()) == {} and b"CameraMaker" not in view.content
        download = client.get(f"{base}/{files[1].evidence_id}/download", headers=caseworker)
        assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
        assert download.headers["content-disposition"].startswith("attachment") and b"/JS" not in download.content
        thumbnail = client.get(f"{base}/{files[2].evidence_id}/thumbnail", headers=caseworker)
        assert thumbnail.status_code == 200 and Image.open(io.BytesIO(thumbnail.content)).format == "PNG"
        # A file that could not be made safe is never served to a browser, in any form.
        for use in ("view", "download", "thumbnail"):
            assert client.get(f"{base}/{files[3].evidence_id}/{use}", headers=caseworker).status_code == 404
        page = client.get(f"/cases/{case['id']}", headers=caseworker).text
        assert page.count('data-state="safe"') == 3 and page.count('data-state="could_not_be_made_safe"') == 2
        assert f"{base}/{files[3].evidence_id}/view" not in page and "/original/reason" not in page  # caseworkers: no original

        # The original: only for a lead, only with a reason, and that reason is in the audit log.
        assert client.post(f"{base}/{files[0].evidence_id}/original", data={"reason": "Prüfung der Echtheit"}, headers=caseworker).status_code == 403
        lead, lead_id = staff.log_in(client, "lead1", ["lead"])
        refused = client.post(f"{base}/{files[0].evidence_id}/original", data={"reason": "x"}, headers={**lead, "Accept": "text/html"})
        assert refused.status_code == 422 and "reason" in refused.text
        original = client.post(f"{base}/{files[0].evidence_id}/original", data={"reason": "Echtheit für die Stellungnahme prüfen"}, headers=lead)
        assert original.status_code == 200 and original.content == photo
        assert original.headers["content-type"] == "application/octet-stream" and original.headers["content-disposition"].startswith("attachment")
        admin, _ = staff.log_in(client, "admin1", ["admin"])
        assert client.get(f"{base}/{files[0].evidence_id}/view", headers=admin).status_code == 403
        context = client.app.state.context
        entries, _ = client.portal.call(lambda: context.audit.page(filters={"action": "evidence.original"}, skip=0, limit=5))
        [entry] = [e for e in entries if e["outcome"] == "ok"]  # and the caseworker's attempt, refused
        assert [e["reason"] for e in entries if e["outcome"] == "refused"] == ["role_lacks_permission"]
        assert entry["actor_id"] == lead_id and entry["reason"] == "Echtheit für die Stellungnahme prüfen" and entry["case_id"] == case["id"]
        safe_photo = view.content

    # Ciphertext only at rest: no run of the originals' or the safe copies' bytes anywhere in triage's databases or the store.
    with MongoClient(settings.mongodb.uri) as mongo:
        ours = [name for name in mongo.list_database_names() if name.startswith(settings.database)]
    at_rest = stored_bytes(settings.mongodb.uri, ours)
    assert len(at_rest) > len(photo)  # the scan did read the stored files
    for clear in (photo, screenshot, safe_photo, evidence_files.SECRET.encode()):
        middle = len(clear) // 2
        assert clear[middle : middle + 32] not in at_rest
    on_kafka = b"".join(record.value for topic in (topics.reports, topics.cases) for record in read_topic(infrastructure.kafka.admin, topic))
    assert photo[len(photo) // 2 :][:32] not in on_kafka and not read_topic(infrastructure.kafka.admin, topics.dead_letters)


@pytest.mark.parametrize("erased_by", ["reporter_request", "retention"])
def test_an_erased_case_takes_its_originals_and_safe_copies_with_it(
    erased_by, triage_settings, topics, infrastructure, office_keys, make_report, reporter_signed, service_headers, evidence_files
):
    settings = triage_settings
    files = [
        store_original(settings, office_keys[1], evidence_files.jpeg_with_gps(), "image/jpeg"),
        store_original(settings, office_keys[1], b"Die Mail des Vermieters.", "text/plain"),
    ]
    report, _ = make_report(evidence=files)
    with TestClient(create_app(settings)) as client:
        publish(infrastructure, topics.reports, report)
        case = settled_case(client, service_headers)
        assert [f["state"] for f in case["evidence"]] == ["safe", "safe"]
        with MongoClient(settings.mongodb.uri) as mongo:
            safe = mongo[settings.evidence_safe_database]
            store = mongo[settings.evidence_database]
            assert safe["evidence_safe"].count_documents({}) > 0 and store["evidence.files"].count_documents({}) == 2
            if erased_by == "reporter_request":
                erasure = ReportErasureRequested(correlation_id=report.report_id, report_id=report.report_id, signature="")
                publish(infrastructure, topics.reports, reporter_signed(erasure))
            else:
                context = client.app.state.context
                client.post(f"/api/v1/cases/{case['id']}/close", json={"reason": "resolved"}, headers=service_headers)
                mongo[settings.database]["cases"].update_one({"_id": case["id"]}, {"$set": {"closed_at": datetime.now(UTC) - timedelta(days=800)}})
                erased = client.portal.call(
                    lambda: apply_retention(datetime.now(UTC), months=24, cases=context.cases, audit=context.audit, publish=context.desk.publish)
                )
                assert erased == (1, 0)
            eventually(
                lambda: not any(mongo[db][c].count_documents({}) for db, c in (
                    (settings.evidence_database, "evidence.files"), (settings.evidence_database, "evidence.chunks"),
                    (settings.evidence_safe_database, "evidence_safe"), (settings.evidence_safe_database, "evidence_cases"))),
                timeout=60, what="the files to go",
            )  # fmt: skip
        assert client.get(f"/api/v1/cases/{case['id']}", headers=service_headers).status_code == 404
