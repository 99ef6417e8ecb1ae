"""The monthly statistics summary: sent to the office once per month, with published figures only."""

from datetime import UTC, datetime

from meldestelle_shared.events import MonthlyStatisticsPublished
from notify.statistics import statistics_summary_email

def march(total: int | None = 12) -> MonthlyStatisticsPublished:
    return MonthlyStatisticsPublished.for_month(
        "2026-03",
        total=total,
        tables={"grounds": {"racist_attribution": 9, "disability": None, "age": 0}, "district": {"mitte": None, "walsum": 7}},
        threshold=5,
        classification="note",
        generated_at=datetime(2026, 4, 5, tzinfo=UTC),
    )


def test_summary_lists_the_published_figures_and_never_a_suppressed_value():
    body = statistics_summary_email(march(), sender="s@x", recipient="office@x", public_url="http://site/", workbench_url="http://wb").get_content()
    assert "Meldungen insgesamt: 12" in body and "Reports in total: 12" in body
    assert "Rassistische Zuschreibung 9" in body and "Racist attribution 9" in body and "Walsum 7" in body
    assert "Disability" not in body and "Mitte" not in body  # suppressed cells are not listed
    assert "http://site/de/statistics/monthly" in body and "http://site/api/v1/statistics/monthly/2026-03.csv" in body


def test_a_hidden_month_says_so():
    body = statistics_summary_email(march(None), sender="s@x", recipient="o@x", public_url="http://site", workbench_url="http://wb").get_content()
    assert "Meldungen insgesamt: ." in body


async def test_the_office_gets_one_summary_per_month_however_often_it_is_published(notifier, outbox):
    await notifier.handle([march(), march()])
    await notifier.handle([march()])
    assert len(outbox) == 1 and outbox[0]["To"] == "office@x" and "2026-03" in outbox[0]["Subject"]
