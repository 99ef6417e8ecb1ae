"""The statistics outputs without I/O: charts state every value, CSV rows, the page in every language."""

import dataclasses
from csv import reader
from io import StringIO

import pytest

from intake.site.i18n import LANGUAGES, load_translations
from intake.statistics.charts import Bar, bar_chart, column_chart
from intake.statistics.csv_export import to_csv
from intake.statistics.service import months_back


def month(name: str, total: int | None = 12) -> dict:
    return {
        "month": name, "total": total, "threshold": 5, "classification": "note", "generated_at": "2026-04-05T00:00:00Z",
        "tables": {
            "grounds": {"racist_attribution": 9, "disability": None, "age": 0},
            "forms": {"threat": 12}, "life_area": {"housing": 12},
            "district": {"mitte": None, "sued": None, "walsum": 7}, "reporter_role": {"affected": 12},
        },
    }  # fmt: skip


def test_a_suppressed_bar_has_no_length_and_the_description_names_every_value():
    svg = bar_chart("c", "Districts", [Bar("Mitte", None), Bar("Walsum", 7)])
    assert 'role="img"' in svg and 'aria-labelledby="c-title c-desc"' in svg
    assert "<desc id=\"c-desc\">Mitte: .; Walsum: 7</desc>" in svg
    assert svg.count('class="suppressed"') == 1 and svg.count('class="bar"') == 1


def test_labels_are_escaped_and_right_to_left_charts_are_mirrored():
    svg = bar_chart("c", "<t>", [Bar("<script>", 3)], rtl=True)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    # The chart says it is right to left, so its texts' start (where they are anchored) is their right end.
    assert 'direction="rtl"' in svg and '<text x="360" y="16.0" text-anchor="start" class="label">' in svg
    assert 'direction="ltr"' in bar_chart("c", "t", [Bar("a", 3)])
    columns = column_chart("t", "Trend", [Bar("1/26", 1), Bar("2/26", 2)], rtl=True)
    assert columns.index(">2/26<") < columns.index(">1/26<")


def test_csv_has_one_row_per_cell_with_dots_for_suppressed_values():
    rows = list(reader(StringIO(to_csv([month("2026-03")]))))
    assert rows[0] == ["month", "dimension", "code", "value", "note"]
    assert rows[1] == ["2026-03", "total", "total", "12", "note"]
    assert ["2026-03", "grounds", "age", "0", ""] in rows
    [mitte] = [row for row in rows if row[2] == "mitte"]
    assert mitte[3] == "." and mitte[4].startswith("suppressed: below 5")
    assert len(rows) == 1 + 1 + 3 + 1 + 1 + 3 + 1


def test_a_hidden_month_shows_a_dot_for_its_total():
    rows = list(reader(StringIO(to_csv([month("2026-02", total=None)]))))
    assert rows[1][:4] == ["2026-02", "total", "total", "."]


def test_trend_window_months_cross_the_year():
    assert months_back("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]


class MemoryStatistics:
    """The published months' repository, in memory: what the page reads."""

    def __init__(self, *months: dict) -> None:
        self.months = {doc["month"]: doc for doc in months}

    async def newest(self, limit: int) -> list[dict]:
        return [self.months[m] for m in sorted(self.months, reverse=True)[:limit]]


def publish(client, statistics: MemoryStatistics) -> None:
    """Let the app read its published months from `statistics`."""
    client.app.state.context = dataclasses.replace(client.app.state.context, statistics=statistics)


@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_the_page_is_a_site_page_in_every_site_language(client, tag):
    publish(client, MemoryStatistics(month("2026-02", total=None), month("2026-03")))
    html = client.get(f"/{tag}/statistics/monthly").text
    gettext = load_translations(tag).gettext
    assert f'lang="{tag}" dir="{LANGUAGES[tag].direction}"' in html
    assert f"<h1 tabindex=\"-1\">{gettext('Statistics: reports per month')}</h1>" in html
    # The site's header, language switcher and footer, and the page's own stylesheet on top of the site's.
    assert 'class="site-header"' in html and 'href="/en/statistics/monthly" lang="en"' in html and 'class="site-footer"' in html
    assert '<link rel="stylesheet" href="/static/statistics.css">' in html
    # Code labels are the report form's, from the same catalog.
    assert gettext("Disability") in html and gettext("Buses and trains") not in html and gettext("Housing or looking for a flat") in html
    assert "<svg" in html and 'id="table-district"' in html and 'id="note-suppressed"' in html


def test_the_explanation_of_a_dot_is_escaped_in_its_tooltip(client):
    publish(client, MemoryStatistics(month("2026-03")))
    html = client.get("/en/statistics/monthly").text
    assert '<abbr title="&#34;.&#34; = number withheld: it is below 5 or would reveal a small number.' in html


def test_without_a_published_month_the_page_says_so(client):
    publish(client, MemoryStatistics())
    html = client.get("/de/statistics/monthly").text
    assert "Es sind noch keine Monate veröffentlicht." in html and "<svg" not in html


def test_every_site_page_links_to_the_statistics(client):
    assert '<a href="/tr/statistics/monthly">İstatistik</a>' in client.get("/tr/").text
