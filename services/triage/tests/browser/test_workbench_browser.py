"""A caseworker works a case in headless Chromium: log in with password and TOTP, filter, open, classify, write, close."""

import httpx
import pytest

from devstack.probes import eventually, publish_raw, read_topic
from meldestelle_shared.events import CaseClassified, CaseClosed, CaseStatusChanged, OfficeMessageSent, decode_event, encode_event
from meldestelle_shared.sealing import load_private_key, unseal
from meldestelle_shared.taxonomy import District, Ground, LifeArea

pytestmark = [pytest.mark.infra, pytest.mark.browser]


def test_caseworker_works_a_case_from_login_to_closing(
    browser, screenshots, workbench, triage_settings, topics, infrastructure, make_report, add_account, log_in, serious_violations,
    service_headers,
):
    bootstrap = infrastructure.kafka.admin
    report, reporter_key = make_report(
        "Die Maklerin sagte, Rollstuhlfahrer nehme sie nicht.", grounds=[Ground.DISABILITY], life_area=LifeArea.HOUSING, district=District.HAMBORN
    )
    other, _ = make_report("Im Bus beleidigt.", life_area=LifeArea.PUBLIC_TRANSPORT, district=District.MITTE)
    publish_raw(bootstrap, topics.reports, [(e.partition_key(), encode_event(e)) for e in (report, other)])
    token = service_headers
    cases = eventually(lambda: len(c := httpx.get(f"{workbench}/api/v1/cases", headers=token).json()["items"]) == 2 and c, what="two cases")
    reference = next(c["reference"] for c in cases if c["reporter"]["life_area"] == "housing")
    secret = add_account("carla", ["caseworker"])

    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    log_in(page, "carla", secret)
    page.screenshot(path=screenshots / "1-queue.png", full_page=True)
    assert serious_violations(page) == []

    page.select_option("#f-status", "new")
    page.select_option("#f-life_area", "housing")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**life_area=housing**")
    links = page.locator("#results table a")
    links.first.wait_for()
    assert links.all_inner_texts() == [reference]
    assert page.locator("[data-status-count=new]").inner_text() == "1"
    page.screenshot(path=screenshots / "2-filtered.png", full_page=True)

    page.get_by_role("link", name=reference).click()
    page.wait_for_selector("#description")
    assert "Rollstuhlfahrer" in page.inner_text("#description")
    assert serious_violations(page) == []

    page.check("input[name=grounds][value=disability]")
    page.check("input[name=forms][value=denial_of_access_or_service]")
    page.click("form[action$='/classify'] button")
    page.wait_for_selector("#staff-grounds")
    assert "Behinderung" in page.inner_text("#staff-grounds")

    assert page.inner_text("#case-status") == "In Prüfung"  # opening it was the first look
    page.select_option("#w-status", "in_progress")
    page.click("form[action$='/status'] button")
    page.wait_for_selector("#case-status:has-text('In Bearbeitung')")

    page.fill("#m-text", "Danke für Ihre Meldung. Dürfen wir die Maklerin ansprechen?")
    page.click("form[action$='/messages'] button")
    page.click("#send-now")  # the confirmation step
    page.wait_for_selector(".kind-office_message")
    assert "Maklerin ansprechen" in page.inner_text("#timeline")

    page.select_option("#w-reason", "resolved")
    page.click("form[action$='/close'] button")
    page.wait_for_selector("#case-status:has-text('Abgeschlossen')")
    page.screenshot(path=screenshots / "3-closed.png", full_page=True)

    # A caseworker is refused the admins' page.
    refused = page.goto(f"{workbench}/admin/staff")
    assert refused.status == 403 and page.inner_text("#error-message")
    page.screenshot(path=screenshots / "4-admin-refused.png")
    context.close()

    def case_events() -> list:
        records = read_topic(bootstrap, topics.cases)
        events = [e for e in (decode_event(r.value) for r in records) if e.event_type != "CaseCreated"]
        return events if len(events) >= 5 else []

    events = eventually(case_events, what="the case events")
    assert [type(e) for e in events] == [CaseStatusChanged, CaseClassified, CaseStatusChanged, OfficeMessageSent, CaseClosed]
    assert [events[0].status, events[2].status] == ["in_review", "in_progress"]
    assert "Maklerin" in unseal(load_private_key(reporter_key), events[3].sealed_for_reporter)
    log = httpx.get(f"{workbench}/api/v1/cases?status=closed", headers=token).json()
    assert [c["reference"] for c in log["items"]] == [reference]


def test_the_workbench_works_in_english_and_without_javascript(browser, workbench, add_account, log_in):
    secret = add_account("erin", ["caseworker", "lead"])
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    log_in(page, "erin", secret)
    assert page.get_by_role("heading", name="Cases", exact=True).is_visible() and page.locator("html").get_attribute("lang") == "en"
    page.click("text=Audit log")
    page.wait_for_url(f"{workbench}/audit")
    assert "login" in page.inner_text("table")
    page.click("text=Deutsch")
    page.wait_for_url(f"{workbench}/audit")
    assert page.locator("html").get_attribute("lang") == "de" and page.get_by_role("heading", name="Protokoll", exact=True).is_visible()
    context.close()
