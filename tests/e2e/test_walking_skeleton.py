"""A report travels intake -> Kafka -> triage -> database -> notify -> e-mail, across real processes."""

import time

import httpx
import pytest

from devstack.probes import eventually, publish_raw, read_topic

pytestmark = pytest.mark.e2e

DESCRIPTION = "Die Vermieterin sagte am Telefon, sie vermiete nicht an Menschen aus Rumänien."
REPORT = {
    "description": DESCRIPTION,
    "grounds": ["nationality_or_residence_status", "racist_attribution"],
    "forms": ["denial_of_access_or_service"],
    "life_area": "housing",
    "district": "rheinhausen",
    "reporter_role": "affected",
    "incident_date": "2026-11",
    "language": "de",
    "consent_contact": True,
    "contact": {"email": "reporter@example.org"},
}


def cases(stack, headers) -> list[dict]:
    return httpx.get(f"{stack.url('triage')}/api/v1/cases", headers=headers).json()["items"]


def test_report_becomes_one_case_and_one_content_free_email(stack, staff_headers):
    started = time.monotonic()
    response = httpx.post(f"{stack.url('intake')}/api/v1/reports", json=REPORT, timeout=10)
    assert response.status_code == 201, response.text
    receipt = response.json()["receipt"]

    [case] = eventually(lambda: cases(stack, staff_headers), timeout=10, what="the case")
    [mail] = eventually(lambda: stack.smtp.messages(), timeout=10 - (time.monotonic() - started), what="the e-mail")

    assert case["reporter"]["grounds"] == REPORT["grounds"] and case["reporter"]["life_area"] == "housing"
    detail = httpx.get(f"{stack.url('triage')}/api/v1/cases/{case['id']}", headers=staff_headers).json()
    assert detail["description"] == DESCRIPTION and "reporter@example.org" in detail["contact"]
    assert httpx.get(f"{stack.url('triage')}/api/v1/cases/{case['id']}").status_code == 401

    text = mail.as_string()
    assert case["reference"] in mail["Subject"]
    for secret in (DESCRIPTION[:30], "reporter@example.org", "Rumänien", "racist_attribution", receipt):
        assert secret not in text


def test_nothing_sensitive_rests_in_kafka(stack):
    raw = b"".join(r.value for r in read_topic(stack.kafka.admin, stack.topics.reports))
    assert raw and b"Vermieterin" not in raw and b"reporter@example.org" not in raw


def test_republished_event_changes_nothing(stack, staff_headers):
    [record] = read_topic(stack.kafka.admin, stack.topics.reports)
    publish_raw(stack.kafka.admin, stack.topics.reports, [(record.key, record.value)])
    announcements = lambda: len(read_topic(stack.kafka.admin, stack.topics.cases))  # noqa: E731
    eventually(lambda: announcements() == 2, timeout=10, what="triage to re-announce the case")
    time.sleep(2)  # room for a wrong second case or e-mail to appear
    assert len(cases(stack, staff_headers)) == 1
    assert len(stack.smtp.messages()) == 1


def test_intake_answers_503_while_kafka_is_down(stack):
    stack.kafka.stop()
    try:
        response = httpx.post(f"{stack.url('intake')}/api/v1/reports", json=REPORT, timeout=30)
        assert response.status_code == 503
        assert response.json()["error"] == "report_not_saved" and "receipt" not in response.text
        assert httpx.get(f"{stack.url('intake')}/readyz", timeout=10).status_code == 503
    finally:
        stack.kafka.start()
        stack.kafka.wait_ready(timeout=120)
