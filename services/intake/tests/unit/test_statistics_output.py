"""The statistics outputs without I/O: charts state every value, CSV rows, the page in every language."""

from csv import reader
from io import StringIO

import pytest

from intake.site.i18n import LANGUAGES
from intake.statistics.charts import Bar, bar_chart, column_chart
from intake.statistics.csv_export import to_csv
from intake.statistics.page import build_page
from intake.statistics.rendering import render_page
from intake.statistics.service import months_back
from intake.statistics.texts import TEXTS


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
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'text-anchor="end"' in svg
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


@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_the_page_renders_in_every_site_language(tag):
    language = LANGUAGES[tag]
    window = [{"month": m, "unpublished": True} for m in months_back("2026-02", 11)] + [month("2026-03")]
    html = render_page(language, build_page(month("2026-03"), window, language))
    assert f'lang="{tag}" dir="{language.direction}"' in html
    assert TEXTS["title"][tag] in html.replace("&#34;", '"') and "<svg" in html and 'id="table-district"' in html


def test_every_text_exists_in_every_language():
    assert all(set(LANGUAGES) <= set(wordings) for wordings in TEXTS.values())
