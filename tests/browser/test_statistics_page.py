"""A month with a few reports, through the three services as processes: suppression visible in headless
Chromium on intake's page, in the CSV it downloads, and in the summary notify e-mails to the office.

Reports submitted now belong to the current month, which is published only after it has ended, so the
test stores cases of the newest month that is already due straight in triage's database and announces
each with CaseCreated, as triage does when it opens a case. (An older month would make triage publish
every month after it too, and leave the page's 12-month window a year later.) From there everything is
the services' own work: triage's consumer counts the cases, its publication job (turned on by restarting
triage once they are counted) publishes the month, intake stores and serves it, notify writes to the office.
"""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from nacl.public import PublicKey
from pymongo import MongoClient

from devstack.probes import eventually, publish_raw, read_topic
from devstack.pytest_plugin import running_stack
from intake.site.i18n import load_translations
from meldestelle_shared.events import CaseCreated, MonthlyStatisticsPublished, ReportSubmitted, decode_event, encode_event
from meldestelle_shared.sealing import load_public_key, seal
from triage.cases.documents import case_document
from triage.cases.service import CaseRules, new_case
from meldestelle_shared.settings import office_today
from triage.stats.schedule import last_due_month

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PUBLISH_DAY = 5
CHECK_INTERVAL = "TRIAGE_STATS_CHECK_INTERVAL_SECONDS"
PHONE = {"width": 360, "height": 740}
OFFICE = "antidiskriminierung@localhost"  # notify's default office address


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The whole system, with triage's publication job off until the month's cases are counted.

    A job running while the cases arrive could publish the month half-counted, and a published month
    never changes. In production that cannot happen: cases arrive in their own month, before it is due.
    """
    env = {CHECK_INTERVAL: "0", "TRIAGE_STATS_PUBLISH_DAY": str(PUBLISH_DAY)}
    with running_stack(tmp_path_factory.mktemp("stack"), env=env) as running:
        yield running


def due_month() -> str:
    """The newest month triage publishes today: the month the cases are made for."""
    return last_due_month(office_today(), publish_day=PUBLISH_DAY)


def cases_of(month: str, office_key: PublicKey) -> list[dict]:
    """Seven cases as triage's new_case makes them: six in Mitte and one in Süd, a 1 the total of 7 would reveal."""
    received = datetime.fromisoformat(f"{month}-10T12:00:00+00:00")
    answers = [("mitte", ["racist_attribution"])] * 6 + [("sued", ["disability"])]
    cases = []
    for number, (district, grounds) in enumerate(answers):
        report_id = uuid4()
        report = ReportSubmitted(
            occurred_at=received + timedelta(minutes=number), correlation_id=report_id, report_id=report_id,
            grounds=grounds, forms=["unequal_treatment"], life_area="housing", district=district, reporter_role="affected",
            # Different texts, so triage's duplicate check (which opens them) links none of the cases.
            sealed_description=seal(office_key, f"Bericht {number}: {uuid4().hex}"),
        )  # fmt: skip
        cases.append(case_document(new_case(report, reference=f"DU-{month[:4]}-{900001 + number}", rules=CaseRules())))
    return cases


def announce(stack, cases: list[dict]) -> None:
    """Store the cases in triage's database and publish one CaseCreated each on the stack's cases topic."""
    with MongoClient(stack.database_uri("triage")) as client:
        client[stack.service_env("triage")["TRIAGE_DATABASE"]]["cases"].insert_many(cases)
    events = [
        CaseCreated.for_case(
            case_id=case["_id"], report_id=case["report_id"], reference=case["reference"], priority=case["priority"], created_at=case["created_at"]
        )
        for case in cases
    ]
    publish_raw(stack.kafka.admin, stack.topics.cases, [(event.partition_key(), encode_event(event)) for event in events])


def restart_with_the_publication_job(stack) -> None:
    """Restart the triage process with its publication job checking every second."""
    triage = stack.services["triage"]
    triage.stop(timeout=15)
    triage.env = {**triage.env, CHECK_INTERVAL: "1"}
    triage.start()
    eventually(lambda: stack.ready("triage"), timeout=60, what="triage to be ready again")


def csv_values(text: str, month: str) -> dict[tuple[str, str], str]:
    return {(row["dimension"], row["code"]): row["value"] for row in csv.DictReader(io.StringIO(text)) if row["month"] == month}


def assert_suppressed_as_expected(value: dict[tuple[str, str], str]) -> None:
    """Seven reports: the 6 and the 1 of the districts are hidden (the 1 is below 5, the 6 would reveal it)."""
    assert value["total", "total"] == "7" and value["district", "walsum"] == "0"
    assert value["district", "mitte"] == "." and value["district", "sued"] == "."
    assert value["grounds", "racist_attribution"] == "6" and value["grounds", "disability"] == "."


@dataclass(frozen=True)
class Published:
    month: str
    seeded_at: datetime


@pytest.fixture(scope="module")
def published(stack, staff_headers) -> Published:
    """The cases stored and announced, counted by triage, then the month published by triage's job."""
    seeded_at, month = datetime.now(UTC), due_month()
    intake, triage = stack.url("intake"), stack.url("triage")
    cases = cases_of(month, load_public_key((stack.secrets / "intake" / "intake_office_public_key").read_text()))
    announce(stack, cases)

    # triage's own consumer counts them (its staff API shows the unsuppressed figures); nothing is published yet.
    counted = lambda: httpx.get(f"{triage}/api/v1/statistics/monthly/{month}", headers=staff_headers).json()["total"]  # noqa: E731
    eventually(lambda: counted() == len(cases), timeout=90, interval=0.5, what="triage to count the cases")
    assert httpx.get(f"{intake}/api/v1/statistics/monthly/{month}").status_code == 404

    restart_with_the_publication_job(stack)
    eventually(
        lambda: httpx.get(f"{intake}/api/v1/statistics/monthly/{month}").status_code == 200, timeout=90, interval=0.5,
        what="triage to publish the month and intake to store it",
    )  # fmt: skip
    return Published(month, seeded_at)


def test_triage_publishes_the_month_once_and_intake_serves_it(stack, published):
    body = httpx.get(f"{stack.url('intake')}/api/v1/statistics/monthly/{published.month}").json()
    assert body["total"] == 7 and datetime.fromisoformat(body["generated_at"]) >= published.seeded_at
    assert body["tables"]["district"]["mitte"] is None and body["tables"]["grounds"]["racist_attribution"] == 6
    events = [decode_event(record.value) for record in read_topic(stack.kafka.admin, stack.topics.statistics)]
    # The only due month: the first month with cases is also the newest due one.
    assert [(type(event), event.month) for event in events] == [(MonthlyStatisticsPublished, published.month)]


def test_the_page_shows_the_suppression_and_downloads_the_csv(stack, published, browser, screenshots, tmp_path):
    intake = stack.url("intake")
    context = browser.new_context(viewport=PHONE, locale="de-DE", accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{intake}/de/")
        page.get_by_role("link", name="Statistik", exact=True).click()  # the footer of every site page links to it
        page.wait_for_url(f"{intake}/de/statistics/monthly")
        assert page.locator("header.site-header nav.languages").is_visible() and page.locator("footer.site-footer").is_visible()
        district_table = page.locator("#table-district")
        assert district_table.locator("tr", has_text="Mitte").locator("td").inner_text() == "."
        assert district_table.locator("tr", has_text="Süd").locator("td").inner_text() == "."
        assert district_table.locator("tr", has_text="Walsum").locator("td").inner_text() == "0"
        disability = load_translations("de").gettext("Disability")  # the report form's label, from the same catalog
        assert page.locator("#table-grounds tr").filter(has_text=disability).locator("td").inner_text() == "."
        assert page.locator("#table-grounds tr", has_text="Rassismus").locator("td").inner_text() == "6"
        assert "7" in page.locator(".total").inner_text()
        chart = page.locator("svg#chart-district")
        assert chart.get_attribute("role") == "img" and "Mitte: ." in chart.locator("desc").text_content()
        assert page.locator("#note-suppressed").is_visible()
        assert "Zahl geheim gehalten" in page.locator("#table-district abbr").first.get_attribute("title")
        # Readable on a phone: nothing wider than the screen except the scrollable tables.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=screenshots / "statistics-de-phone.png", full_page=True)
        violations = Axe().run(page).response["violations"]
        assert [v["id"] for v in violations] == [], violations

        with page.expect_download() as download:
            page.get_by_role("link", name="CSV", exact=True).click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert_suppressed_as_expected(csv_values(saved.read_text(encoding="utf-8"), published.month))
    finally:
        context.close()


def test_the_page_reads_right_to_left_and_works_without_javascript(stack, published, browser, screenshots):
    intake = stack.url("intake")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{intake}/en/statistics/monthly")
        assert page.locator("#table-district tr", has_text="Mitte").locator("td").inner_text() == "."
        assert page.locator("svg#chart-grounds").is_visible() and page.locator("#note-suppressed").is_visible()

        page.get_by_role("link", name="العربية", exact=True).click()  # the site's language switcher keeps the page
        page.wait_for_url(f"{intake}/ar/statistics/monthly")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("#table-district tr", has_text="Mitte").locator("td").inner_text() == "."
        chart = page.locator("svg#chart-district").bounding_box()
        label = page.locator("svg#chart-district text.label", has_text="Mitte").bounding_box()
        assert chart["x"] - 1 <= label["x"] and label["x"] + label["width"] <= chart["x"] + chart["width"] + 1  # mirrored, not cut off
        page.screenshot(path=screenshots / "statistics-ar-phone.png", full_page=True)
    finally:
        context.close()


def test_notify_sends_the_office_the_published_summary(stack, published):
    intake, subject = stack.url("intake"), f"Monatsstatistik {published.month} veröffentlicht"
    [mail] = eventually(
        lambda: [m for m in stack.smtp.messages() if m["Subject"].startswith(subject)], timeout=60, what="the office's summary e-mail"
    )
    assert mail["X-Envelope-To"] == OFFICE and mail["To"] == OFFICE
    body = mail.get_content()
    assert "Meldungen insgesamt: 7" in body and "Stadtbezirke: –" in body  # no district value may be shown
    assert f"Öffentliche Seite: {intake}/de/statistics/monthly" in body
    csv_link = f"{intake}/api/v1/statistics/monthly/{published.month}.csv"
    assert f"CSV: {csv_link}" in body
    assert_suppressed_as_expected(csv_values(httpx.get(csv_link).text, published.month))


def test_every_event_was_handled_by_the_running_services(stack, published):
    assert all(process.is_running for process in stack.services.values())
    assert read_topic(stack.kafka.admin, stack.topics.dead_letters) == []
