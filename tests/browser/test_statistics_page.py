"""A month with a few reports, from case events to the public page: suppression visible in the browser and the CSV.

triage's statistics feature and intake's run as they are wired in the services, over the session's real
Kafka and database; intake serves over real HTTP (uvicorn) to headless Chromium.
"""

import asyncio
import csv
import io
import threading
import time
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from uuid import UUID, uuid4

import httpx
import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from fastapi import FastAPI

from devstack.probes import eventually, run_async
from devstack.processes import free_port
from intake.statistics.router import router as statistics_router
from intake.site.i18n import load_translations
from intake.statistics.wiring import install_statistics as install_intake_statistics
from meldestelle_shared.events import CaseCreated
from meldestelle_shared.kafka import create_broker, publish_event
from meldestelle_shared.mongo import create_client
from meldestelle_shared.settings import KafkaSettings, MongoSettings
from meldestelle_shared.taxonomy import Priority
from meldestelle_shared.web import install_error_handlers
from triage.stats.publication import publish_due_months
from triage.stats.service import current_counts
from triage.stats.settings import StatisticsSettings
from triage.stats.wiring import install_statistics as install_triage_statistics

pytestmark = [pytest.mark.infra, pytest.mark.browser]


def case(district: str, grounds: list[str]) -> dict:
    return {
        "_id": str(uuid4()), "report_id": str(uuid4()), "received_month": "2026-03", "status": "new",
        "reporter": {"grounds": grounds, "forms": ["unequal_treatment"], "life_area": "housing", "district": district,
                     "reporter_role": "affected", "language": "de"},
    }  # fmt: skip


# Seven reports: six in Mitte, one in Süd (a 1 the total would reveal next to the 6, so both become ".").
CASES = [case("mitte", ["racist_attribution"]) for _ in range(6)] + [case("sued", ["disability"])]


async def publish_march(bootstrap: str, mongodb_uri: str, topics, database: str) -> None:
    """Store the cases in triage's database, announce them, let the read model count them, publish March."""
    broker = create_broker(KafkaSettings(bootstrap_servers=bootstrap), client_id="triage")
    client = create_client(MongoSettings(uri=mongodb_uri), app_name="triage")
    feature = install_triage_statistics(
        broker, client[database], topics=topics, consumer_group=database, settings=StatisticsSettings(check_interval_seconds=0)
    )
    await feature.start()
    await broker.start()
    try:
        await client[database]["cases"].insert_many([dict(c) for c in CASES])
        for c in CASES:
            event = CaseCreated.for_case(case_id=UUID(c["_id"]), report_id=UUID(c["report_id"]), reference="DU-2026-000001", priority=Priority.NORMAL)
            await publish_event(broker, topics.cases, event)
        deadline = time.monotonic() + 30
        while (await current_counts("2026-03", repository=feature.repository)).total != len(CASES):
            assert time.monotonic() < deadline, "the read model did not count the cases"
            await asyncio.sleep(0.2)
        published = await publish_due_months(
            repository=feature.repository, publish=feature.publish, settings=StatisticsSettings(), now=datetime(2026, 4, 10, tzinfo=UTC)
        )
        assert published == ["2026-03"]
    finally:
        await feature.stop()
        await broker.stop()
        await client.close()


def intake_app(bootstrap: str, mongodb_uri: str, topics, database: str) -> FastAPI:
    """intake's statistics feature, wired as intake's create_app wires it."""
    broker = create_broker(KafkaSettings(bootstrap_servers=bootstrap), client_id="intake")
    client = create_client(MongoSettings(uri=mongodb_uri), app_name="intake")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await broker.start()
        yield
        await broker.stop()
        await client.close()

    app = FastAPI(lifespan=lifespan)
    app.state.statistics = install_intake_statistics(broker, client[database], topics=topics, consumer_group=database)
    install_error_handlers(app)
    app.include_router(statistics_router)
    return app


@pytest.fixture
def intake_url(infrastructure, topics, unique_name):
    port = free_port()
    config = uvicorn.Config(
        intake_app(infrastructure.kafka.bootstrap_servers, infrastructure.mongodb_uri, topics, f"{unique_name}-intake"),
        host="127.0.0.1", port=port, access_log=False, log_level="warning",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    eventually(lambda: server.started, timeout=30, what="intake to start")
    yield url
    server.should_exit = True
    thread.join(timeout=15)


def test_a_small_month_is_published_with_suppression_on_the_page_and_in_the_csv(
    infrastructure, topics, unique_name, intake_url, browser, screenshots
):
    run_async(lambda: publish_march(infrastructure.kafka.bootstrap_servers, infrastructure.mongodb_uri, topics, f"{unique_name}-triage"))
    eventually(lambda: httpx.get(f"{intake_url}/api/v1/statistics/monthly/2026-03").status_code == 200, timeout=30, what="intake to store March")

    rows = list(csv.DictReader(io.StringIO(httpx.get(f"{intake_url}/api/v1/statistics/monthly/2026-03.csv").text)))
    value = {(row["dimension"], row["code"]): row["value"] for row in rows}
    assert value["total", "total"] == "7"
    assert value["district", "mitte"] == "." and value["district", "sued"] == "." and value["district", "walsum"] == "0"
    assert value["grounds", "racist_attribution"] == "6" and value["grounds", "disability"] == "."

    page = browser.new_page(viewport={"width": 360, "height": 740}, locale="de-DE")
    try:
        page.goto(f"{intake_url}/de/statistics/monthly")
        district_table = page.locator("#table-district")
        assert district_table.locator("tr", has_text="Mitte").locator("td").inner_text() == "."
        assert district_table.locator("tr", has_text="Walsum").locator("td").inner_text() == "0"
        assert page.locator("#table-grounds tr").filter(has_text=load_translations("de").gettext("Disability")).locator("td").inner_text() == "."
        assert "7" in page.locator(".total").inner_text()
        chart = page.locator("svg#chart-district")
        assert chart.get_attribute("role") == "img" and "Mitte: ." in chart.locator("desc").text_content()
        assert page.locator("#note-suppressed").is_visible()
        # Readable on a phone: nothing wider than the screen except the scrollable tables.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=screenshots / "statistics-de-phone.png", full_page=True)
        violations = Axe().run(page).response["violations"]
        assert [v["id"] for v in violations] == [], violations

        page.goto(f"{intake_url}/ar/statistics/monthly")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("#table-district tr", has_text="Mitte").locator("td").inner_text() == "."
        page.screenshot(path=screenshots / "statistics-ar-phone.png", full_page=True)
    finally:
        page.close()
