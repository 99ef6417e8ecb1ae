"""The public statistics page's content: charts and tables of the newest month and the 12 months before it.

Its words are in the site's gettext catalogs; the codes carry the labels the report form shows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.dates import format_date
from babel.support import NullTranslations
from markupsafe import Markup

from intake.site import labels
from intake.site.i18n import Language
from intake.site.labels import N_
from intake.statistics.charts import Bar, bar_chart, column_chart

HEADINGS = {
    "grounds": N_("By ground"),
    "forms": N_("By form"),
    "life_area": N_("By area of life"),
    "district": N_("By district"),
    "reporter_role": N_("By who reported"),
}
DIMENSIONS = tuple(HEADINGS)
CODE_LABELS: dict[str, dict[str, str]] = {
    "grounds": labels.GROUNDS,
    "forms": labels.FORMS,
    "life_area": labels.LIFE_AREAS,
    "district": labels.DISTRICTS,
    "reporter_role": labels.REPORTED_BY,
}


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


def code_label(dimension: str, code: str, gettext: Callable[[str], str]) -> str:
    """The label of a published code in the reader's language; a code the site has no label for is shown as it is."""
    if code == "not_stated":
        return gettext(labels.NOT_STATED)
    return gettext(CODE_LABELS[dimension].get(code, code))


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


def build_page(
    latest: dict[str, Any] | None, window: list[dict[str, Any]], language: Language, translations: NullTranslations
) -> dict[str, Any]:
    """Everything the template shows, in one language; `translations` is that language's catalog."""
    _ = translations.gettext
    rtl = language.direction == "rtl"
    if latest is None:
        return {"latest": None}
    total, trend = _("Reports in total"), _("The last 12 months")
    month_heads = [month_name(doc["month"], language.locale, "MMM y") for doc in window]
    ticks = _ticks(window, language.locale)
    published = [doc for doc in window if not doc.get("unpublished")]
    total_trend = column_chart(
        "trend-total",
        f"{total}: {trend}",
        [Bar(tick, None if doc.get("unpublished") else doc["total"]) for tick, doc in zip(ticks, window, strict=True)],
        rtl=rtl,
    )
    sections = []
    for dimension in DIMENSIONS:
        cells = latest["tables"][dimension]
        heading = _(HEADINGS[dimension])
        bars = [Bar(code_label(dimension, code, _), value) for code, value in cells.items()]
        hidden = latest["total"] is None
        codes = list(dict.fromkeys(code for doc in published for code in doc["tables"][dimension]))
        trend_codes = [c for c in codes if any(doc["tables"][dimension].get(c) != 0 for doc in published)]
        sections.append(
            Section(
                key=dimension,
                heading=heading,
                chart=None if hidden else bar_chart(f"chart-{dimension}", f"{heading} – {month_name(latest['month'], language.locale)}", bars, rtl=rtl),
                table=None if hidden else Table(f"{heading} – {month_name(latest['month'], language.locale)}", [_("Category"), _("Count")], [(bar.label, [shown(bar.value)]) for bar in bars]),
                trend_charts=[
                    (
                        code_label(dimension, code, _),
                        column_chart(
                            f"trend-{dimension}-{code}",
                            f"{code_label(dimension, code, _)}: {trend}",
                            [Bar(tick, _trend_number(doc, dimension, code)) for tick, doc in zip(ticks, window, strict=True)],
                            rtl=rtl,
                            plot=60,
                        ),
                    )
                    for code in trend_codes
                ],
                trend_table=Table(
                    f"{heading}: {trend}",
                    [_("Category"), *month_heads],
                    [(code_label(dimension, code, _), [_trend_value(doc, dimension, code) for doc in window]) for code in codes],
                ),
                multi_valued=dimension in ("grounds", "forms"),
            )
        )
    return {
        "latest": latest,
        "latest_name": month_name(latest["month"], language.locale),
        "total": shown(latest["total"]),
        "total_trend": total_trend,
        "total_table": Table(
            f"{total}: {trend}",
            [_("Month"), total],
            [(month_name(doc["month"], language.locale), [_trend_value(doc, None, None)]) for doc in window],
        ),
        "sections": sections,
    }
