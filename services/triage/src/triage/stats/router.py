"""Staff API of the current, unsuppressed figures (leads only: they may show small counts)."""

from typing import Annotated

from fastapi import APIRouter, Path, Request

from triage.auth import require
from triage.staff.permissions import Permission
from triage.stats.schemas import MonthFiguresRead, MonthList
from triage.stats.service import current_counts

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"], dependencies=[require(Permission.STATS_READ)])

Month = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM (month of receipt).")]


@router.get("/months", summary="Months with counted reports")
async def list_months(request: Request) -> MonthList:
    """The months the read model has figures for, oldest first."""
    return MonthList(months=await request.app.state.statistics.repository.months())


@router.get("/monthly/{month}", summary="A month's unsuppressed figures")
async def get_month(month: Month, request: Request) -> MonthFiguresRead:
    """The current counts of one month, straight from the read model: not for publication."""
    counts = await current_counts(month, repository=request.app.state.statistics.repository)
    return MonthFiguresRead(month=counts.month, total=counts.total, tables=counts.tables)
