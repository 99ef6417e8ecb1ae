"""Case work in the workbench (issue 15) in Chromium: documentation, consultations, interventions, referrals, letters, templates.

The caseworker's pass runs with JavaScript off; the look at the finished case (axe, screenshots) and the lead's pass run with it on.
"""

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from devstack.probes import eventually, publish_raw
from meldestelle_shared.events import encode_event
from meldestelle_shared.settings import office_today
from meldestelle_shared.taxonomy import Ground, LifeArea
from triage.cases.service import case_id_for

pytestmark = [pytest.mark.infra, pytest.mark.browser]
SHIPPED = Path(__file__).resolve().parents[4] / "deploy" / "referrals" / "services.json"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
NOTE = "Frau K. möchte erst mit ihrer Schwester sprechen."
CLOSING = "Mit freundlichen Grüßen, Ihre Antidiskriminierungsstelle (Fassung der Leitung)"


@pytest.fixture
def workbench(triage_settings, serve) -> str:
    """triage with the shipped referral directory, served by uvicorn."""
    return serve(triage_settings.model_copy(update={"referral_directory": SHIPPED}))


def submit(workbench, token, bootstrap, topic, *reports) -> list[dict]:
    """Publish reports and wait for their cases, in the reports' order."""
    publish_raw(bootstrap, topic, [(e.partition_key(), encode_event(e)) for e in reports])

    def cases() -> list[dict] | None:
        found = {c["id"]: c for c in httpx.get(f"{workbench}/api/v1/cases?page_size=100", headers=token).json()["items"]}
        wanted = [found.get(case_id_for(report.report_id)) for report in reports]
        return wanted if all(wanted) else None

    return eventually(cases, timeout=30, what="the cases")


def csrf_of(page) -> str:
    return page.locator("input[name=csrf_token]").first.get_attribute("value")


def test_casework_from_consultation_to_letter_and_a_lead_edits_a_template(
    browser, screenshots, workbench, topics, infrastructure, make_report, add_account, log_in, serious_violations, service_headers,
):  # fmt: skip
    bootstrap = infrastructure.kafka.admin
    consenting, _ = make_report(
        "Mein Chef sagt, ich sei zu alt für das Team.", grounds=[Ground.AGE], life_area=LifeArea.WORK, language="bg",
        referral_consent=True, wishes=["advice", "referral_to_counselling"],
    )  # fmt: skip
    refusing, _ = make_report("Im Laden nicht bedient.", life_area=LifeArea.GOODS_AND_SERVICES, referral_consent=False)
    case, other = submit(workbench, service_headers, bootstrap, topics.reports, consenting, refusing)
    today = office_today()

    # A lead writes a new version of the complaint letter; a broken one is refused beside the field and not stored.
    lead = browser.new_context(locale="de-DE", viewport=DESKTOP)
    page = lead.new_page()
    log_in(page, "lena", add_account("lena", ["lead"]))
    page.click("nav >> text=Briefvorlagen")
    page.click("#templates >> text=Beschwerdebrief an die Gegenseite")
    assert page.inner_text("#template-version").startswith("Fassung 1")
    original = page.input_value("#tpl-body")
    page.fill("#tpl-body", original + "\n\n{{ reference ")
    page.click("form[action$='/complaint/de'] button")
    page.wait_for_selector("#tpl-body-error")
    assert "line" in page.inner_text("#tpl-body-error") and page.get_attribute("#tpl-body", "aria-invalid") == "true"
    assert page.input_value("#tpl-body").rstrip().endswith("{{ reference")  # the lead's text is kept
    assert serious_violations(page) == []
    page.fill("#tpl-body", original + "\n\n" + CLOSING)
    page.click("form[action$='/complaint/de'] button")
    page.wait_for_selector("#action-notice")
    assert page.inner_text("#template-version").startswith("Fassung 2") and CLOSING in page.input_value("#tpl-body")
    page.screenshot(path=screenshots / "template-edit-desktop.png", full_page=True)
    lead.close()

    # The caseworker, without JavaScript.
    context = browser.new_context(locale="de-DE", viewport=DESKTOP, java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    log_in(page, "carla", add_account("carla", ["caseworker"]))
    assert page.locator("nav >> text=Briefvorlagen").count() == 0  # templates are the leads'
    refused = page.request.post(f"{workbench}/letter-templates/complaint/de", form={"csrf_token": csrf_of(page), "subject": "x", "body": "y"})
    assert refused.status == 403
    page.goto(f"{workbench}/cases/{case['id']}")
    assert page.inner_text("#reporter-wishes") == "Beratung, Vermittlung an eine Fachberatungsstelle"
    assert page.inner_text("#referral-consent") == "ja"

    page.fill("#con-held-on", today.isoformat())
    page.select_option("#con-channel", "phone")
    page.fill("#con-minutes", "45")
    page.fill("#con-note", NOTE)
    page.click("form[action$='/consultations'] button")
    page.wait_for_selector("#consultations #action-notice")
    assert NOTE in page.inner_text("#consultation-list") and "45 Min." in page.inner_text("#consultation-list")
    assert NOTE in page.inner_text(".timeline .kind-consultation")  # the sealed note, opened for whoever may read the case

    page.select_option("#doc-level", "institutional")
    page.check("input[name=consequences][value=health]")
    page.select_option("#doc-other-side", "employer")
    page.select_option("#doc-source", "online_form")
    page.click("form[action$='/documentation'] button")
    page.wait_for_selector("#documentation #action-notice")
    assert "Institutionelle Diskriminierung" in page.inner_text("#documentation-values")
    assert page.input_value("#doc-other-side") == "employer" and page.is_checked("input[name=consequences][value=health]")

    # A statement request needs its reply date: refused beside the field, the choice kept, never a 500.
    page.select_option("#int-kind", "statement_request")
    with page.expect_navigation() as navigation:
        page.click("form[action$='/interventions'] button")
    assert navigation.value.status == 422
    assert "reply date" in page.inner_text("#int-due-on-error") and page.input_value("#int-kind") == "statement_request"
    page.locator("#interventions").screenshot(path=screenshots / "casework-intervention-refused-nojs.png")
    page.fill("#int-due-on", (today + timedelta(days=14)).isoformat())
    page.click("form[action$='/interventions'] button")
    page.wait_for_selector("#interventions #action-notice")
    assert "Bitte um Stellungnahme" in page.inner_text("#intervention-list")
    page.select_option("#intervention-list select[name=outcome]", "partly_successful")
    page.click("#intervention-list form button")
    page.wait_for_selector("#interventions #action-notice")
    assert page.inner_text("#intervention-list .outcome") == "Teilweise erfolgreich"

    best = page.inner_text("#suggestions li >> nth=0")  # shares age and work, and counsels in Bulgarian
    assert "Arbeitsleben" in best and "Lebensalter, Arbeit" in best and "berät in der Sprache der Meldung" in best
    assert page.input_value("#ref-service") == "example-work-counselling"  # the best suggestion is preselected
    page.check("input[name=passed_on][value=account]")
    page.click("form[action$='/referrals'] button")
    page.wait_for_selector("#referrals #action-notice")
    assert "Arbeitsleben" in page.inner_text("#referral-list") and "noch offen" in page.inner_text("#referral-list")
    page.click("#referral-list button[value=true]")
    page.wait_for_selector("#referrals #action-notice")
    assert page.inner_text("#referral-list .uptake") == "aufgenommen"

    page.select_option("#let-template", "complaint")
    page.fill("#let-recipient", "Firma Beispiel GmbH\nHauptstraße 1\n47051 Duisburg")
    page.fill("#let-text", "Wir bitten Sie, das Gespräch mit Ihrem Mitarbeiter zu suchen.")
    page.click("form[action$='/letters'] button")
    page.wait_for_selector("#letters #action-notice")
    assert "Fassung 2" in page.inner_text("#letter-list")  # the lead's version
    with page.expect_download() as download:
        page.click("#letter-list a")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and case["reference"].encode() in pdf  # the reference is the PDF's title
    assert download.value.suggested_filename.startswith(case["reference"])

    timeline = page.locator("#timeline")
    for kind in ("documented", "consultation", "intervention_recorded", "intervention_updated", "referred", "referral_taken_up", "letter"):
        assert timeline.locator(f".kind-{kind}").count() >= 1, kind
    assert "Arbeitsleben" in timeline.locator(".kind-referred").inner_text()

    # Without consent the referral form is shown disabled, saying why; a forced post is refused (409) in the section.
    page.goto(f"{workbench}/cases/{other['id']}")
    assert page.inner_text("#referral-consent") == "nein" and "nicht zugestimmt" in page.inner_text("#referral-refused-reason")
    assert page.is_disabled("#ref-service") and page.is_disabled("form[action$='/referrals'] button")
    forced = page.request.post(
        f"{workbench}/cases/{other['id']}/referrals",
        form={"csrf_token": csrf_of(page), "service_id": "example-work-counselling", "referred_on": today.isoformat(), "passed_on": "case_codes"},
    )  # fmt: skip
    assert forced.status == 409 and 'id="referrals-refused"' in forced.text() and "consent" in forced.text()
    page.goto(f"{workbench}/cases/{other['id']}")
    assert page.locator("#referral-list").count() == 0
    page.locator("#referrals").screenshot(path=screenshots / "casework-referrals-no-consent-nojs.png")

    # The finished case with JavaScript (the same session), for axe and the screenshots, on a desktop and a phone.
    session = context.storage_state()
    context.close()
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(locale="de-DE", viewport=viewport, storage_state=session)
        page = context.new_page()
        page.goto(f"{workbench}/cases/{case['id']}")
        assert serious_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # nothing pushed off a phone's screen
        for section in ("facts", "documentation", "consultations", "interventions", "referrals", "letters", "timeline"):
            target = page.locator("dl.facts").first if section == "facts" else page.locator(f"#{section}")
            target.screenshot(path=screenshots / f"casework-{section}-{name}.png")
        page.screenshot(path=screenshots / f"casework-case-{name}.png", full_page=True)
        context.close()
