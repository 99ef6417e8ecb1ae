"""What a resident met when walking the site (issue 12), in headless Chromium against the three services
as processes: the language switch and the browser's Back and Forward keep the answers, "Change" returns
to the review, the receipt survives a language switch, a wrong receipt stays in its field, the page
title says "Fehler:", office times have no seconds, and the statistics page is honest about few cases.

Each page checked here must have no serious or critical axe-core violations; screenshots at phone and
desktop width go to test-artifacts/screenshots/.
"""

import re
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.dates import format_date
from playwright.sync_api import Page

from devstack.probes import eventually, publish_raw
from intake.site import labels
from intake.site.i18n import LANGUAGES, load_translations
from meldestelle_shared.events import MonthlyStatisticsPublished, encode_event
from meldestelle_shared.settings import OfficeSettings, office_today
from meldestelle_shared.taxonomy import Form

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
OFFICE = OfficeSettings()
STORY = "Die Vermieterin sagte am Telefon, an Leute wie uns vermiete sie nicht."
AXE = Axe()


class Walker:
    """A resident's browser; checks each page with axe-core (in a JavaScript twin when JavaScript is off)."""

    def __init__(self, browser, base: str, javascript: bool, folder) -> None:
        self.base, self.javascript, self.folder = base, javascript, folder
        self.context = browser.new_context(viewport=PHONE, java_script_enabled=javascript, accept_downloads=True)
        self.page: Page = self.context.new_page()
        self.twin = None
        if not javascript:
            self.twin = browser.new_context(viewport=PHONE).new_page()
            self.twin.goto(f"{base}/static/site.css")

    def check(self, name: str, *, photo: bool = False) -> None:
        checked = self.page
        if self.twin:
            self.twin.set_content(self.page.content())
            checked = self.twin
        serious = [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in AXE.run(checked).response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{name}: {serious}"
        assert checked.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{name} scrolls sideways"
        if photo:
            for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
                self.page.set_viewport_size(size)
                self.page.screenshot(path=self.folder / f"{name}-{label}.png", full_page=True)
            self.page.set_viewport_size(PHONE)

    def press(self, action: str, expected: str) -> None:
        """Click a form button (action value) and wait for the element that shows the next page."""
        self.page.click(f"button[name=action][value='{action}']")
        self.page.wait_for_selector(expected)

    def at(self, path: str) -> None:
        eventually(lambda: self.page.url == f"{self.base}{path}", timeout=10, interval=0.1, what=f"the address {path}, not {self.page.url}")

    def close(self) -> None:
        self.context.close()
        if self.twin:
            self.twin.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_switching_language_and_going_back_keep_the_answers(stack, staff_headers, browser, screenshots, javascript):
    walker = Walker(browser, stack.url("intake"), javascript, screenshots)
    page = walker.page
    known = {case["id"] for case in httpx.get(f"{stack.url('triage')}/api/v1/cases", headers=staff_headers).json()["items"]}
    try:
        page.goto(f"{walker.base}/de/report")
        walker.at("/de/report/what")
        walker.press("next", ".error-summary")
        assert page.title().startswith("Fehler: ")  # item 16: screen readers hear the error first
        walker.check("what-error-de", photo=True)
        page.fill("#description", STORY)
        walker.press("next", "#grounds")
        walker.at("/de/report/why")
        assert not page.title().startswith("Fehler")

        # Item 1: switch language in the middle of a step: what is ticked there is kept, in Arabic.
        page.check("#grounds-language")
        page.get_by_role("button", name="العربية").click()
        page.wait_for_selector("html[lang=ar]")
        walker.at("/ar/report/why")
        assert page.get_attribute("html", "dir") == "rtl" and page.is_checked("#grounds-language")
        walker.check("why-switched-ar", photo=True)
        page.get_by_role("button", name="Deutsch").click()
        page.wait_for_selector("html[lang=de]")
        assert page.is_checked("#grounds-language")

        walker.press("next", "#life_area")
        page.check("#life_area-housing")
        walker.press("next", "#reporter_role")
        walker.at("/de/report/who")
        # Item 2: the browser's Back and Forward move between steps, answers kept, never a "resubmit?" page.
        page.go_back()
        page.wait_for_selector("#life_area")
        walker.at("/de/report/where")
        assert page.is_checked("#life_area-housing")
        page.go_back()
        page.wait_for_selector("#grounds")
        assert page.is_checked("#grounds-language")
        page.go_forward()
        page.wait_for_selector("#life_area")
        assert page.is_checked("#life_area-housing")
        walker.press("next", "#reporter_role")
        walker.press("next", "#wishes")
        walker.press("next", "#files")
        walker.press("next", "#consent_contact")
        walker.press("next", "dl.review")

        # Item 3: "Change" opens the step and comes straight back to the review.
        page.click("button[name=action][value='change:where']")
        page.wait_for_selector("#district")
        page.select_option("#district", "hamborn")
        walker.check("where-change-de", photo=True)
        page.get_by_role("button", name="Zurück zur Übersicht").click()
        page.wait_for_selector("dl.review")
        walker.at("/de/report/review")
        review = page.inner_text("dl.review")
        assert "Hamborn" in review and STORY in review and "Wohnen" in review

        page.click("button[name=action][value=submit]")
        page.wait_for_selector("[data-receipt]")
        walker.at("/de/report/sent")
        receipt = page.inner_text("[data-receipt]").strip()
        # Item 1: the once-only receipt stays on screen in the new language.
        page.get_by_role("link", name="English").click()
        page.wait_for_selector("html[lang=en]")
        assert page.inner_text("[data-receipt]").strip() == receipt and "Your receipt" in page.inner_text("main")
        walker.check("receipt-switched-en", photo=True)
        page.go_back()  # Back from the receipt never sends the report again
        page.wait_for_selector("[data-receipt]")
        assert page.inner_text("[data-receipt]").strip() == receipt

        if javascript:
            times_are_office_times_without_seconds(stack, staff_headers, walker, receipt, known)
    finally:
        walker.close()


def times_are_office_times_without_seconds(stack, staff_headers, walker, receipt: str, known: set[str]) -> None:
    """Item 8: the resident sees the office's message at office time (Europe/Berlin), as 01.12.2026, 17:27."""
    triage = stack.url("triage")

    def the_case() -> str | None:
        items = httpx.get(f"{triage}/api/v1/cases", headers=staff_headers).json()["items"]
        return next((case["id"] for case in items if case["id"] not in known), None)

    case_id = eventually(the_case, timeout=30, what="the case")
    written = httpx.post(f"{triage}/api/v1/cases/{case_id}/messages", json={"text": "Wann war das?"}, headers=staff_headers)
    assert written.status_code == 201, written.text
    page = walker.page

    def message_shown() -> bool:
        page.goto(f"{walker.base}/de/check")
        page.fill("#receipt", receipt)
        page.click("form[action$='/check'] button")
        page.wait_for_selector("section[aria-labelledby='status-title']")
        return page.locator("ol.messages time").count() == 1

    eventually(message_shown, timeout=30, interval=1, what="the office's message on the reporter's page")
    time = page.locator("ol.messages time")
    sent_at = datetime.fromisoformat(time.get_attribute("datetime"))
    sent_at = (sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)).astimezone(OFFICE.timezone)
    assert time.inner_text() == f"{sent_at:%d.%m.%Y, %H:%M}"


@pytest.mark.parametrize("receipt", ["1234 5678 9012 345", "0000 1111 2222 3333"], ids=["malformed", "unknown"])
def test_a_wrong_receipt_stays_in_its_field_with_the_error_beside_it(stack, browser, screenshots, receipt):
    walker = Walker(browser, stack.url("intake"), False, screenshots)
    page = walker.page
    try:
        page.goto(f"{walker.base}/de/check")
        page.fill("#receipt", receipt)
        page.click("form[action$='/check'] button")
        page.wait_for_selector(".error-summary")
        assert page.input_value("#receipt") == receipt  # item 4
        assert page.is_visible("#receipt-error") and "receipt-error" in page.get_attribute("#receipt", "aria-describedby")
        assert page.get_attribute("#receipt", "aria-invalid") == "true" and page.title().startswith("Fehler: ")
        walker.check(f"check-{receipt[-3:]}-de", photo=receipt.startswith("1234"))
    finally:
        walker.close()


def first_person_label(tag: str) -> str:
    return load_translations(tag).gettext(labels.FORMS[Form.DENIAL_OF_ACCESS_OR_SERVICE])


def expected_publication(today: date, publish_day: int = 5) -> date:
    """The next publication day from today, counted by hand here (not with the page's own function)."""
    if today.day <= publish_day:
        return today.replace(day=publish_day)
    return (today.replace(day=28) + timedelta(days=5)).replace(day=publish_day)


def test_the_statistics_page_is_honest_about_few_cases(stack, browser, screenshots):
    walker = Walker(browser, stack.url("intake"), True, screenshots)
    page = walker.page
    today = office_today(OFFICE)
    try:
        # Item 15: with nothing published yet, the page says when the first month appears.
        page.goto(f"{walker.base}/de/statistics/monthly")
        first = format_date(expected_publication(today), format="long", locale="de")
        assert first in page.inner_text("#next-publication")
        walker.check("statistics-none-de")

        # One small month, the month before last: every district cell withheld, eleven months before it without data.
        month = f"{(today.replace(day=1) - timedelta(days=1)).replace(day=1) - timedelta(days=1):%Y-%m}"
        published = MonthlyStatisticsPublished.for_month(
            month, total=6, threshold=5, classification="reporter answers", generated_at=datetime.now(UTC),
            tables={
                "grounds": {"racist_attribution": 6, "disability": 0},
                "forms": {"denial_of_access_or_service": 6, "threat": 0},
                "life_area": {"housing": 6, "work": 0},
                "district": {"mitte": None, "sued": None, "walsum": None},
                "reporter_role": {"affected": None, "witness": None},
            },
        )  # fmt: skip
        publish_raw(stack.kafka.admin, stack.topics.statistics, [(published.partition_key(), encode_event(published))])
        eventually(lambda: httpx.get(f"{walker.base}/api/v1/statistics/monthly/{month}").status_code == 200, timeout=30, what="the month")

        for tag in LANGUAGES:
            page.goto(f"{walker.base}/{tag}/statistics/monthly")
            assert first_person_label(tag) not in page.inner_text("main"), tag  # neutral labels, not the form's "I was refused"
            assert page.locator("#next-publication").is_visible()
        page.goto(f"{walker.base}/de/statistics/monthly")
        assert "Verweigerter Zugang oder verweigerte Leistung" in page.inner_text("#table-forms")
        # Months without a publication are not drawn as hidden numbers: only "–", no dotted box.
        assert page.locator("svg#trend-total rect.suppressed").count() == 0
        assert page.locator("svg#trend-total desc").text_content().count("–") == 11
        # A table whose every cell is withheld is one sentence, not a table of dots.
        for key in ("district", "reporter_role"):
            assert page.locator(f"p#table-{key}").is_visible() and page.locator(f"#heading-{key} ~ * svg").count() == 0
        assert page.locator("table#table-district, table#table-trend-district").count() == 0
        assert page.locator("#next-publication").inner_text().startswith("Die Zahlen für ")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 7000, height
        walker.check("statistics-few-de", photo=True)
        page.goto(f"{walker.base}/ar/statistics/monthly")
        walker.check("statistics-few-ar", photo=True)
    finally:
        walker.close()
