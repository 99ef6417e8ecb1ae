"""HTTP edge of report submission."""

from fastapi import APIRouter, HTTPException, Request, status

from intake.reports.schemas import ReportCreate, ReportReceipt
from intake.reports.service import submit_report
from intake.throttling import client_address
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
async def create_report(report: ReportCreate, request: Request) -> ReportReceipt:
    """Accept a report; the receipt is returned only after Kafka has the report durably."""
    context = request.app.state.context
    if refusal := await context.submissions.attempt(client_address(request)):
        raise HTTPException(
            429,
            f"Too many reports from this connection. Please try again in {refusal.retry_after} seconds.",
            headers={"retry-after": str(refusal.retry_after)},
        )
    accepted = await submit_report(report, **context.submission())
    return ReportReceipt(report_id=accepted.report_id, receipt=accepted.receipt)
