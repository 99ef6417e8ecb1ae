"""HTTP edge of the staff case API."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, status

from triage.auth import Authenticated
from triage.cases.schemas import CasePage, CaseRead, CaseSummary
from triage.cases.service import CaseNotFound, read_case

router = APIRouter(prefix="/api/v1/cases", tags=["cases"], dependencies=[Authenticated])


@router.get("", summary="The case queue, newest first")
async def list_cases(
    request: Request,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 25,
) -> CasePage:
    """List cases without opening anything sealed."""
    repository = request.app.state.context.cases
    cases, total = await repository.page(skip=(page - 1) * page_size, limit=page_size)
    items = [CaseSummary.model_validate({**case, "id": case["_id"]}) for case in cases]
    return CasePage(items=items, total=total, page=page, page_size=page_size)


@router.get("/{case_id}", summary="One case, its description opened")
async def get_case(case_id: UUID, request: Request) -> CaseRead:
    """Read one case; the description is opened for this response only."""
    context = request.app.state.context
    try:
        case = await read_case(case_id, repository=context.cases, office_key=context.office_key)
    except CaseNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No case with this id.") from None
    return CaseRead.model_validate({**case, "id": case["_id"]})
