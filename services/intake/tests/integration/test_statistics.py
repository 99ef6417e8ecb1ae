"""intake's statistics against real Kafka and the real database: published months in, JSON, CSV and page out."""

from csv import DictReader
from io import StringIO
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from devstack.probes import eventually, publish_raw
from intake.app import create_app
from intake.site.i18n import LANGUAGES
from meldestelle_shared.events import MonthlyStatisticsPublished, encode_event

pytestmark = pytest.mark.infra


def published(month: str, *, total: int | None = 12, racism: int | None = 9, disability: int | None = None) -> MonthlyStatisticsPublished:
    hidden = total is None
    return MonthlyStatisticsPublished.for_month(
        month,
        total=total,
        tables={
            "grounds": {"racist_attribution": None if hidden else racism, "disability": None if hidden else disability, "age": None if hidden else 0},
            "forms": {"threat": None if hidden else total},
            "life_area": {"housing": None if hidden else total},
            "district": {"mitte": None, "sued": None} if hidden else {"mitte": None, "sued": None, "walsum": total},
            "reporter_role": {"affected": None if hidden else total},
        },
        threshold=5,
        classification="Reporter's answers until staff classify.",
        generated_at=datetime(2026, 4, 5, tzinfo=UTC),
    )


@pytest.fixture
def client(live_settings):
    """The whole intake application on this test's topics and database."""
    with TestClient(create_app(live_settings)) as client:
        yield client


def publish(infrastructure, topics, *events: MonthlyStatisticsPublished) -> None:
    publish_raw(infrastructure.kafka.admin, topics.statistics, [(e.partition_key(), encode_event(e)) for e in events])


def test_published_months_are_served_as_json_csv_and_page(client, infrastructure, topics):
    march, february = published("2026-03"), published("2026-02", total=None)
    publish(infrastructure, topics, february, march, march)  # the repeat must not make a second month
    eventually(lambda: client.get("/api/v1/statistics/monthly/2026-03").status_code == 200, timeout=20, what="March")

    listing = client.get("/api/v1/statistics/monthly").json()["items"]
    assert [month["month"] for month in listing] == ["2026-03", "2026-02"]
    body = client.get("/api/v1/statistics/monthly/2026-03").json()
    assert body["total"] == 12 and body["tables"]["grounds"] == {"racist_attribution": 9, "disability": None, "age": 0}
    assert body["threshold"] == 5 and body["classification"].startswith("Reporter's answers")
    assert client.get("/api/v1/statistics/monthly/2026-02").json()["total"] is None

    csv = client.get("/api/v1/statistics/monthly/2026-03.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "month,dimension,code,value,note"
    rows = {(row["dimension"], row["code"]): row for row in DictReader(StringIO(csv.text))}
    assert rows["grounds", "racist_attribution"]["value"] == "9" and rows["grounds", "age"]["value"] == "0"
    assert rows["grounds", "disability"]["value"] == "." and rows["grounds", "disability"]["note"].startswith("suppressed")
    assert rows["total", "total"]["value"] == "12" and rows["total", "total"]["note"].startswith("Reporter's answers")

    for tag in LANGUAGES:
        page = client.get(f"/{tag}/statistics/monthly")
        assert page.status_code == 200 and f'lang="{tag}"' in page.text and "<svg" in page.text


def test_months_not_published_are_404_with_a_reason_and_bad_months_422(client):
    missing = client.get("/api/v1/statistics/monthly/2031-01")
    assert missing.status_code == 404 and missing.json()["error"] == "not_published"
    assert "2031-01" in missing.json()["message"]
    assert client.get("/api/v1/statistics/monthly/2031-01.csv").status_code == 404
    bad = client.get("/api/v1/statistics/monthly/2026-13")
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "month"
    assert client.get("/api/v1/statistics/monthly?limit=0").json()["fields"][0]["field"] == "limit"
    assert client.get("/xx/statistics/monthly").status_code == 404
    assert client.get("/api/v1/statistics/monthly").json() == {"items": []}
