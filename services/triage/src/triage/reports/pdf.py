"""The annual report as a PDF for the office's Jahresbericht: a bar chart and a table per dimension (ReportLab, built-in fonts)."""

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from triage.reports.figures import YearFigures
from triage.reports.words import TITLES, label, shown, word

_TEXT = ParagraphStyle("text", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=6)
_HEAD = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=8)
_SECTION = ParagraphStyle("section", fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=10, spaceAfter=4)
_WIDTH = 165 * mm
_BAR = colors.HexColor("#2f5d8a")


def report_pdf(figures: YearFigures) -> bytes:
    """The year's figures typeset on A4: title, note, total, then a chart and a table per table."""
    buffer = BytesIO()
    title = word("public_title" if figures.public else "internal_title", year=figures.year)
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
        title=title, author="Meldestelle", creator="Meldestelle", invariant=True,
    )  # fmt: skip
    note = word("public_note", threshold=figures.threshold) if figures.public else word("internal_note")
    story = [Paragraph(escape(title), _HEAD), Paragraph(escape(note), _TEXT)]
    story.append(Paragraph(escape(f"{word('total')}: {shown(figures.total)} · {word('months')}: {', '.join(figures.months) or '–'}"), _TEXT))
    if figures.missing_months:
        story.append(Paragraph(escape(word("missing", months=", ".join(figures.missing_months))), _TEXT))
    for dimension, cells in figures.tables.items():
        story.append(_section(TITLES[dimension], cells))
    if figures.casework is not None:
        work = figures.casework
        story.append(_section(TITLES["level"], dict(work.level)))
        story.append(_section(TITLES["interventions"], {kind: sum(by.values()) for kind, by in work.interventions.items()}))
        outcomes: dict[str, int | None] = {}
        for by in work.interventions.values():
            for outcome, count in by.items():
                outcomes[outcome] = (outcomes.get(outcome) or 0) + count
        story.append(_section(TITLES["interventions"] + " – " + word("all"), outcomes))
        story.append(_section(TITLES["consultations"], dict(work.consultations), extra=work.minutes))
        story.append(_section(TITLES["referrals"], dict(work.referrals)))
    document.build(story)
    return buffer.getvalue()


def _section(title: str, cells: dict[str, int | None], *, extra: dict[str, int] | None = None) -> KeepTogether:
    """A heading, a horizontal bar chart of the shown counts ("." cells drawn as 0) and the table with "." kept."""
    header = [word("code"), word("count"), *([word("minutes")] if extra else [])]
    rows = [[label(code), shown(count), *([extra[code]] if extra else [])] for code, count in cells.items()]
    table = Table([header, *rows], colWidths=[95 * mm, 30 * mm, *([30 * mm] if extra else [])], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ]))  # fmt: skip
    return KeepTogether([Paragraph(escape(title), _SECTION), _chart(cells), Spacer(1, 3 * mm), table])


def _chart(cells: dict[str, int | None]) -> Drawing:
    names = [label(code) for code in cells]
    values = [count or 0 for count in cells.values()]
    height = max(40, 12 * len(values) + 20)
    drawing = Drawing(_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 75 * mm, 10, _WIDTH - 80 * mm, height - 20
    chart.data = [list(reversed(values)) or [0]]
    chart.categoryAxis.categoryNames = list(reversed(names)) or [""]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = "Helvetica", 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([*values, 1])
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = "Helvetica", 7
    chart.bars[0].fillColor = _BAR
    drawing.add(chart)
    return drawing
