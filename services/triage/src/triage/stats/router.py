"""Staff API of the current, unsuppressed figures (leads only: they may show small counts)."""

from fastapi import APIRouter

from meldestelle_shared.web import Month
from triage.auth import require
from triage.bootstrap import Context
from triage.staff.permissions import Permission
from triage.stats.schemas import MonthFiguresRead, MonthList
from triage.stats.service import current_counts

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"], dependencies=[require(Permission.STATS_READ)])


@router.get("/months", summary="Months with counted reports")
async def list_months(context: Context) -> MonthList:
    """The months the read model has figures for, oldest first."""
    return MonthList(months=await context.statistics.repository.months())


@router.get("/monthly/{month}", summary="A month's unsuppressed figures")
async def get_month(month: Month, context: Context) -> MonthFiguresRead:
    """The current counts of one month, straight from the read model: not for publication."""
    counts = await current_counts(month, repository=context.statistics.repository)
    return MonthFiguresRead(month=counts.month, total=counts.total, tables=counts.tables)
