"""Reading the audit log page by page; reading it is itself logged."""

from datetime import datetime

from pydantic import BaseModel, Field

from triage.audit.log import Actor, AuditLog


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


async def audit_page(filters: dict[str, str], *, page: int, page_size: int, reader: Actor, audit: AuditLog) -> AuditPage:
    """A page of entries matching the filters; audited as one view of the log."""
    entries, total = await audit.page(filters=filters, skip=(page - 1) * page_size, limit=page_size)
    await audit.append(reader, "audit.view")
    items = [AuditEntry.model_validate({**entry, "id": entry["_id"]}) for entry in entries]
    return AuditPage(items=items, total=total, page=page, page_size=page_size)
