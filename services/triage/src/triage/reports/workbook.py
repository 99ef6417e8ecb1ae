"""The annual report as an XLSX workbook (openpyxl): a sheet per table; the public one writes "." where a cell is suppressed."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from triage.reports.figures import YearFigures
from triage.reports.words import TITLES, label, shown, word

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(figures: YearFigures) -> bytes:
    """The workbook of a year's figures."""
    book = Workbook()
    summary = book.active
    summary.title = word("summary")
    title = word("public_title" if figures.public else "internal_title", year=figures.year)
    _rows(summary, [[title]], bold=True)
    note = word("public_note", threshold=figures.threshold) if figures.public else word("internal_note")
    _rows(summary, [[note], [word("months"), ", ".join(figures.months) or "–"], [word("total"), shown(figures.total)]])
    if figures.missing_months:
        _rows(summary, [[word("missing", months=", ".join(figures.missing_months))]])
    for dimension, cells in figures.tables.items():
        sheet = book.create_sheet(_sheet_name(dimension))
        _rows(sheet, [[TITLES[dimension]], [word("code"), word("count")]], bold=True)
        _rows(sheet, [[label(code), shown(count)] for code, count in cells.items()])
    if figures.casework is not None:
        work = figures.casework
        sheet = book.create_sheet(_sheet_name("level"))
        _rows(sheet, [[TITLES["level"]], [word("code"), word("count")]], bold=True)
        _rows(sheet, [[label(code), count] for code, count in work.level.items()])
        outcomes = list(next(iter(work.interventions.values())))
        sheet = book.create_sheet(_sheet_name("interventions"))
        _rows(sheet, [[TITLES["interventions"]], [word("code"), *(label(o) for o in outcomes), word("all")]], bold=True)
        _rows(sheet, [[label(kind), *by.values(), sum(by.values())] for kind, by in work.interventions.items()])
        sheet = book.create_sheet(_sheet_name("consultations"))
        _rows(sheet, [[TITLES["consultations"]], [word("code"), word("contacts"), word("minutes")]], bold=True)
        _rows(sheet, [[label(channel), count, work.minutes[channel]] for channel, count in work.consultations.items()])
        _rows(sheet, [[word("all"), sum(work.consultations.values()), sum(work.minutes.values())]])
        sheet = book.create_sheet(_sheet_name("referrals"))
        _rows(sheet, [[TITLES["referrals"]], [word("code"), word("count")]], bold=True)
        _rows(sheet, [[label(state), count] for state, count in work.referrals.items()])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(key: str) -> str:
    # Sheet names are the stable codes (a reader's formulas refer to them); the titles inside are German.
    return key[:31]


def _rows(sheet: Worksheet, rows: list[list[object]], *, bold: bool = False) -> None:
    for row in rows:
        sheet.append(row)
        if bold:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
