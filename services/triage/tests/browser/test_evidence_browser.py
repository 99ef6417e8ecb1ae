"""A caseworker, in Chromium without JavaScript, sees the safe copies of a report's two files on the case page."""

import hashlib
from uuid import uuid4

import httpx
import pytest
from gridfs import GridFSBucket
from pymongo import MongoClient

from devstack.probes import eventually, publish_raw
from meldestelle_shared.events import EvidenceFile, encode_event
from meldestelle_shared.sealing import load_public_key, seal_bytes

pytestmark = [pytest.mark.infra, pytest.mark.browser]


def store_original(settings, office_public_key: str, data: bytes, media_type: str) -> EvidenceFile:
    """Seal a file into the evidence store as intake does; returns the reference its report carries."""
    sealed = seal_bytes(load_public_key(office_public_key), data)
    evidence_id = uuid4()
    with MongoClient(settings.mongodb.uri) as client:
        GridFSBucket(client[settings.evidence_database], bucket_name="evidence").upload_from_stream_with_id(str(evidence_id), "evidence", sealed)
    return EvidenceFile(evidence_id=evidence_id, media_type=media_type, size=len(data), sealed_sha256=hashlib.sha256(sealed).hexdigest())


def test_a_caseworker_sees_two_safe_copies_without_javascript(
    browser, workbench, triage_settings, topics, infrastructure, office_keys, make_report, add_account, log_in, service_headers, evidence_files
):
    files = [
        store_original(triage_settings, office_keys[1], evidence_files.jpeg_with_gps(), "image/jpeg"),
        store_original(triage_settings, office_keys[1], evidence_files.hostile_pdf(), "application/pdf"),
    ]
    report, _ = make_report("Der Vermieter schrieb mir das.", evidence=files)
    publish_raw(infrastructure.kafka.admin, topics.reports, [(report.partition_key(), encode_event(report))])

    def settled() -> dict | None:
        items = httpx.get(f"{workbench}/api/v1/cases", headers=service_headers).json()["items"]
        detail = items and httpx.get(f"{workbench}/api/v1/cases/{items[0]['id']}", headers=service_headers).json()
        return detail if detail and all(f["state"] == "safe" for f in detail["evidence"]) else None

    case = eventually(settled, timeout=180, interval=0.5, what="two safe copies")
    secret = add_account("carla", ["caseworker"])
    context = browser.new_context(locale="de-DE", java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    log_in(page, "carla", secret)
    page.goto(f"{workbench}/cases/{case['id']}")
    section = page.locator("#evidence")
    assert section.get_by_role("heading", name="Nachweise").is_visible()
    items = section.locator("li.evidence-file")
    assert items.count() == 2 and section.locator("[data-state=safe]").count() == 2
    assert "JPEG-Bild" in items.nth(0).inner_text() and "PDF-Dokument" in items.nth(1).inner_text() and "1 Seiten" in items.nth(1).inner_text()
    assert section.locator("a.evidence-original").count() == 0  # the original is for leads
    for index in range(2):
        thumbnail = items.nth(index).locator("img.evidence-thumbnail")
        answer = context.request.get(f"{workbench}{thumbnail.get_attribute('src')}")
        assert answer.status == 200 and answer.headers["content-type"] == "image/png"
        assert thumbnail.evaluate("image => image.complete && image.naturalWidth > 0")  # the browser did show it
    with page.expect_download() as download:
        items.nth(1).locator("a.evidence-download").click()
    saved = download.value.path().read_bytes()
    assert saved.startswith(b"%PDF") and b"/JS" not in saved and download.value.suggested_filename.endswith("-2-safe.pdf")
    page.goto(f"{workbench}/cases/{case['id']}/evidence/{files[0].evidence_id}/view")
    assert page.evaluate("document.contentType") == "image/jpeg"
    context.close()
