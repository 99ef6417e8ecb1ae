"""HTTP edge of report submission: JSON in, the receipt out; errors are mapped by intake.errors."""

from fastapi import APIRouter, status

from intake.bootstrap import ClientAddress, Context
from intake.reports.schemas import ReportCreate, ReportReceipt
from intake.reports.service import submit_report
from meldestelle_shared.web import ERROR_RESPONSES, ErrorBody

router = APIRouter(prefix="/api/v1", tags=["reports"])


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    summary="Submit a report anonymously",
    responses={
        **ERROR_RESPONSES,
        429: {"model": ErrorBody, "description": "This client sent too many reports; `Retry-After` says when it may again."},
        503: {"description": "Kafka did not take the report; it was not saved."},
    },
)
async def create_report(report: ReportCreate, context: Context, client: ClientAddress) -> ReportReceipt:
    """Accept a report; the receipt is returned only after Kafka has the report durably."""
    accepted = await submit_report(report, client=client, **context.submission())
    return ReportReceipt(report_id=accepted.report_id, receipt=accepted.receipt)
