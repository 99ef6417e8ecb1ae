"""HTTP edge of the public statistics: the page, the JSON API and the CSV downloads; errors are mapped by intake.errors."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from intake.bootstrap import Context
from intake.site.web import SiteLanguage
from intake.statistics.csv_export import to_csv
from intake.statistics.page import build_page
from intake.statistics.schemas import MonthlyStatistics, MonthlyStatisticsList
from intake.statistics.service import published_month, trend_window
from meldestelle_shared.settings import office_today
from meldestelle_shared.web import ErrorBody, Month

router = APIRouter(tags=["statistics"])

Limit = Annotated[int, Query(ge=1, le=120, description="How many months, newest first.")]
NOT_PUBLISHED = {404: {"model": ErrorBody, "description": "The month is not published (yet)."}}
CSV_RESPONSE = {"content": {"text/csv": {}}, "description": "month,dimension,code,value,note; '.' = suppressed."}


@router.get("/api/v1/statistics/monthly", summary="Published months (open data, JSON)")
async def list_months(context: Context, limit: Limit = 12) -> MonthlyStatisticsList:
    """The newest published months; suppressed values are null."""
    return MonthlyStatisticsList(items=await context.statistics.newest(limit))


@router.get("/api/v1/statistics/monthly.csv", summary="Published months (open data, CSV)", response_class=Response, responses={200: CSV_RESPONSE})
async def list_months_csv(context: Context, limit: Limit = 12) -> Response:
    """The newest published months as CSV."""
    return _csv(to_csv(await context.statistics.newest(limit)), "statistics-monthly.csv")


@router.get("/api/v1/statistics/monthly/{month}.csv", summary="One published month (CSV)", response_class=Response,
            responses={200: CSV_RESPONSE, **NOT_PUBLISHED})  # fmt: skip
async def month_csv(month: Month, context: Context) -> Response:
    """One published month as CSV, or 404 if it is not published."""
    return _csv(to_csv([await published_month(month, repository=context.statistics)]), f"statistics-{month}.csv")


@router.get("/api/v1/statistics/monthly/{month}", summary="One published month (JSON)", responses=NOT_PUBLISHED)
async def get_month(month: Month, context: Context) -> MonthlyStatistics:
    """One published month, or 404 if it is not published."""
    return MonthlyStatistics.model_validate(await published_month(month, repository=context.statistics))


@router.get("/{lang}/statistics/monthly", include_in_schema=False)
async def statistics_page(language: SiteLanguage, request: Request, context: Context) -> HTMLResponse:
    """The public page: the newest month and 12-month trends, each chart with its table."""
    pages, settings = context.pages, context.settings
    window = await trend_window(repository=context.statistics)  # ends with the newest published month
    statistics = build_page(
        window[-1] if window else None,
        window,
        language,
        pages.translations(language),
        today=office_today(settings.office),
        publish_day=settings.site.statistics_publish_day,
    )
    return pages.render(request, language, "statistics.html", page="/statistics/monthly", statistics=statistics)


def _csv(body: str, filename: str) -> Response:
    return Response(body, media_type="text/csv; charset=utf-8", headers={"content-disposition": f'attachment; filename="{filename}"'})
