"""The public statistics page's content: charts and tables of the newest month and the 12 months before it.

Its words are in the site's gettext catalogs; the codes carry neutral labels (`labels.STATISTICS_*`), not the
form's first-person wording. Tables whose every cell is withheld are said in one sentence instead.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
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
    "grounds": labels.STATISTICS_GROUNDS,
    "forms": labels.STATISTICS_FORMS,
    "life_area": labels.STATISTICS_LIFE_AREAS,
    "district": labels.STATISTICS_DISTRICTS,
    "reporter_role": labels.REPORTED_BY,
}
UNPUBLISHED = "–"  # a month without a publication: no figures at all, not hidden ones


@dataclass(frozen=True)
class Table:
    """The data behind a chart: a caption, column heads and rows of (label, values shown as text)."""

    caption: str
    heads: list[str]
    rows: list[tuple[str, list[str]]]

    @property
    def withheld(self) -> bool:
        """Whether no cell shows a number: the table is then said in one sentence instead of drawn."""
        return not any(value[:1].isdigit() for _, values in self.rows for value in values)


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


def next_publication(latest: str | None, today: date, *, publish_day: int) -> tuple[str, date]:
    """The month published next and the day it is due (office time): the month after the newest published
    one, or, when that is overdue or nothing is published yet, the month due next from today."""
    upcoming = today.replace(day=publish_day) if today.day <= publish_day else _first_of_next(today).replace(day=publish_day)
    if latest is not None:
        year, number = (int(part) for part in latest.split("-"))
        upcoming = max(upcoming, _first_of_next(_first_of_next(date(year, number, 1))).replace(day=publish_day))
    return f"{upcoming.replace(day=1) - timedelta(days=1):%Y-%m}", upcoming


def _first_of_next(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


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


def _trend_bar(tick: str, doc: dict[str, Any], dimension: str | None, code: str | None) -> Bar:
    if doc.get("unpublished"):
        return Bar(tick, None, published=False)
    value = doc["total"] if dimension is None else doc["tables"].get(dimension, {}).get(code)
    return Bar(tick, value)


def _trend_value(doc: dict[str, Any], dimension: str | None, code: str | None) -> str:
    if doc.get("unpublished"):
        return UNPUBLISHED
    if dimension is None:
        return shown(doc["total"])
    return shown(doc["tables"].get(dimension, {}).get(code))


def build_page(
    latest: dict[str, Any] | None,
    window: list[dict[str, Any]],
    language: Language,
    translations: NullTranslations,
    *,
    today: date,
    publish_day: int,
) -> dict[str, Any]:
    """Everything the template shows, in one language; `translations` is that language's catalog."""
    _ = translations.gettext
    rtl = language.direction == "rtl"
    upcoming_month, upcoming_day = next_publication(latest["month"] if latest else None, today, publish_day=publish_day)
    upcoming = {
        "month": month_name(upcoming_month, language.locale),
        "date": format_date(upcoming_day, format="long", locale=language.locale),
    }
    if latest is None:
        return {"latest": None, "upcoming": upcoming}
    total, trend = _("Reports in total"), _("The last 12 months")
    month_heads = [month_name(doc["month"], language.locale, "MMM y") for doc in window]
    ticks = _ticks(window, language.locale)
    published = [doc for doc in window if not doc.get("unpublished")]
    total_trend = column_chart(
        "trend-total", f"{total}: {trend}", [_trend_bar(tick, doc, None, None) for tick, doc in zip(ticks, window, strict=True)], rtl=rtl
    )
    latest_name = month_name(latest["month"], language.locale)
    sections = []
    for dimension in DIMENSIONS:
        cells = latest["tables"][dimension]
        heading = _(HEADINGS[dimension])
        bars = [Bar(code_label(dimension, code, _), value) for code, value in cells.items()]
        table = Table(f"{heading} – {latest_name}", [_("Category"), _("Count")], [(bar.label, [shown(bar.value)]) for bar in bars])
        hidden = latest["total"] is None or table.withheld
        codes = list(dict.fromkeys(code for doc in published for code in doc["tables"][dimension]))
        # Rows of zeros say nothing a reader would miss; a chart needs at least one number above zero.
        table_codes = [c for c in codes if any(doc["tables"][dimension].get(c) != 0 for doc in published)]
        chart_codes = [c for c in codes if any((doc["tables"][dimension].get(c) or 0) > 0 for doc in published)]
        sections.append(
            Section(
                key=dimension,
                heading=heading,
                chart=None if hidden else bar_chart(f"chart-{dimension}", f"{heading} – {latest_name}", bars, rtl=rtl),
                table=None if hidden else table,
                trend_charts=[
                    (
                        code_label(dimension, code, _),
                        column_chart(
                            f"trend-{dimension}-{code}",
                            f"{code_label(dimension, code, _)}: {trend}",
                            [_trend_bar(tick, doc, dimension, code) for tick, doc in zip(ticks, window, strict=True)],
                            rtl=rtl,
                            plot=60,
                        ),
                    )
                    for code in chart_codes
                ],
                trend_table=Table(
                    f"{heading}: {trend}",
                    [_("Category"), *month_heads],
                    [(code_label(dimension, code, _), [_trend_value(doc, dimension, code) for doc in window]) for code in table_codes],
                ),
                multi_valued=dimension in ("grounds", "forms"),
            )
        )
    return {
        "latest": latest,
        "latest_name": latest_name,
        "upcoming": upcoming,
        "total": shown(latest["total"]),
        "total_trend": total_trend,
        "total_table": Table(
            f"{total}: {trend}",
            [_("Month"), total],
            [(month_name(doc["month"], language.locale), [_trend_value(doc, None, None)]) for doc in window],
        ),
        "unpublished_months": len(window) - len(published),
        "sections": sections,
    }
