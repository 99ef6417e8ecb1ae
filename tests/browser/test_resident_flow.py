"""A resident's whole journey in headless Chromium against the three services as processes:
report (German and Arabic with JavaScript, German without), keep the receipt, see the status
triage sets, read the office's question, answer it, and delete the report.

Every step is checked with axe-core (no serious or critical violations) and photographed at
phone and desktop width into test-artifacts/screenshots/ for reviewers. At the end every file
the stack wrote (logs, Kafka segments, database files, mails) is searched for the client address.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from devstack.probes import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# Documentation addresses (RFC 5737): sent as the client address through the trusted local proxy header.
CLIENT_ADDRESS = "203.0.113.77"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
AXE = Axe()
# A real 1x1 PNG and a one-page PDF (the safe copies are triage's), each with a marker no other file has.
EVIDENCE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2261f1b0000000049454e44ae426082"
)
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n% evidence-marker-5a1c"
)
EVIDENCE_MARKER = b"evidence-marker-5a1c"  # in no file of the stack: intake seals uploads before it stores them


@dataclass(frozen=True)
class Journey:
    language: str
    javascript: bool
    story: str
    question: str
    answer: str


JOURNEYS = [
    Journey("de", True, "Im Jobcenter sagte man mir, mit meinem Kopftuch hätte ich keine Chance.", "Wann war Ihr Termin?", "Am Dienstagmorgen."),
    Journey("ar", True, "رفض صاحب الشقة تأجيرنا بسبب اسمنا العربي.", "هل تتذكر اسم الشارع؟", "لا، آسف."),
    Journey("de", False, "Der Busfahrer ließ meinen Rollstuhl nicht einsteigen.", "Welche Linie war es?", "Die Linie 903."),
]


class Recorder:
    """Checks a page with axe-core and photographs it at phone and desktop width.

    axe-core runs as a script in the page, so where JavaScript is off, the page's HTML is checked
    in a twin page of the same origin that has it on.
    """

    def __init__(self, page: Page, folder: Path, prefix: str, twin: Page | None = None) -> None:
        self.page, self.folder, self.prefix, self.twin, self.count = page, folder, prefix, twin, 0

    def step(self, name: str) -> None:
        self.count += 1
        checked = self.page
        if self.twin:
            self.twin.set_content(self.page.content())
            checked = self.twin
        serious = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
            for v in AXE.run(checked).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], f"{name}: {serious}"
        # Reflow (WCAG 1.4.10): nothing scrolls sideways, even on a phone.
        assert checked.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{name} scrolls sideways"
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            self.page.set_viewport_size(size)
            self.page.screenshot(path=self.folder / f"{self.prefix}-{self.count:02d}-{name}-{label}.png", full_page=True)
        self.page.set_viewport_size(PHONE)


def cases(stack, headers) -> dict[str, dict]:
    return {case["id"]: case for case in httpx.get(f"{stack.url('triage')}/api/v1/cases", headers=headers).json()["items"]}


def open_report(page: Page, base: str, language: str, receipt: str) -> None:
    page.goto(f"{base}/{language}/check")
    page.fill("#receipt", receipt)
    page.click("form[action$='/check'] button")
    page.wait_for_selector("section[aria-labelledby='status-title'], .error-summary")


@pytest.mark.parametrize("journey", JOURNEYS, ids=lambda j: f"{j.language}-{'js' if j.javascript else 'nojs'}")
def test_resident_journey(stack, staff_headers, browser, screenshots, journey: Journey):
    base = stack.url("intake")
    context = browser.new_context(
        viewport=PHONE,
        java_script_enabled=journey.javascript,
        accept_downloads=True,
        extra_http_headers={"X-Forwarded-For": CLIENT_ADDRESS},
    )
    page = context.new_page()
    outside = []
    page.on("request", lambda request: None if request.url.startswith(base) else outside.append(request.url))
    twin = None
    if not journey.javascript:
        twin = browser.new_context(viewport=PHONE).new_page()
        twin.goto(f"{base}/static/site.css")  # same origin, so the page's stylesheet loads in the twin
    shots = Recorder(page, screenshots, f"{journey.language}-{'js' if journey.javascript else 'nojs'}", twin)
    known_cases = set(cases(stack, staff_headers))

    page.goto(f"{base}/{journey.language}/")
    assert page.get_attribute("html", "lang") == journey.language
    assert page.get_attribute("html", "dir") == ("rtl" if journey.language == "ar" else "ltr")
    shots.step("start")

    # Keyboard only: reach the start button with Tab and follow it with Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == f"/{journey.language}/report":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("#description")
    if journey.javascript:
        page.evaluate("window.stillTheSamePage = true")  # survives only if the steps never reload the page

    def next_step(expected_field: str) -> None:
        page.click("button[name=action][value=next]")
        page.wait_for_selector(expected_field)

    shots.step("what-empty")
    page.click("button[name=action][value=next]")  # nothing entered: the error summary takes focus
    page.wait_for_selector(".error-summary")
    if journey.javascript:
        assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.get_attribute("#description", "aria-invalid") == "true"
    shots.step("what-error")
    page.fill("#description", journey.story)
    page.check("#forms")  # the first kind of incident
    next_step("#grounds")
    shots.step("why")
    page.check("#grounds")
    page.check("#grounds-unknown")
    next_step("#life_area")
    shots.step("where")
    page.check("#life_area-housing")
    page.select_option("#district", "hamborn")
    page.select_option("#month", "3")
    page.select_option("#year", "2026")
    next_step("#reporter_role")
    shots.step("who")
    page.check("#reporter_role")
    next_step("#wishes")
    shots.step("wishes")
    page.check("#wishes-advice")
    next_step("#files")
    shots.step("evidence")
    if not journey.javascript:
        # Two files through the plain multipart form: sealed and stored at once, listed until the report is sent.
        page.set_input_files("#files", [
            {"name": "screenshot.png", "mimeType": "image/png", "buffer": EVIDENCE_PNG},
            {"name": "brief.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE_PDF},
        ])  # fmt: skip
        page.check("#evidence_original_consent")
        page.click("button[name=action][value=next]")
        page.wait_for_selector("#consent_contact")
        page.click("button[name=action][value=back]")
        page.wait_for_selector("[data-evidence-file]")
        assert page.locator("[data-evidence-file]").count() == 2
        shots.step("evidence-added")
    next_step("#consent_contact")
    shots.step("contact")
    next_step("dl.review")
    assert journey.story in page.inner_text("dl.review")
    if not journey.javascript:
        assert "Datei 2: PDF-Dokument" in page.inner_text("dl.review")
    shots.step("review")
    page.click("button[name=action][value=submit]")
    page.wait_for_selector("[data-receipt]")
    receipt = page.inner_text("[data-receipt]").strip()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", receipt)
    shots.step("receipt")
    assert page.is_visible("[data-print]") == journey.javascript  # the print button needs JavaScript
    if journey.javascript:
        assert page.evaluate("window.stillTheSamePage === true")
    with page.expect_download() as download:
        page.click("form[action$='receipt.txt'] button")
    assert receipt in Path(download.value.path()).read_text(encoding="utf-8")

    # Triage opens the case; the staff move it on and write; the reporter sees both.
    [case_id] = eventually(lambda: set(cases(stack, staff_headers)) - known_cases, timeout=20, what="the case")
    assert cases(stack, staff_headers)[case_id]["reporter"]["wishes"] == ["advice"]  # ticked on the wishes step
    triage = stack.url("triage")
    if not journey.javascript:  # the two files reach the case, and triage makes a safe copy of each for the caseworker

        def safe_copies() -> list | None:
            evidence = httpx.get(f"{triage}/api/v1/cases/{case_id}", headers=staff_headers).json()["evidence"]
            return evidence if len(evidence) == 2 and all(item["state"] == "safe" for item in evidence) else None

        evidence = eventually(safe_copies, timeout=90, interval=1, what="safe copies of both files")
        assert sorted(item["media_type"] for item in evidence) == ["application/pdf", "image/png"]
    moved = httpx.post(f"{triage}/api/v1/cases/{case_id}/status", json={"status": "in_review"}, headers=staff_headers)
    assert moved.status_code == 200, moved.text
    written = httpx.post(f"{triage}/api/v1/cases/{case_id}/messages", json={"text": journey.question}, headers=staff_headers)
    assert written.status_code == 201, written.text

    def reporter_sees_it() -> bool:
        open_report(page, base, journey.language, receipt)
        messages = page.locator("ol.messages")  # absent until the first message arrives
        return page.get_attribute(".status", "data-status") == "in_review" and messages.count() == 1 and journey.question in messages.inner_text()

    eventually(reporter_sees_it, timeout=30, interval=1, what="the status and the office's question on the reporter's page")
    shots.step("inbox")

    page.fill("#text", journey.answer)
    page.click("form[action$='/check/reply'] button")
    page.wait_for_selector(".notice.success")
    assert journey.answer in page.inner_text("ol.messages")
    shots.step("answered")

    def answer_on_the_case() -> bool:
        case = httpx.get(f"{triage}/api/v1/cases/{case_id}", headers=staff_headers).json()
        return any(journey.answer in str(entry) for entry in case["timeline"] if entry["kind"] == "reporter_message")

    eventually(answer_on_the_case, timeout=30, interval=0.5, what="the reporter's answer on the case timeline")

    if not journey.javascript:  # erasure, once is enough
        page.check("#confirm")
        page.click("form[action$='/check/delete'] button")
        page.wait_for_selector("h1")
        shots.step("erased")
        gone = lambda: httpx.get(f"{triage}/api/v1/cases/{case_id}", headers=staff_headers).status_code == 404  # noqa: E731
        eventually(gone, timeout=30, interval=0.5, what="triage to erase the case")
        open_report(page, base, journey.language, receipt)
        assert page.is_visible(".error-summary")

    assert outside == []  # no request ever left the site
    context.close()
    if twin:
        twin.context.close()


def test_receipt_guessing_is_counted_per_client_without_keeping_addresses(stack):
    """Runs last: proves the forwarded address reached intake, then that no file of the stack holds it."""
    base = stack.url("intake")

    def attempt(client: httpx.Client) -> int:
        page = client.get(f"{base}/de/check").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return client.post(f"{base}/de/check", data={"csrf_token": csrf, "receipt": "0000 0000 0000 0000"}).status_code

    guesser = httpx.Client(headers={"X-Forwarded-For": "203.0.113.78"})
    assert [attempt(guesser) for _ in range(4)] == [404, 404, 404, 429]
    assert attempt(httpx.Client(headers={"X-Forwarded-For": CLIENT_ADDRESS})) == 404  # another client is not slowed

    stack.stop()  # flush every log and data file
    # The stack's folder and the PostgreSQL cluster its database servers keep their data in (outside it).
    folders = {stack.root} | {server.postgresql.folder for server in stack.databases.values() if server.postgresql}
    secrets = (b"203.0.113.77", b"203.0.113.78", EVIDENCE_MARKER)  # the clients' addresses, and an uploaded file in clear
    leaks = [
        str(path)
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and any(secret in path.read_bytes() for secret in secrets)
    ]
    assert leaks == []
    assert any((stack.root / "logs").iterdir())  # the search above did see the service logs
