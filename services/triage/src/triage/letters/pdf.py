"""A letter as a PDF: A4, the office's letterhead, typeset paragraphs; ReportLab's built-in Helvetica, nothing fetched."""

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

from triage.letters.templates import RenderedLetter

_TEXT = ParagraphStyle("text", fontName="Helvetica", fontSize=11, leading=15, spaceAfter=8)
_HEAD = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=13, leading=17)
_SMALL = ParagraphStyle("small", fontName="Helvetica", fontSize=8.5, leading=11)
_SUBJECT = ParagraphStyle("subject", parent=_TEXT, fontName="Helvetica-Bold", spaceBefore=6, spaceAfter=12)


@dataclass(frozen=True)
class Letterhead:
    """What the head of every letter shows."""

    name: str
    address_lines: tuple[str, ...]
    contact_lines: tuple[str, ...]
    city: str


def letter_pdf(letter: RenderedLetter, *, letterhead: Letterhead, recipient: str, date_line: str, title: str) -> bytes:
    """The letter typeset on A4; every text is escaped, since ReportLab reads paragraphs as markup."""
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
        title=title, author=letterhead.name, creator="Meldestelle", invariant=True,
    )  # fmt: skip
    story = [
        Paragraph(_lines([letterhead.name]), _HEAD),
        Paragraph(_lines([*letterhead.address_lines, *letterhead.contact_lines]), _SMALL),
        HRFlowable(width="100%", thickness=0.5, spaceBefore=4, spaceAfter=14),
        Paragraph(_lines(recipient.splitlines()), _TEXT) if recipient.strip() else Spacer(1, 1),
        Spacer(1, 10 * mm),
        Paragraph(escape(date_line), ParagraphStyle("date", parent=_TEXT, alignment=2)),
        Paragraph(escape(letter.subject), _SUBJECT),
        *(Paragraph(_lines(paragraph.splitlines()), _TEXT) for paragraph in _paragraphs(letter.body)),
    ]
    document.build(story)
    return buffer.getvalue()


def _paragraphs(text: str) -> list[str]:
    # A blank line starts a new paragraph; single line breaks stay line breaks.
    return [part.strip("\n") for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


def _lines(lines: list[str] | tuple[str, ...]) -> str:
    return "<br/>".join(escape(line) for line in lines)
