"""Fetching a case for a principal (refusals audited) and presenting it as the API's CaseRead."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request

from meldestelle_shared.taxonomy import CaseStatus
from triage.auth import CurrentPrincipal, Principal, context_of
from triage.cases.jobs import first_response_due
from triage.cases.schemas import CaseRead
from triage.cases.workflow import allowed_next
from triage.errors import Forbidden, NotFound
from triage.staff.permissions import may_open_case


async def load_case(case_id: str, principal: Principal, request: Request) -> dict[str, Any]:
    """The case if it exists and the principal may open it; a malformed or unknown id is simply not found."""
    context = context_of(request)
    try:
        parsed = UUID(case_id)
    except ValueError:
        await context.audit.append(principal.actor, "case.access", outcome="refused", reason="malformed_case_id")
        raise NotFound("No case with this id.") from None
    case = await context.cases.get(parsed)
    if case is None:
        await context.audit.append(principal.actor, "case.access", case_id=str(parsed), outcome="refused", reason="unknown_case")
        raise NotFound("No case with this id.")
    if not may_open_case(principal.permissions, principal.id, case):
        await context.audit.append(principal.actor, "case.access", case_id=case["_id"], outcome="refused", reason="not_permitted")
        raise Forbidden("This case is assigned to someone else, or your role does not open cases.")
    return case


async def _current_case(case_id: str, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    return await load_case(case_id, principal, request)


CurrentCase = Annotated[dict[str, Any], Depends(_current_case)]


def case_read(opened: dict[str, Any], *, working_days: int) -> CaseRead:
    """The API view of an opened case."""
    status = CaseStatus(opened["status"])
    return CaseRead.model_validate(
        {
            **opened,
            "id": opened["_id"],
            "can_receive_messages": bool(opened.get("reporter_public_key")),
            "next_statuses": allowed_next(status),
            "duplicates": sorted(opened.get("duplicates", {}).values(), key=lambda hint: -hint["score"]),
            "deadlines": {
                "agg_deadline": opened.get("agg_deadline"),
                "first_response_due": first_response_due(opened["received_at"], working_days) if status is CaseStatus.NEW else None,
            },
        }
    )
