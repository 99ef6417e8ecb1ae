"""The monthly statistics summary for the office: the published (suppressed) figures and where to find more."""

from email.message import EmailMessage

from meldestelle_shared.events import MonthlyStatisticsPublished
from meldestelle_shared.taxonomy import LABELS
from notify.messages import RULE
from notify.texts import OFFICE_LANGUAGES, office_text

TOP = 3


def _shown(value: int | None) -> str:
    return "." if value is None else str(value)


def _dimensions(tag: str) -> dict[str, str]:
    return {
        "grounds": office_text(tag, "Grounds"),
        "forms": office_text(tag, "Forms"),
        "life_area": office_text(tag, "Areas of life"),
        "district": office_text(tag, "Districts"),
        "reporter_role": office_text(tag, "Who reported"),
    }


def _top_lines(event: MonthlyStatisticsPublished, tag: str) -> list[str]:
    lines = []
    for dimension, name in _dimensions(tag).items():
        cells = event.tables.get(dimension, {})
        ranked = sorted(((value, code) for code, value in cells.items() if value), reverse=True)[:TOP]
        shown = ", ".join(f"{LABELS.get(code, {}).get(tag, code)} {value}" for value, code in ranked) or "–"
        lines.append(f"  {name}: {shown}")
    return lines


def _summary(event: MonthlyStatisticsPublished, tag: str, *, page: str, csv: str, workbench_url: str) -> str:
    return "\n".join(
        [
            office_text(tag, "The statistics for %(month)s are published.", month=event.month),
            office_text(tag, "Reports in total: %(total)s", total=_shown(event.total)),
            office_text(tag, "Largest published values:"),
            *_top_lines(event, tag),
            office_text(tag, '"." = suppressed (below %(threshold)s or derivable from it).', threshold=event.threshold),
            office_text(tag, "Public page: %(link)s", link=page),
            office_text(tag, "CSV: %(link)s", link=csv),
            office_text(tag, "Unsuppressed figures in the workbench: %(link)s", link=workbench_url.rstrip("/")),
            "",
        ]
    )


def statistics_summary_email(
    event: MonthlyStatisticsPublished, *, sender: str, recipient: str, public_url: str, workbench_url: str
) -> EmailMessage:
    """Tell the office a month was published: the total, the largest published cells, and links."""
    page = f"{public_url.rstrip('/')}/de/statistics/monthly"
    csv = f"{public_url.rstrip('/')}/api/v1/statistics/monthly/{event.month}.csv"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = " / ".join(office_text(tag, "Monthly statistics %(month)s published", month=event.month) for tag in OFFICE_LANGUAGES)
    message["Message-ID"] = f"<statistics-{event.month}@meldestelle.invalid>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(RULE.join(_summary(event, tag, page=page, csv=csv, workbench_url=workbench_url) for tag in OFFICE_LANGUAGES))
    return message
