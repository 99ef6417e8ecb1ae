"""Letters through the app, with the real database and Kafka: made, stored sealed, downloaded, audited, announced
by id only; templates edited by leads as new versions."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pymongo import MongoClient

from devstack.pdf import check_structure, pdf_text
from devstack.probes import eventually, publish_raw, read_topic
from meldestelle_shared.events import LetterCreated, ReportErasureRequested, ReportSubmitted, decode_event, encode_event
from meldestelle_shared.settings import office_today
from meldestelle_shared.taxonomy import Ground, LifeArea
from triage.app import create_app

pytestmark = pytest.mark.infra

SECRET = "Der Türsteher sagte wörtlich: Leute wie Sie kommen hier nicht rein."


def open_case(client, bootstrap, topics, make_report, token) -> tuple[dict, ReportSubmitted]:
    report, _ = make_report("Beschreibung", grounds=[Ground.RACIST_ATTRIBUTION], life_area=LifeArea.GOODS_AND_SERVICES, incident_date="2026-11-20")
    publish_raw(bootstrap, topics.reports, [(report.partition_key(), encode_event(report))])
    return eventually(lambda: next(iter(client.get("/api/v1/cases", headers=token).json()["items"]), None), what="the case"), report


def test_a_caseworker_makes_and_downloads_a_statement_request(triage_settings, topics, infrastructure, make_report, staff, service_headers):
    bootstrap = infrastructure.kafka.admin
    reply_by = office_today() + timedelta(days=14)
    with TestClient(create_app(triage_settings)) as client:
        case, _ = open_case(client, bootstrap, topics, make_report, service_headers)
        worker, worker_id = staff.log_in(client, "carla.worker", ["caseworker"])
        lead, _ = staff.log_in(client, "lena.lead", ["lead"])
        admin, _ = staff.log_in(client, "adam.admin", ["admin"])
        url = f"/api/v1/cases/{case['id']}/letters"
        body = {"template": "statement_request", "text": SECRET, "recipient": "Club Beispiel GmbH\nHafenstraße 9", "reply_by": reply_by.isoformat()}

        missing = client.post(url, json=body | {"reply_by": None}, headers=worker)
        unknown = client.post(url, json=body | {"template": "love_letter"}, headers=worker)
        no_language = client.post(url, json=body | {"language": "tr"}, headers=worker)
        by_admin = client.post(url, json=body, headers=admin)
        made = client.post(url, json=body, headers=worker)
        assert made.status_code == 201, made.text
        letter = made.json()
        download = client.get(letter["download"], headers=worker)
        foreign = client.get(f"{url}/{'0' * 8}-0000-0000-0000-000000000000", headers=worker)
        view = client.get(f"/api/v1/cases/{case['id']}", headers=worker).json()
        audit = client.get("/api/v1/audit", params={"case_id": case["id"]}, headers=lead).json()["items"]
        [event] = eventually(lambda: [e for e in (decode_event(r.value) for r in read_topic(bootstrap, topics.cases)) if isinstance(e, LetterCreated)], what="LetterCreated")
        raw = b"".join(r.value for r in read_topic(bootstrap, topics.cases))
        with MongoClient(triage_settings.mongodb.uri) as mongo:
            stored = mongo[triage_settings.database]["letters"].find_one({"_id": letter["letter_id"]})

    assert (missing.status_code, missing.json()["fields"][0]["field"]) == (422, "reply_by")
    assert unknown.status_code == 422 and unknown.json()["fields"][0]["field"].endswith("template")
    assert (no_language.status_code, no_language.json()["fields"][0]["field"]) == (422, "language")
    assert by_admin.status_code == 403  # admins read no case
    assert (letter["template"], letter["template_version"], letter["reply_by"]) == ("statement_request", 1, reply_by.isoformat())

    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith(f'attachment; filename="{case["reference"]}-statement_request-')
    assert download.headers["cache-control"] == "no-store"
    check_structure(download.content)
    text = pdf_text(download.content)
    assert SECRET in text and "Club Beispiel GmbH" in text and case["reference"] in text and "Rassistische Zuschreibung" in text
    assert foreign.status_code == 404

    [entry] = [e for e in view["timeline"] if e["kind"] == "letter"]
    assert (entry["letter_id"], entry["template_version"], entry["reply_by"]) == (letter["letter_id"], 1, reply_by.isoformat())
    [deadline] = [d for d in view["deadlines"]["items"] if d["kind"] == "statement_reply"]
    assert (deadline["due"], deadline["source_id"]) == (reply_by.isoformat(), letter["letter_id"])

    made_entry = [a for a in audit if a["action"] == "case.letter"]
    assert [(a["actor_id"], a["outcome"], a["reason"]) for a in made_entry] == [(worker_id, "ok", "statement_request:de:1")]
    assert any(a["action"] == "case.letter_download" and a["actor_id"] == worker_id and a["outcome"] == "ok" for a in audit)

    assert str(event.letter_id) == letter["letter_id"] and str(event.case_id) == case["id"] and event.template_version == 1
    for clear in (SECRET.encode(), "Hafenstraße".encode(), b"Stellungnahme"):
        assert clear not in raw  # ids only on Kafka
    assert stored["case_id"] == case["id"] and stored["sealed_text"].startswith("k:") and stored["sealed_pdf"].startswith("k:")
    assert SECRET not in str(stored)


def test_leads_edit_templates_as_new_versions_and_letters_record_theirs(
    triage_settings, topics, infrastructure, make_report, staff, service_headers, reporter_signed
):
    """...and an erased case takes its letters with it."""
    bootstrap = infrastructure.kafka.admin
    with TestClient(create_app(triage_settings)) as client, MongoClient(triage_settings.mongodb.uri) as mongo:
        case, report = open_case(client, bootstrap, topics, make_report, service_headers)
        worker, _ = staff.log_in(client, "cora.worker", ["caseworker"])
        lead, lead_id = staff.log_in(client, "lars.lead", ["lead"])
        url = "/api/v1/letter-templates/complaint/de"
        original = client.get(url, headers=worker).json()
        edit = {"subject": "Beschwerde – {{ reference }}", "body": "Sehr geehrte Damen und Herren,\n\n{{ text }}\n\nVersion zwei"}

        by_worker = client.put(url, json=edit, headers=worker)
        syntax = client.put(url, json=edit | {"body": "Zeile\n\n{% for x in %}"}, headers=lead)
        unsafe = client.put(url, json=edit | {"body": "eins\n{{ office.__class__.__subclasses__() }}"}, headers=lead)
        edited = client.put(url, json=edit, headers=lead)
        letter = client.post(f"/api/v1/cases/{case['id']}/letters", json={"template": "complaint", "text": "Frei"}, headers=worker).json()
        pdf = client.get(letter["download"], headers=worker).content
        old = client.get(f"{url}/versions/1", headers=worker).json()
        heads = client.get("/api/v1/letter-templates", headers=worker).json()
        audit = client.get("/api/v1/audit", params={"action": "letter_template.edit"}, headers=lead).json()["items"]
        letters = mongo[triage_settings.database]["letters"]
        assert letters.count_documents({"case_id": case["id"]}) == 1
        erasure = ReportErasureRequested(correlation_id=report.report_id, report_id=report.report_id, signature="")
        publish_raw(bootstrap, topics.reports, [(report.partition_key(), encode_event(reporter_signed(erasure)))])
        eventually(lambda: letters.count_documents({"case_id": case["id"]}) == 0, what="the erased case's letters gone", timeout=30)

    assert original["version"] == 1 and original["created_by"] is None and "{{ office.name }}" in original["body"]
    assert by_worker.status_code == 403
    assert syntax.status_code == 422 and syntax.json()["fields"][0]["field"] == "body" and syntax.json()["fields"][0]["reason"].startswith("line 3:")
    assert unsafe.status_code == 422 and unsafe.json()["fields"][0]["reason"].startswith("line 2: refused by the sandbox")
    assert edited.status_code == 200 and (edited.json()["version"], edited.json()["created_by"]) == (2, lead_id)
    assert letter["template_version"] == 2 and "Version zwei" in pdf_text(pdf)
    assert (old["version"], old["current_version"], old["body"]) == (1, 2, original["body"])  # the old version stays
    assert {(h["kind"], h["current_version"]) for h in heads} == {("complaint", 2), ("statement_request", 1), ("agg_confirmation", 1)}
    assert [(a["actor_id"], a["reason"]) for a in audit] == [(lead_id, "complaint:de:2")]
