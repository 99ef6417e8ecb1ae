"""The monthly statistics summary for the office: the published (suppressed) figures and where to find more."""

from email.message import EmailMessage

from meldestelle_shared.events import MonthlyStatisticsPublished
from meldestelle_shared.taxonomy import LABELS

_DIMENSIONS = {
    "grounds": ("Merkmale", "Grounds"),
    "forms": ("Formen", "Forms"),
    "life_area": ("Lebensbereiche", "Areas of life"),
    "district": ("Stadtbezirke", "Districts"),
    "reporter_role": ("Meldende", "Who reported"),
}
TOP = 3


def _shown(value: int | None) -> str:
    return "." if value is None else str(value)


def _top_lines(event: MonthlyStatisticsPublished, language: str) -> list[str]:
    lines = []
    for dimension, names in _DIMENSIONS.items():
        cells = event.tables.get(dimension, {})
        ranked = sorted(((value, code) for code, value in cells.items() if value), reverse=True)[:TOP]
        shown = ", ".join(f"{LABELS.get(code, {}).get(language, code)} {value}" for value, code in ranked) or "–"
        lines.append(f"  {names[0 if language == 'de' else 1]}: {shown}")
    return lines


def statistics_summary_email(
    event: MonthlyStatisticsPublished, *, sender: str, recipient: str, public_url: str, workbench_url: str
) -> EmailMessage:
    """Tell the office a month was published: the total, the largest published cells, and links."""
    page = f"{public_url.rstrip('/')}/de/statistics/monthly"
    csv = f"{public_url.rstrip('/')}/api/v1/statistics/monthly/{event.month}.csv"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = f"Monatsstatistik {event.month} veröffentlicht / Monthly statistics {event.month} published"
    message["Message-ID"] = f"<statistics-{event.month}@meldestelle.invalid>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        "\n".join(
            [
                f"Die Statistik für {event.month} ist veröffentlicht.",
                f"Meldungen insgesamt: {_shown(event.total)}",
                "Größte veröffentlichte Werte:",
                *_top_lines(event, "de"),
                f"„.“ = unterdrückt (unter {event.threshold} oder daraus berechenbar).",
                f"Öffentliche Seite: {page}",
                f"CSV: {csv}",
                f"Ungekürzte Zahlen im Arbeitsbereich: {workbench_url.rstrip('/')}",
                "",
                "---",
                f"The statistics for {event.month} are published.",
                f"Reports in total: {_shown(event.total)}",
                "Largest published values:",
                *_top_lines(event, "en"),
                f"\".\" = suppressed (below {event.threshold} or derivable from it).",
                f"Public page: {page}",
                f"CSV: {csv}",
                f"Unsuppressed figures in the workbench: {workbench_url.rstrip('/')}",
                "",
            ]
        )
    )
    return message
