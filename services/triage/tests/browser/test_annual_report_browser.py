"""A lead exports the annual report in headless Chromium: from the statistics page to the downloaded workbook and PDF."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from devstack.probes import eventually, publish_raw
from meldestelle_shared.events import encode_event
from meldestelle_shared.settings import office_today
from meldestelle_shared.taxonomy import Ground, LifeArea

pytestmark = [pytest.mark.infra, pytest.mark.browser]


def test_a_lead_exports_the_annual_report(browser, workbench, add_account, log_in, serious_violations, screenshots, infrastructure, topics, make_report):
    report, _ = make_report(grounds=[Ground.AGE], life_area=LifeArea.WORK)
    publish_raw(infrastructure.kafka.admin, topics.reports, [(report.partition_key(), encode_event(report))])
    year = str(office_today().year)
    secret = add_account("lena.lead", ["lead"])
    page = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="de-DE").new_page()
    log_in(page, "lena.lead", secret)

    page.goto(f"{workbench}/statistics")
    page.get_by_role("link", name="Jahresbericht exportieren").click()
    page.wait_for_url(f"{workbench}/reports/annual")

    def year_listed() -> bool:
        page.reload()
        return page.locator("#annual-reports th[scope=row]", has_text=year).count() == 1

    eventually(year_listed, timeout=30, what="the year counted by the statistics consumer")
    assert serious_violations(page) == []
    page.screenshot(path=screenshots / "annual-report.png", full_page=False)
    row = page.locator("#annual-reports tr", has_text=year)
    with page.expect_download() as download:
        row.locator("a[href$='.xlsx']").click()
    book = load_workbook(BytesIO(download.value.path().read_bytes()))
    summary = {row[0]: row[1] for row in book["Übersicht"].values}
    assert download.value.suggested_filename == f"jahresbericht-{year}-intern.xlsx" and summary["Fälle insgesamt"] == 1
    with page.expect_download() as download:
        row.locator("a[href$='.pdf?public=1']").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
