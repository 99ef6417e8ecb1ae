"""Leads export a year: `GET /api/v1/reports/annual/{year}.xlsx|.pdf` (`?public=1` for the public version), and the workbench page."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from triage.auth import Statistician
from triage.bootstrap import Context
from triage.reports.figures import YearFigures, internal_year, public_year_of
from triage.reports.pdf import report_pdf
from triage.reports.workbook import XLSX, workbook_bytes
from triage.workbench.pages import render

Year = Annotated[str, Path(pattern=r"^(19|20)\d{2}$", description="The calendar year (office time), YYYY.", examples=["2026"])]
Public = Annotated[bool, Query(description="1: the public version, suppressed like the monthly figures; 0: internal, unsuppressed.")]

api = APIRouter(prefix="/api/v1/reports/annual", tags=["reports"])
pages = APIRouter(include_in_schema=False)


async def _figures(year: str, public: bool, context: Context) -> YearFigures:
    repository = context.statistics.repository
    return await public_year_of(year, repository=repository) if public else await internal_year(year, repository=repository)


async def _export(principal: Statistician, context: Context, year: str, public: bool, kind: str) -> Response:
    figures = await _figures(year, public, context)
    version = "public" if public else "internal"
    # Every export is audited, the public one too: the internal one holds small counts.
    await context.audit.append(principal.actor, "report.annual_export", reason=f"year:{year};format:{kind};version:{version}")
    body, media = (workbook_bytes(figures), XLSX) if kind == "xlsx" else (report_pdf(figures), "application/pdf")
    name = f"jahresbericht-{year}-{'oeffentlich' if public else 'intern'}.{kind}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@api.get("/{year}.xlsx", summary="A year's figures as an XLSX workbook (leads)", response_class=Response)
async def annual_workbook(principal: Statistician, context: Context, year: Year, public: Public = False) -> Response:
    """The internal (unsuppressed) or public workbook of a year; audited."""
    return await _export(principal, context, year, public, "xlsx")


@api.get("/{year}.pdf", summary="A year's figures as a PDF with charts (leads)", response_class=Response)
async def annual_pdf(principal: Statistician, context: Context, year: Year, public: Public = False) -> Response:
    """The internal (unsuppressed) or public PDF of a year, for the office's Jahresbericht; audited."""
    return await _export(principal, context, year, public, "pdf")


@pages.get("/reports/annual")
async def annual_page(principal: Statistician, request: Request, context: Context) -> Response:
    """The export page: one row per year with figures, each with its four downloads."""
    years = sorted({month[:4] for month in await context.statistics.repository.months()}, reverse=True)
    return render(request, "annual_report.html", principal=principal, years=years)
