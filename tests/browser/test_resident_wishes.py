"""The form's "What should happen?" step (issue 15, item 1) in headless Chromium with JavaScript off, against
the three services as processes: the resident fills it, is told that "only record it" stands alone, goes
Back, switches to Arabic and back, reviews, changes the answer with "Ändern", sends, and the case triage
made from the Kafka event carries the wishes and the counselling consent.

Each page is checked with axe-core (no serious or critical violations, in a twin page with JavaScript on)
and must not scroll sideways; the step is photographed at phone width in German and Arabic.
"""

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from devstack.probes import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
STORY = "Beim Bürgeramt wurde ich wegen meines Kopftuchs nicht bedient."
AXE = Axe()


def checked(page: Page, *ids: str) -> set[str]:
    return {id for id in ids if page.is_checked(f"#{id}")}


def test_a_resident_without_javascript_says_what_should_happen(stack, staff_headers, browser, screenshots):
    base, triage = stack.url("intake"), stack.url("triage")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    twin = browser.new_context(viewport=PHONE).new_page()
    twin.goto(f"{base}/static/site.css")  # same origin, so the page's stylesheet loads in the twin

    def at(path: str) -> None:
        eventually(lambda: page.url == f"{base}{path}", timeout=10, interval=0.1, what=f"the address {path}, not {page.url}")

    def press(action: str, expected: str) -> None:
        page.click(f"button[name=action][value='{action}']")
        page.wait_for_selector(expected)

    def check(name: str, *, photo: bool = False) -> None:
        twin.set_content(page.content())
        serious = [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in AXE.run(twin).response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{name}: {serious}"
        assert twin.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{name} scrolls sideways"
        if photo:
            page.screenshot(path=screenshots / f"{name}-phone.png", full_page=True)

    known = {case["id"] for case in httpx.get(f"{triage}/api/v1/cases", headers=staff_headers).json()["items"]}
    try:
        page.goto(f"{base}/de/report")
        page.fill("#description", STORY)
        press("next", "#grounds")
        press("next", "#life_area")
        press("next", "#reporter_role")
        press("next", "#wishes")
        at("/de/report/wishes")
        assert page.title().startswith("Was soll geschehen?") and page.is_checked("#referral_consent-no")  # default: no
        check("wishes-de", photo=True)

        # "Only record it" with another wish: the step says so at the field and keeps what was ticked.
        page.check("#wishes")
        page.check("#wishes-advice")
        press("next", ".error-summary")
        assert page.title().startswith("Fehler: ") and page.get_attribute(".error-summary a", "href") == "#wishes"
        assert "„Nur erfassen“ lässt sich nicht" in page.inner_text("#wishes-error")
        check("wishes-error-de", photo=True)
        page.uncheck("#wishes")
        page.check("#wishes-referral_to_counselling")
        press("next", "#files")
        at("/de/report/evidence")

        press("back", "#wishes")  # the form's Back, then the browser's Back and Forward
        at("/de/report/wishes")
        wishes = ("wishes", "wishes-advice", "wishes-office_action", "wishes-referral_to_counselling", "wishes-legal_support")
        assert checked(page, *wishes) == {"wishes-advice", "wishes-referral_to_counselling"}
        page.go_back()
        page.wait_for_selector("#files")
        page.go_forward()
        page.wait_for_selector("#wishes")
        assert checked(page, *wishes) == {"wishes-advice", "wishes-referral_to_counselling"}

        # Switch language in the middle of the step: what was ticked there, unsent, is kept in Arabic.
        page.check("#wishes-legal_support")
        page.get_by_role("button", name="العربية").click()
        page.wait_for_selector("html[lang=ar]")
        at("/ar/report/wishes")
        assert page.get_attribute("html", "dir") == "rtl"
        assert checked(page, *wishes) == {"wishes-advice", "wishes-referral_to_counselling", "wishes-legal_support"}
        assert page.is_checked("#referral_consent-no")
        check("wishes-ar", photo=True)
        press("next", "#files")
        press("next", "#consent_contact")
        press("next", "dl.review")
        at("/ar/report/review")
        review = page.inner_text("dl.review")
        assert "أرغب في الحصول على استشارة" in review and "الدعم في الخطوات القانونية" in review
        check("review-ar")

        # Back to German on the review, then "Ändern": the step opens with the answers and returns to the review.
        page.get_by_role("button", name="Deutsch").click()
        page.wait_for_selector("html[lang=de]")
        at("/de/report/review")
        page.get_by_role("button", name="Ändern – Was soll geschehen?").click()
        page.wait_for_selector("#wishes")
        at("/de/report/wishes?return=review")
        page.uncheck("#wishes-advice")
        page.check("#referral_consent")
        page.get_by_role("button", name="Zurück zur Übersicht").click()
        page.wait_for_selector("dl.review")
        at("/de/report/review")
        review = page.inner_text("dl.review")
        assert "Vermittlung an eine Fachberatungsstelle; Unterstützung bei rechtlichen Schritten" in review
        assert "Ich möchte eine Beratung" not in review and "Ja, die Stelle darf meinen Fall weitergeben" in review
        check("review-de")

        page.click("button[name=action][value=submit]")
        page.wait_for_selector("[data-receipt]")
        at("/de/report/sent")
    finally:
        context.close()
        twin.context.close()

    def the_case() -> dict | None:
        items = httpx.get(f"{triage}/api/v1/cases", headers=staff_headers).json()["items"]
        return next((case for case in items if case["id"] not in known), None)

    case = eventually(the_case, timeout=30, what="triage to make the case from the event")
    detail = httpx.get(f"{triage}/api/v1/cases/{case['id']}", headers=staff_headers).json()
    assert detail["description"] == STORY
    assert detail["reporter"]["wishes"] == ["referral_to_counselling", "legal_support"]
    assert detail["reporter"]["referral_consent"] is True
