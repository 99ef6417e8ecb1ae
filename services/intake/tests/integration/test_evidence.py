"""Reports with files against real Kafka and the real database: sealed before storage, all or nothing,
refused by content and size, never on disk in clear."""

import dataclasses
import os
import re
import tempfile
import time
from uuid import UUID

import pytest
from bson import encode
from fastapi.testclient import TestClient

from devstack.probes import read_topic
from intake.app import create_app
from intake.evidence.files import Upload
from intake.evidence.locker import EvidenceLocker
from intake.settings import EvidenceSettings, Settings
from meldestelle_shared.events import ReporterEvidenceAdded, ReportSubmitted, decode_event
from meldestelle_shared.evidence_store import EvidenceStore
from meldestelle_shared.sealing import load_private_key, load_public_key, unseal_bytes
from meldestelle_shared.signing import verify

pytestmark = pytest.mark.infra

KIB = 1024
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(600 * KIB)  # over two GridFS chunks, and unlike anything else
PDF = b"%PDF-1.7\n" + os.urandom(40 * KIB)
TEXT = "Screenshot-Notiz: Beitrag vom 3. Mai, https://example.org/post/17 – „Ausländer raus“".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(4 * KIB)
FIELDS = {"description": "Der Vermieter schrieb mir eine beleidigende Nachricht.", "grounds": "racist_attribution"}


@pytest.fixture
def settings(live_settings: Settings) -> Settings:
    """Small file limits, so the limit cases need no large bodies: 1 MiB a file, 1.5 MiB together."""
    return live_settings.model_copy(update={"evidence": EvidenceSettings(max_file_bytes=1024 * KIB, max_total_bytes=1536 * KIB)})


def post(client: TestClient, *files: tuple[str, bytes, str], **fields) -> "httpx.Response":  # noqa: F821
    return client.post("/api/v1/reports", data={**FIELDS, **fields}, files=[("files", file) for file in files])


def stored_documents(client: TestClient, settings: Settings) -> list[dict]:
    """Every document of intake's two databases (the reports' and the files')."""
    context = client.app.state.context

    async def read() -> list[dict]:
        found = []
        for name in (settings.database, settings.evidence_database):
            database = context.client[name]
            for collection in await database.list_collection_names():
                found += [document async for document in database[collection].find()]
        return found

    return client.portal.call(read)


def samples(original: bytes) -> list[bytes]:
    """Pieces of a file spread over its length, long enough never to occur by chance."""
    return [original[start : start + 24] for start in range(0, len(original) - 24, max(len(original) // 50, 1))]


def test_a_report_with_two_files_stores_them_sealed_and_the_event_carries_only_references(settings, infrastructure, topics, office_keys):
    with TestClient(create_app(settings)) as client:
        response = post(client, ("graffiti.png", PNG, "image/png"), ("brief.txt", TEXT, "text/plain"), evidence_original_consent="true")
        assert response.status_code == 201, response.text
        documents = stored_documents(client, settings)
        context = client.app.state.context
        store = EvidenceStore(context.client[settings.evidence_database])
        [record] = read_topic(infrastructure.kafka.admin, topics.reports)
        event = decode_event(record.value)
        assert isinstance(event, ReportSubmitted) and str(event.report_id) == response.json()["report_id"]
        assert [(f.media_type, f.size) for f in event.evidence] == [("image/png", len(PNG)), ("text/plain", len(TEXT))]
        assert event.evidence_original_consent is True
        opened = []
        for file in event.evidence:
            stored = client.portal.call(store.read, file.evidence_id)
            assert stored.metadata == {"report_id": str(event.report_id), "media_type": file.media_type, "size": file.size,
                                       "sealed_sha256": file.sealed_sha256}  # fmt: skip
            opened.append(unseal_bytes(load_private_key(office_keys[0]), stored.sealed))
        assert opened == [PNG, TEXT]

    at_rest = b"".join(encode(document) for document in documents)
    for original in (PNG, TEXT):
        assert not any(piece in at_rest for piece in samples(original)), "a file's bytes are stored in clear"
        assert not any(piece in record.value for piece in samples(original)), "a file's bytes travel on Kafka"
    assert b"graffiti.png" not in at_rest and b"brief.txt" not in at_rest  # the resident's file names are not kept
    files = [d for d in documents if "chunkSize" in d]
    assert sorted(d["_id"] for d in files) == sorted(str(f.evidence_id) for f in event.evidence)
    assert all(d["filename"] == d["_id"] for d in files)
    assert not [d for d in documents if "stored_at" in d], "an acknowledged report's files are no longer pending"


def test_type_comes_from_the_content_and_limits_are_named(settings):
    with TestClient(create_app(settings)) as client:
        renamed_pdf = post(client, ("foto.jpg", PDF, "image/jpeg"))
        assert renamed_pdf.status_code == 201, renamed_pdf.text
        exe = post(client, ("foto.jpg", EXE, "image/jpeg"))
        assert exe.status_code == 415 and "JPEG, PNG, WebP, PDF" in exe.json()["message"]
        assert exe.json()["fields"][0]["field"] == "files"
        binary = post(client, ("notiz.txt", b"text\x00with a NUL", "text/plain"))
        assert binary.status_code == 415
        big = post(client, ("foto.png", b"\x89PNG\r\n\x1a\n" + bytes(1024 * KIB), "image/png"))
        assert big.status_code == 413 and "1 MiB" in big.json()["message"]
        together = post(client, *[("foto.png", b"\x89PNG\r\n\x1a\n" + bytes(780 * KIB), "image/png")] * 2)
        assert together.status_code == 413 and "1.5 MiB" in together.json()["message"]
        six = post(client, *[("notiz.txt", b"eine Notiz", "text/plain")] * 6)
        assert six.status_code == 422 and "5 files" in six.json()["message"]
        # Past the total limit and the form's room, the body is refused by its length before it is read.
        huge = post(client, ("foto.png", b"\x89PNG\r\n\x1a\n" + bytes(1700 * KIB), "image/png"))
        assert huge.status_code == 413 and huge.json()["error"] == "body_too_large"
        invalid = post(client, ("notiz.txt", b"eine Notiz", "text/plain"), grounds="no_such_ground")
        assert invalid.status_code == 422 and invalid.json()["fields"][0]["field"] == "grounds.0"
        documents = stored_documents(client, settings)
    [stored] = [d for d in documents if "chunkSize" in d]  # only the accepted PDF
    assert stored["metadata"]["media_type"] == "application/pdf"
    assert len([d for d in documents if "files_id" in d]) == 1 and not [d for d in documents if "stored_at" in d]


def test_when_kafka_does_not_confirm_the_answer_is_503_and_nothing_is_stored(settings):
    with TestClient(create_app(settings)) as client:
        context = client.app.state.context
        # The broker is up, but the reports go to a topic that does not exist (and intake may not write):
        # Kafka refuses, as when it is down.
        kafka = settings.kafka.model_copy(update={"topic_prefix": "not-a-topic", "publish_timeout_ms": 1500})
        client.app.state.context = dataclasses.replace(context, settings=settings.model_copy(update={"kafka": kafka}))
        response = post(client, ("graffiti.png", PNG, "image/png"), ("beleg.pdf", PDF, "application/pdf"))
        assert response.status_code == 503 and "NOT saved" in response.json()["message"]
        documents = stored_documents(client, settings)
    assert [d for d in documents if "data" in d or "chunkSize" in d or "stored_at" in d or "receipt_hash" in d] == []


def test_no_file_is_written_to_disk_while_a_large_upload_is_parsed(settings, monkeypatch):
    """Starlette's form parser spools a file above 1 MiB to a temporary file; intake's parser must never do so."""
    settings = settings.model_copy(update={"evidence": EvidenceSettings(max_file_bytes=4096 * KIB, max_total_bytes=4096 * KIB)})
    spooled = []
    for name in ("TemporaryFile", "NamedTemporaryFile", "mkstemp", "SpooledTemporaryFile"):
        original = getattr(tempfile, name)
        monkeypatch.setattr(tempfile, name, lambda *a, _original=original, _name=name, **k: spooled.append(_name) or _original(*a, **k))
    large = b"\x89PNG\r\n\x1a\n" + os.urandom(3 * 1024 * KIB)
    with TestClient(create_app(settings)) as client:
        response = post(client, ("gross.png", large, "image/png"))
    assert response.status_code == 201, response.text
    assert spooled == [], f"the upload went through {spooled}"


def test_a_file_left_pending_by_a_crash_is_swept_later(settings, office_keys):
    with TestClient(create_app(settings)) as client:
        context = client.app.state.context
        store = EvidenceStore(context.client[settings.evidence_database])
        database, key = context.client[settings.database], load_public_key(office_keys[1])
        now = EvidenceLocker(store, database, key, pending_seconds=3600)
        later = EvidenceLocker(store, database, key, pending_seconds=3600, clock=lambda: time.time() + 3601)
        [file] = client.portal.call(lambda: now.store([Upload(data=TEXT, media_type="text/plain")], report_id=UUID(int=7)))
        assert client.portal.call(now.sweep) == 0 and client.portal.call(now.is_stored, file)
        assert client.portal.call(later.sweep) == 1
        assert client.portal.call(now.is_stored, file) is False
        assert [d for d in stored_documents(client, settings) if "data" in d or "stored_at" in d] == []


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_form_keeps_files_sealed_between_steps_and_the_portal_adds_and_erases_them(settings, infrastructure, topics, office_keys):
    bootstrap = infrastructure.kafka.admin
    office = load_private_key(office_keys[0])
    with TestClient(create_app(settings)) as client:
        page = client.get("/de/report/what").text
        form = {"csrf_token": token(page), "form_id": re.search(r'name="form_id" value="([^"]+)"', page).group(1), "description": FIELDS["description"]}
        files = [("files", ("graffiti.png", PNG, "image/png")), ("files", ("beleg.pdf", PDF, "application/pdf"))]
        step = client.post("/de/report/evidence", data=form | {"step": "evidence", "action": "next", "evidence_original_consent": "yes"}, files=files)
        assert step.status_code == 200 and 'name="step" value="contact"' in step.text
        review = client.get("/de/report/review").text
        assert "Datei 1: Bild, 601 KB" in review and "Datei 2: PDF-Dokument, 41 KB" in review
        evidence_page = client.get("/de/report/evidence").text
        pdf_id = re.findall(r'value="remove:([0-9a-f-]+)"', evidence_page)[1]
        exe = client.post("/de/report/evidence", data=form | {"step": "evidence", "action": "next"}, files=[("files", ("x.jpg", EXE, "image/jpeg"))])
        assert exe.status_code == 415 and "Diese Art von Datei" in exe.text
        removed = client.post("/de/report/evidence", data=form | {"step": "evidence", "action": f"remove:{pdf_id}"})
        assert removed.status_code == 200 and "Datei 2" not in removed.text
        done = client.post("/de/report/review", data=form | {"step": "review", "action": "submit", "evidence_original_consent": "yes"})
        receipt = re.search(r"data-receipt>([\d ]{19})<", done.text).group(1)
        [report] = [e for e in (decode_event(r.value) for r in read_topic(bootstrap, topics.reports)) if isinstance(e, ReportSubmitted)]
        assert [f.media_type for f in report.evidence] == ["image/png"] and report.evidence_original_consent is True
        store = EvidenceStore(client.app.state.context.client[settings.evidence_database])
        assert unseal_bytes(office, client.portal.call(store.read, report.evidence[0].evidence_id).sealed) == PNG
        assert client.portal.call(store.exists, UUID(pdf_id)) is False  # removed on the page: deleted at once

        inbox = client.post("/de/check", data={"csrf_token": token(done.text), "receipt": receipt}).text
        added = client.post("/de/check/evidence", data={"csrf_token": token(inbox), "receipt": receipt},
                            files=[("files", ("antwort.txt", TEXT, "text/plain"))])  # fmt: skip
        assert added.status_code == 200 and "Ihre Dateien wurden an die Stelle gesendet." in added.text
        [later] = [e for e in (decode_event(r.value) for r in read_topic(bootstrap, topics.reports)) if isinstance(e, ReporterEvidenceAdded)]
        assert later.report_id == report.report_id and [f.size for f in later.evidence] == [len(TEXT)]
        verify(report.reporter_verify_key, later.signed_content(), later.signature)  # raises ForgedSignature otherwise
        assert unseal_bytes(office, client.portal.call(store.read, later.evidence[0].evidence_id).sealed) == TEXT

        erased = client.post("/de/check/delete", data={"csrf_token": token(added.text), "receipt": receipt, "confirm": "yes"})
        assert erased.status_code == 200
        documents = stored_documents(client, settings)
    assert [d for d in documents if "data" in d or "chunkSize" in d or "stored_at" in d] == [], "erasure left files behind"
