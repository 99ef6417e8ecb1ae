"""Reading the audit log (leads). There is deliberately no route that writes, changes or deletes entries."""

from typing import Annotated

from fastapi import APIRouter, Query

from triage.audit.reading import AuditPage, audit_page
from triage.auth import Lead
from triage.bootstrap import Context
from triage.edge import API_ERROR_RESPONSES

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=API_ERROR_RESPONSES)


@router.get("", summary="The audit log, newest first (leads)")
async def read_audit(
    principal: Lead,
    context: Context,
    case_id: Annotated[str | None, Query(max_length=64)] = None,
    actor_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Annotated[str | None, Query(pattern="^(ok|refused)$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPage:
    """Filter by case, actor, action or outcome."""
    filters = {"case_id": case_id, "actor_id": actor_id, "action": action, "outcome": outcome}
    chosen = {k: v for k, v in filters.items() if v}
    return await audit_page(chosen, page=page, page_size=page_size, reader=principal.actor, audit=context.audit)
