"""What a caseworker met walking the workbench (issue 12, items 7 to 13), each walked again in Chromium."""

import json
from datetime import UTC, date, datetime
from uuid import uuid4

import httpx
import pytest

from devstack.kafka import KafkaAccess
from devstack.probes import eventually, publish_raw, read_topic, run_async
from meldestelle_shared.events import CaseStatusChanged, OfficeMessageSent, ReporterReplied, decode_event, encode_event
from meldestelle_shared.mongo import create_client
from meldestelle_shared.sealing import load_private_key, load_public_key, seal
from meldestelle_shared.taxonomy import LifeArea
from triage.cases import actions
from triage.cases.jobs import first_response_due
from triage.cases.service import case_id_for

pytestmark = [pytest.mark.infra, pytest.mark.browser]
PHONE = {"width": 375, "height": 812}


def submit(workbench, token, bootstrap, topic, *reports) -> list[dict]:
    """Publish reports and wait for their cases; returns them in the reports' order (read with an API token's headers)."""
    publish_raw(bootstrap, topic, [(e.partition_key(), encode_event(e)) for e in reports])

    def cases() -> list[dict] | None:
        found = {c["id"]: c for c in httpx.get(f"{workbench}/api/v1/cases?page_size=100", headers=token).json()["items"]}
        wanted = [found.get(case_id_for(report.report_id)) for report in reports]
        return wanted if all(wanted) else None

    return eventually(cases, timeout=30, what="the cases")


def case_events(bootstrap: KafkaAccess, topic: str, kind: type) -> list:
    return [e for e in (decode_event(r.value) for r in read_topic(bootstrap, topic)) if isinstance(e, kind)]


def audit_entries(settings, **query) -> list[dict]:
    async def read() -> list[dict]:
        client = create_client(settings.mongodb, app_name="browser-test")
        try:
            return [entry async for entry in client[settings.database]["audit"].find(query)]
        finally:
            await client.close()

    return run_async(read)


def row(page, reference: str):
    return page.locator("#results tbody tr", has=page.get_by_role("link", name=reference, exact=True))


def test_opening_a_case_moves_it_to_review_and_reads_its_reply(
    browser, screenshots, workbench, triage_settings, topics, infrastructure, make_report, office_keys, add_account, log_in,
    serious_violations, reporter_signed, service_headers,
):  # fmt: skip
    """Items 7, 9, 10: the first look is a status change the reporter hears of; a reply is marked until read."""
    bootstrap = infrastructure.kafka.admin
    replied, _ = make_report("Der Vermieter hat mir nicht geantwortet.", life_area=LifeArea.HOUSING)
    quiet, _ = make_report("Im Bus beleidigt.", life_area=LifeArea.PUBLIC_TRANSPORT)
    a, b = submit(workbench, service_headers, bootstrap, topics.reports, replied, quiet)
    token = service_headers
    assert httpx.get(f"{workbench}/api/v1/cases/{a['id']}", headers=token).json()["status"] == "new"  # an API token is nobody's look

    reply = reporter_signed(ReporterReplied(
        correlation_id=replied.report_id, report_id=replied.report_id, message_id=uuid4(),
        sealed_text=seal(load_public_key(office_keys[1]), "Ich habe noch eine Frage."), signature="",
    ))  # fmt: skip
    publish_raw(bootstrap, topics.reports, [(reply.partition_key(), encode_event(reply))])
    eventually(lambda: httpx.get(f"{workbench}/api/v1/cases?reply_waiting=true", headers=token).json()["total"] == 1, what="the reply")

    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, "carla", add_account("carla", ["caseworker"]))
    assert page.inner_text("#replies-waiting") == "1"
    assert row(page, a["reference"]).locator(".unread-mark").inner_text() == "Neue Antwort"
    assert row(page, b["reference"]).locator(".unread-mark").count() == 0
    assert "Neu, ungeöffnet" in row(page, b["reference"]).inner_text()
    page.screenshot(path=screenshots / "workbench-queue-reply-waiting.png", full_page=True)
    assert serious_violations(page) == []

    page.click("#replies-waiting")  # the header count filters to the cases with a reply waiting
    page.wait_for_url("**reply_waiting=true**")
    eventually(lambda: page.locator("#results tbody tr").count() == 1, what="the filtered queue")
    assert page.locator("#f-reply_waiting").is_checked() and row(page, a["reference"]).count() == 1

    page.get_by_role("link", name=a["reference"], exact=True).click()
    page.wait_for_selector("#description")
    assert page.inner_text("#case-status") == "In Prüfung"
    assert "Status geändert" in page.inner_text("#timeline") and "(beim ersten Öffnen)" in page.inner_text("#timeline")
    assert page.locator(".kind-reporter_message .unread-mark").inner_text() == "Neue Antwort"
    page.reload()  # a second look changes nothing more and the reply is read now
    assert page.locator(".kind-status_changed").count() == 1 and page.locator(".unread-mark").count() == 0

    page.goto(f"{workbench}/cases")
    assert page.inner_text("#replies-waiting") == "0" and row(page, a["reference"]).locator(".unread-mark").count() == 0
    assert "In Prüfung" in row(page, a["reference"]).inner_text()

    # Staff words for the reporter's "Wartet auf Ihre Antwort".
    page.goto(f"{workbench}/cases/{a['id']}")
    for status in ("in_progress", "waiting_for_reporter"):
        page.select_option("#w-status", status)
        page.click("form[action$='/status'] button")
        page.wait_for_url(f"**/cases/{a['id']}?notice=status_changed#workflow")
    assert page.inner_text("#case-status") == "Wartet auf meldende Person"
    assert page.inner_text("#workflow .notice").strip() == "Status geändert: jetzt „Wartet auf meldende Person“."
    page.goto(f"{workbench}/cases")
    assert "Wartet auf meldende Person" in page.inner_text("main") and "Wartet auf Ihre Antwort" not in page.content()
    context.close()

    # The first look is announced like any status change (intake's projection shows it to the reporter) and audited.
    changes = eventually(lambda: case_events(bootstrap, topics.cases, CaseStatusChanged) or None, what="the status events")
    assert [(e.previous_status, e.status) for e in changes] == [("new", "in_review"), ("in_review", "in_progress"), ("in_progress", "waiting_for_reporter")]
    assert str(changes[0].case_id) == a["id"]
    assert [e["reason"] for e in audit_entries(triage_settings, action="case.status", case_id=a["id"])][0] == "first_view"


def test_times_deadlines_language_and_contact_read_as_the_office_needs(
    browser, screenshots, workbench, triage_settings, topics, infrastructure, make_report, office_keys, add_account, log_in,
    serious_violations, monkeypatch, service_headers,
):  # fmt: skip
    """Items 8 and 11: office time in the staff's format, exact deadline words, the report's language, contact as a field."""
    monkeypatch.setattr(actions, "office_today", lambda: date(2026, 12, 1))  # the day the AGG deadline ends
    received = datetime(2026, 12, 1, 15, 27, tzinfo=UTC)
    contact = seal(load_public_key(office_keys[1]), json.dumps({"email": "ayse@example.org"}))
    turkish, _ = make_report(
        "Bana iş verilmedi.", life_area=LifeArea.WORK, incident_date="2026-10-01", language="tr", sealed_contact=contact, occurred_at=received
    )
    summer, _ = make_report("Im Sommer.", occurred_at=datetime(2026, 7, 1, 10, 5, tzinfo=UTC))
    case, july = submit(workbench, service_headers, infrastructure.kafka.admin, topics.reports, turkish, summer)

    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, "dana", add_account("dana", ["caseworker"]))
    line = row(page, case["reference"]).inner_text()
    due = first_response_due(received, triage_settings.first_response_working_days)
    assert "Dringend" in line and "AGG-Frist läuft heute ab: 01.12.2026" in line and "01.12.2026" in line
    assert f"Erstreaktion fällig bis {due:%d.%m.%Y}" in line
    assert "bald" not in line and "2026-12-01" not in line

    page.get_by_role("link", name=case["reference"], exact=True).click()
    page.wait_for_selector("#description")
    assert page.inner_text("#received-at") == "01.12.2026"  # a resident's time is kept to the office's day (issue 11)
    assert page.inner_text("#agg-deadline") == "01.12.2026"
    assert (page.inner_text("#case-priority"), page.inner_text("#priority-reason")) == ("Dringend", "AGG-Frist läuft heute ab")
    assert page.inner_text("#report-language") == "Türkisch" and "auf Türkisch gemeldet" in page.inner_text("#message")
    assert page.inner_text("#contact dt") == "E-Mail" and page.inner_text("#contact dd") == "ayse@example.org"
    text = page.inner_text("main")
    assert "{" not in text and "Eingangsnummer" not in text and "Quittung" in page.inner_text("#message")
    page.screenshot(path=screenshots / "workbench-case-desktop.png", full_page=True)
    assert serious_violations(page) == []

    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshots / "workbench-case-phone.png", full_page=True)
    page.goto(f"{workbench}/cases/{july['id']}")
    assert page.inner_text("#received-at") == "01.07.2026"
    context.close()

    english = browser.new_context(locale="en-GB")
    page = english.new_page()
    log_in(page, "erik", add_account("erik", ["caseworker"]))
    page.goto(f"{workbench}/cases/{case['id']}")
    assert page.inner_text("#received-at") == "1 Dec 2026" and page.inner_text("#report-language") == "Turkish"
    assert page.inner_text("#priority-reason") == "AGG deadline ends today"
    english.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_a_message_is_confirmed_before_it_leaves_and_every_action_says_what_it_did(
    javascript, browser, screenshots, workbench, triage_settings, topics, infrastructure, make_report, add_account, log_in,
    serious_violations, service_headers,
):  # fmt: skip
    """Items 12 and 13: message and note look apart and say who reads them; a message needs a confirmation; PRG lands in the section."""
    bootstrap = infrastructure.kafka.admin
    report, _ = make_report("Die Ärztin wollte mich nicht behandeln.", life_area=LifeArea.HEALTH_AND_CARE)
    (case,) = submit(workbench, service_headers, bootstrap, topics.reports, report)
    context = browser.new_context(locale="de-DE", java_script_enabled=javascript, viewport=PHONE if javascript else None)
    page = context.new_page()
    log_in(page, "mira", add_account("mira", ["caseworker"]))
    page.goto(f"{workbench}/cases/{case['id']}")

    message, note = page.locator("#message"), page.locator("#note")
    assert "für die meldende Person sichtbar" in message.inner_text() and "Quittung" in message.inner_text()
    assert "nur intern" in note.inner_text() and "sieht Notizen nie" in note.inner_text()
    looks = [(box.evaluate("e => getComputedStyle(e).borderStyle") if javascript else box.get_attribute("class")) for box in (message, note)]
    assert looks[0] != looks[1]

    page.fill("#m-text", "Guten Tag, dürfen wir die Praxis ansprechen?")
    page.click("form[action$='/messages'] button")
    page.wait_for_selector("#send-now")  # asked first, nothing sent yet
    assert page.get_by_role("heading", name="Nachricht an die meldende Person wirklich senden?").is_visible()
    assert page.input_value("#c-text") == "Guten Tag, dürfen wir die Praxis ansprechen?"
    page.screenshot(path=screenshots / f"workbench-confirm-message-{'phone' if javascript else 'nojs'}.png", full_page=True)
    if javascript:
        assert serious_violations(page) == []
    page.get_by_role("link", name="Abbrechen, nichts senden").first.click()
    page.wait_for_url(f"**/cases/{case['id']}#message")
    assert page.locator(".kind-office_message").count() == 0

    page.fill("#m-text", "Guten Tag, dürfen wir die Praxis ansprechen?")
    page.click("form[action$='/messages'] button")
    page.click("#send-now")
    page.wait_for_url(f"**/cases/{case['id']}?notice=message_sent#message")
    assert page.inner_text("#message .notice").startswith("Nachricht an die meldende Person gesendet.")
    assert "(für die meldende Person sichtbar)" in page.inner_text(".kind-office_message")
    page.screenshot(path=screenshots / f"workbench-message-sent-{'phone' if javascript else 'nojs'}.png")  # where the page lands
    if javascript:
        assert serious_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing sticks out sideways

    page.fill("#n-text", "Praxis ist bekannt, siehe Fall vom März.")
    page.click("form[action$='/notes'] button")
    page.wait_for_url(f"**/cases/{case['id']}?notice=note_added#note")
    assert page.inner_text("#note .notice") == "Interne Notiz gespeichert (nur für die Fachstelle sichtbar)."
    assert "(nur intern)" in page.inner_text(".kind-note")

    page.check("input[name=grounds][value=disability]")
    page.click("form[action$='/classify'] button")
    page.wait_for_url(f"**/cases/{case['id']}?notice=classified#classification")
    assert page.inner_text("#classification .notice") == "Einordnung der Fachstelle gespeichert."
    assert "Gespeichert." not in page.content()
    if javascript:  # the page opens at the section that changed, not at its top
        assert page.evaluate("window.scrollY") > 0
    context.close()

    sent = eventually(lambda: case_events(bootstrap, topics.cases, OfficeMessageSent) or None, what="the message event")
    assert len(sent) == 1  # the cancelled draft never left
