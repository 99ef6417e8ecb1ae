"""HTTP edge of the case API: the same operations as the workbench, as JSON (staff session or API token)."""

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from triage.auth import Exporter, Reader, Reopener, Worker
from triage.bootstrap import Context
from triage.cases import actions
from triage.cases.access import CurrentCase, case_read, case_summary, load_case
from triage.cases.listing import export_csv, queue_page
from triage.cases.queue import CaseQuery
from triage.cases.schemas import (
    Assignment,
    CasePage,
    CaseRead,
    CaseSummary,
    ClassificationUpdate,
    Closing,
    DuplicateDecision,
    MessageCreated,
    NoteCreated,
    StatusChange,
    TextBody,
)
from triage.edge import API_ERROR_RESPONSES
from triage.staff.permissions import Permission

router = APIRouter(prefix="/api/v1/cases", tags=["cases"], responses=API_ERROR_RESPONSES)


@router.get("", summary="The case queue, filtered, sorted and paged")
async def list_cases(principal: Reader, context: Context, query: Annotated[CaseQuery, Query()]) -> CasePage:
    """Filter by status, priority, assignee, life area, ground, district, received month, reply waiting; nothing sealed is opened."""
    return await queue_page(query, reader=principal.actor, cases=context.cases, audit=context.audit)


@router.get(
    "/export",
    summary="The queue's codes as CSV (leads)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per case: codes only."}},
)
async def export_cases(principal: Exporter, context: Context, query: Annotated[CaseQuery, Query()]) -> Response:
    """Codes only, never texts: for the office's own reporting. Audited as an export."""
    text = await export_csv(query, reader=principal.actor, cases=context.cases, audit=context.audit)
    return Response(text, media_type="text/csv", headers={"Content-Disposition": 'attachment; filename="cases.csv"'})


@router.get("/{case_id}", summary="One case, its description and timeline opened")
async def get_case(principal: Reader, case: CurrentCase, context: Context) -> CaseRead:
    """Read one case; texts are opened for this response only, the view is audited; a staff member's first look moves it to in_review."""
    opened = await actions.view_case(case, actor=principal.actor, desk=context.desk)
    return case_read(opened, working_days=context.settings.first_response_working_days, periods=context.desk.rules.deadline_periods)


@router.post("/{case_id}/status", summary="Move a case in the workflow")
async def change_status(principal: Worker, body: StatusChange, case: CurrentCase, context: Context) -> CaseSummary:
    """Refused with 409 and the allowed statuses when the workflow has no such step."""
    return case_summary(await actions.change_status(case, body.status, actor=principal.actor, desk=context.desk))


@router.post("/{case_id}/close", summary="Close a case with a reason")
async def close_case(principal: Worker, body: Closing, case: CurrentCase, context: Context) -> CaseSummary:
    """Close with one of the closure reasons."""
    return case_summary(await actions.close_case(case, body.reason, actor=principal.actor, desk=context.desk))


@router.post("/{case_id}/reopen", summary="Reopen a closed case (leads)")
async def reopen_case(principal: Reopener, case: CurrentCase, context: Context) -> CaseSummary:
    """Back to in_progress."""
    return case_summary(await actions.reopen_case(case, actor=principal.actor, desk=context.desk))


@router.put("/{case_id}/assignee", summary="Assign a case")
async def assign_case(principal: Worker, body: Assignment, case: CurrentCase, context: Context) -> CaseSummary:
    """Leads assign anyone; a caseworker may only take a free case for themselves."""
    lead = principal.can(Permission.CASE_ASSIGN)
    updated = await actions.assign_case(
        case, body.assignee_id, assigns_anyone=lead, actor=principal.actor, desk=context.desk, staff=context.staff
    )
    return case_summary(updated)


@router.put("/{case_id}/classification", summary="Classify a case")
async def classify_case(principal: Worker, body: ClassificationUpdate, case: CurrentCase, context: Context) -> CaseSummary:
    """Staff's grounds, forms and life area, stored beside the reporter's answers."""
    updated = await actions.classify_case(
        case, grounds=body.grounds, forms=body.forms, life_area=body.life_area, actor=principal.actor, desk=context.desk
    )
    return case_summary(updated)


@router.post("/{case_id}/messages", status_code=status.HTTP_201_CREATED, summary="Write to the reporter")
async def send_message(principal: Worker, body: TextBody, case: CurrentCase, context: Context) -> MessageCreated:
    """Sealed to the reporter's key and delivered through intake; 409 if the reporter left no key."""
    return MessageCreated(message_id=await actions.send_message(case, body.text, actor=principal.actor, desk=context.desk))


@router.post("/{case_id}/notes", status_code=status.HTTP_201_CREATED, summary="Add an internal note")
async def add_note(principal: Worker, body: TextBody, case: CurrentCase, context: Context) -> NoteCreated:
    """Notes never leave triage."""
    return NoteCreated(note_id=await actions.add_note(case, body.text, actor=principal.actor, desk=context.desk))


@router.post("/{case_id}/duplicates/{other_id}", summary="Confirm or dismiss a duplicate hint")
async def settle_duplicate(principal: Worker, other_id: str, body: DuplicateDecision, case: CurrentCase, context: Context) -> CaseSummary:
    """Marks the hint on both cases; the caller must be allowed to open both."""
    other = await load_case(other_id, principal, context)
    return case_summary(await actions.settle_duplicate(case, other, body.confirmed, actor=principal.actor, desk=context.desk))
