"""Reading the audit log (leads). There is deliberately no route that writes, changes or deletes entries."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from triage.auth import Principal, context_of, require
from triage.errors import API_ERROR_RESPONSES
from triage.staff.permissions import Permission

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=API_ERROR_RESPONSES)
Lead = Annotated[Principal, require(Permission.AUDIT_READ)]


class AuditEntry(BaseModel):
    """Who did what, when, to which case, and whether it was allowed."""

    id: str
    at: datetime
    actor_kind: str = Field(description="staff, api_token, system or anonymous.")
    actor_id: str | None
    action: str = Field(description="e.g. login, case.view, case.status, case.export.")
    case_id: str | None
    outcome: str = Field(description="ok or refused.")
    reason: str | None


class AuditPage(BaseModel):
    """A page of the audit log, newest first."""

    items: list[AuditEntry]
    total: int
    page: int
    page_size: int


async def audit_page(request: Request, principal: Principal, *, filters: dict[str, str], page: int, page_size: int) -> AuditPage:
    """A page of entries; reading the log is itself logged."""
    context = context_of(request)
    entries, total = await context.audit.page(filters=filters, skip=(page - 1) * page_size, limit=page_size)
    await context.audit.append(principal.actor, "audit.view")
    items = [AuditEntry.model_validate({**entry, "id": entry["_id"]}) for entry in entries]
    return AuditPage(items=items, total=total, page=page, page_size=page_size)


@router.get("", summary="The audit log, newest first (leads)")
async def read_audit(
    principal: Lead,
    request: Request,
    case_id: Annotated[str | None, Query(max_length=64)] = None,
    actor_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Annotated[str | None, Query(pattern="^(ok|refused)$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPage:
    """Filter by case, actor, action or outcome."""
    filters = {"case_id": case_id, "actor_id": actor_id, "action": action, "outcome": outcome}
    return await audit_page(request, principal, filters={k: v for k, v in filters.items() if v}, page=page, page_size=page_size)
