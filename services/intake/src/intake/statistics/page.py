"""The public statistics page's content: charts and tables of the newest month and the 12 months before it."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.dates import format_date
from markupsafe import Markup

from intake.site.i18n import Language
from intake.statistics.charts import Bar, bar_chart, column_chart
from intake.statistics.texts import code_label, text

DIMENSIONS = ("grounds", "forms", "life_area", "district", "reporter_role")


@dataclass(frozen=True)
class Table:
    """The data behind a chart: a caption, column heads and rows of (label, values shown as text)."""

    caption: str
    heads: list[str]
    rows: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class Section:
    """One dimension: the newest month's chart and table, and the 12-month trend."""

    key: str
    heading: str
    chart: Markup | None
    table: Table | None
    trend_charts: list[tuple[str, Markup]] = field(default_factory=list)  # (code label, chart)
    trend_table: Table | None = None
    multi_valued: bool = False


def shown(value: int | None) -> str:
    """A published value as text: "." when suppressed."""
    return "." if value is None else str(value)


def month_name(month: str, locale: str, pattern: str = "MMMM y") -> str:
    """A YYYY-MM month in the reader's language, e.g. "März 2026"."""
    year, number = (int(part) for part in month.split("-"))
    return format_date(date(year, number, 1), pattern, locale=locale)


def _ticks(window: list[dict[str, Any]], locale: str) -> list[str]:
    """Short axis labels: the year only where it starts and at January, so 12 columns fit a phone."""
    return [
        month_name(doc["month"], locale, "M/yy" if index == 0 or doc["month"].endswith("-01") else "M")
        for index, doc in enumerate(window)
    ]


def _trend_number(doc: dict[str, Any], dimension: str, code: str) -> int | None:
    return None if doc.get("unpublished") else doc["tables"][dimension].get(code)


def _trend_value(doc: dict[str, Any], dimension: str | None, code: str | None) -> str:
    if doc.get("unpublished"):
        return "–"
    if dimension is None:
        return shown(doc["total"])
    return shown(doc["tables"].get(dimension, {}).get(code))


def build_page(latest: dict[str, Any] | None, window: list[dict[str, Any]], language: Language) -> dict[str, Any]:
    """Everything the template shows, in one language."""
    tag, rtl = language.tag, language.direction == "rtl"
    if latest is None:
        return {"latest": None}
    month_heads = [month_name(doc["month"], language.locale, "MMM y") for doc in window]
    ticks = _ticks(window, language.locale)
    published = [doc for doc in window if not doc.get("unpublished")]
    total_trend = column_chart(
        "trend-total",
        f"{text('total', tag)}: {text('trend', tag)}",
        [Bar(tick, None if doc.get("unpublished") else doc["total"]) for tick, doc in zip(ticks, window, strict=True)],
        rtl=rtl,
    )
    sections = []
    for dimension in DIMENSIONS:
        cells = latest["tables"][dimension]
        heading = text(dimension, tag)
        bars = [Bar(code_label(dimension, code, tag), value) for code, value in cells.items()]
        hidden = latest["total"] is None
        codes = list(dict.fromkeys(code for doc in published for code in doc["tables"][dimension]))
        trend_codes = [c for c in codes if any(doc["tables"][dimension].get(c) != 0 for doc in published)]
        sections.append(
            Section(
                key=dimension,
                heading=heading,
                chart=None if hidden else bar_chart(f"chart-{dimension}", f"{heading} – {month_name(latest['month'], language.locale)}", bars, rtl=rtl),
                table=None if hidden else Table(f"{heading} – {month_name(latest['month'], language.locale)}", [text("category", tag), text("count", tag)], [(bar.label, [shown(bar.value)]) for bar in bars]),
                trend_charts=[
                    (
                        code_label(dimension, code, tag),
                        column_chart(
                            f"trend-{dimension}-{code}",
                            f"{code_label(dimension, code, tag)}: {text('trend', tag)}",
                            [Bar(tick, _trend_number(doc, dimension, code)) for tick, doc in zip(ticks, window, strict=True)],
                            rtl=rtl,
                            plot=60,
                        ),
                    )
                    for code in trend_codes
                ],
                trend_table=Table(
                    f"{heading}: {text('trend', tag)}",
                    [text("category", tag), *month_heads],
                    [(code_label(dimension, code, tag), [_trend_value(doc, dimension, code) for doc in window]) for code in codes],
                ),
                multi_valued=dimension in ("grounds", "forms"),
            )
        )
    return {
        "latest": latest,
        "latest_name": month_name(latest["month"], language.locale),
        "total_trend": total_trend,
        "total_table": Table(
            f"{text('total', tag)}: {text('trend', tag)}",
            [text("month", tag), text("total", tag)],
            [(month_name(doc["month"], language.locale), [_trend_value(doc, None, None)]) for doc in window],
        ),
        "sections": sections,
    }
