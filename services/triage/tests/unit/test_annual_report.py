"""The annual report's public year: never more than the published months show (property tests), and its files."""

from datetime import UTC, datetime
from io import BytesIO

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from triage.cases.values import Codes, ReporterAnswers, figures_of
from triage.reports.figures import YearFigures, casework_of_counts, public_year
from triage.reports.pdf import report_pdf
from triage.reports.workbook import workbook_bytes
from triage.stats.figures import DIMENSIONS, add_counts, contribution_of, month_counts, publication

YEAR = "2026"
NOW = datetime(2027, 1, 10, tzinfo=UTC)
GROUNDS, AREAS, DISTRICTS = ("age", "disability", "religion_or_belief"), ("work", "housing", None), ("walsum", "hamborn", None)

report = st.fixed_dictionaries({
    "grounds": st.lists(st.sampled_from(GROUNDS), max_size=2, unique=True),
    "life_area": st.sampled_from(AREAS),
    "district": st.sampled_from(DISTRICTS),
})  # fmt: skip
# Twelve months, each with few reports so that small cells (and hidden months) are common; None: not published (yet).
year_of_reports = st.lists(st.one_of(st.none(), st.lists(report, max_size=14)), min_size=12, max_size=12)


def published_months(months: list[list[dict] | None], threshold: int) -> list:
    """Each month's publication, made as the real publication job makes it, from the cells real cases contribute."""
    events = []
    for index, reports in enumerate(months, start=1):
        if reports is None:
            continue
        month, sums = f"{YEAR}-{index:02d}", {}
        for number, answers in enumerate(reports):
            reporter = ReporterAnswers(Codes(tuple(answers["grounds"]), (), answers["life_area"]), district=answers["district"])
            contribution = contribution_of(figures_of(f"{month}-{number}", month, reporter, None, None))
            add_counts(sums, ((cell, 1) for cell in contribution["cells"]))
        events.append(publication(month_counts(month, sums), threshold=threshold, now=NOW))
    return events


@settings(max_examples=300, deadline=None)
@given(months=year_of_reports, threshold=st.integers(min_value=3, max_value=6))
def test_no_public_yearly_cell_can_recover_a_suppressed_monthly_cell(months, threshold):
    published = published_months(months, threshold)
    year = public_year(YEAR, published)
    assert year.months == tuple(p.month for p in published)
    assert len(year.months) + len(year.missing_months) == 12
    # The yearly total: the sum of the shown monthly totals, or "." if any month hid its total (else it would be
    # the hidden month's total plus the shown ones).
    totals = [p.total for p in published]
    assert year.total == (None if None in totals else sum(totals))
    for dimension in DIMENSIONS:
        codes = {code for p in published for code in p.tables[dimension]}
        assert set(year.tables[dimension]) == codes
        for code in codes:
            monthly = [p.tables[dimension].get(code, 0) for p in published]
            if None in monthly:
                # Shown, the yearly cell minus the shown months would be the sum of the suppressed monthly cells,
                # which is the cell itself when one month hid it.
                assert year.tables[dimension][code] is None, (dimension, code)
            else:
                assert year.tables[dimension][code] == sum(monthly), (dimension, code)


@settings(max_examples=100, deadline=None)
@given(months=year_of_reports)
def test_the_public_year_is_a_function_of_the_published_months_alone(months):
    # Two offices whose published months are equal publish equal years, whatever lies behind the "." cells.
    published = published_months(months, 5)
    assert public_year(YEAR, published) == public_year(YEAR, [p.model_copy() for p in published])
    assert public_year(YEAR, published).casework is None  # casework is not in the monthly publications


def test_months_of_other_years_are_not_counted():
    january = publication(month_counts("2025-12", {"total": 9, "life_area:work": 9, "district:not_stated": 9,
                                                   "reporter_role:not_stated": 9, "grounds:age": 9, "forms:not_stated": 9}), threshold=5, now=NOW)  # fmt: skip
    year = public_year(YEAR, [january])
    assert year.months == () and year.total == 0 and year.missing_months[0] == "2026-01"


def test_the_files_carry_the_figures_and_dots_for_suppressed_cells():
    figures = YearFigures(
        year=YEAR, public=True, months=("2026-01",), total=None, tables={"life_area": {"work": None, "housing": 12}}, threshold=5,
    )  # fmt: skip
    book = load_workbook(BytesIO(workbook_bytes(figures)))
    rows = list(book["life_area"].values)
    assert ("Arbeitsleben", ".") in rows or any(row[1] == "." for row in rows[2:])
    assert any(row[1] == 12 for row in rows[2:])
    summary = list(book["Übersicht"].values)
    assert ("Fälle insgesamt", ".") in [tuple(row[:2]) for row in summary]
    internal = YearFigures(
        year=YEAR, public=False, months=("2026-01",), total=3, tables={"life_area": {"work": 3}},
        casework=casework_of_counts({"consultations:phone": 2, "minutes:phone": 50, "interventions:mediation:successful": 1}),
    )  # fmt: skip
    book = load_workbook(BytesIO(workbook_bytes(internal)))
    assert ("Telefon", 2, 50) in list(book["consultations"].values)
    assert report_pdf(internal).startswith(b"%PDF") and report_pdf(figures).startswith(b"%PDF")
