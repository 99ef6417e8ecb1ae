"""HTTP edge of the case API: the same operations as the workbench, as JSON (staff session or API token)."""

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response

from triage.auth import Principal, context_of, require
from triage.cases import actions
from triage.cases.access import CurrentCase, case_read, case_summary, load_case
from triage.cases.queue import SORTS, CaseQuery, build_filter
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
from triage.errors import API_ERROR_RESPONSES, Forbidden
from triage.staff.permissions import Permission

router = APIRouter(prefix="/api/v1/cases", tags=["cases"], responses=API_ERROR_RESPONSES)

Reader = Annotated[Principal, require(Permission.CASE_READ)]
Worker = Annotated[Principal, require(Permission.CASE_WORK)]
Assigner = Annotated[Principal, require(Permission.CASE_ASSIGN)]
Reopener = Annotated[Principal, require(Permission.CASE_REOPEN)]
Exporter = Annotated[Principal, require(Permission.CASE_EXPORT)]
EXPORT_COLUMNS = ["reference", "status", "priority", "received_month", "life_area", "district", "grounds", "forms", "closure_reason"]


async def queue_page(request: Request, principal: Principal, query: CaseQuery) -> CasePage:
    """The queue for a query, with a count per status (the status filter aside); audited as one view of the queue."""
    context = context_of(request)
    found = build_filter(query, me=principal.id)
    cases, total = await context.cases.page(
        found, sort=SORTS[query.sort], skip=(query.page - 1) * query.page_size, limit=query.page_size
    )
    counts, replies = await context.cases.queue_counts(build_filter(query, me=principal.id, with_status=False))
    await context.audit.append(principal.actor, "queue.view")
    items = [case_summary(case) for case in cases]
    return CasePage(items=items, total=total, page=query.page, page_size=query.page_size, counts=counts, replies_waiting=replies)


@router.get("", summary="The case queue, filtered, sorted and paged")
async def list_cases(principal: Reader, request: Request, query: Annotated[CaseQuery, Query()]) -> CasePage:
    """Filter by status, priority, assignee, life area, ground, district, received month, reply waiting; nothing sealed is opened."""
    return await queue_page(request, principal, query)


@router.get(
    "/export",
    summary="The queue's codes as CSV (leads)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per case: codes only."}},
)
async def export_cases(principal: Exporter, request: Request, query: Annotated[CaseQuery, Query()]) -> Response:
    """Codes only, never texts: for the office's own reporting. Audited as an export."""
    context = context_of(request)
    rows = await context.cases.find(build_filter(query, me=principal.id))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for case in rows:
        effective = case.effective
        writer.writerow(
            [case.reference, case.status.value, case.priority.priority.value, case.received_month, effective.life_area or "",
             case.reporter.district or "", " ".join(effective.grounds), " ".join(effective.forms),
             case.closure_reason.value if case.closure_reason else ""]
        )  # fmt: skip
    await context.audit.append(principal.actor, "case.export", reason=f"{len(rows)} cases")
    return Response(buffer.getvalue(), media_type="text/csv", headers={"Content-Disposition": 'attachment; filename="cases.csv"'})


@router.get("/{case_id}", summary="One case, its description and timeline opened")
async def get_case(principal: Reader, case: CurrentCase, request: Request) -> CaseRead:
    """Read one case; texts are opened for this response only, the view is audited; a staff member's first look moves it to in_review."""
    context = context_of(request)
    opened = await actions.view_case(case, actor=principal.actor, desk=context.desk)
    return case_read(opened, working_days=context.settings.first_response_working_days)


@router.post("/{case_id}/status", summary="Move a case in the workflow")
async def change_status(principal: Worker, body: StatusChange, case: CurrentCase, request: Request) -> CaseSummary:
    """Refused with 409 and the allowed statuses when the workflow has no such step."""
    updated = await actions.change_status(case, body.status, actor=principal.actor, desk=context_of(request).desk)
    return case_summary(updated)


@router.post("/{case_id}/close", summary="Close a case with a reason")
async def close_case(principal: Worker, body: Closing, case: CurrentCase, request: Request) -> CaseSummary:
    """Close with one of the closure reasons."""
    updated = await actions.close_case(case, body.reason, actor=principal.actor, desk=context_of(request).desk)
    return case_summary(updated)


@router.post("/{case_id}/reopen", summary="Reopen a closed case (leads)")
async def reopen_case(principal: Reopener, case: CurrentCase, request: Request) -> CaseSummary:
    """Back to in_progress."""
    updated = await actions.reopen_case(case, actor=principal.actor, desk=context_of(request).desk)
    return case_summary(updated)


@router.put("/{case_id}/assignee", summary="Assign a case")
async def assign_case(principal: Worker, body: Assignment, case: CurrentCase, request: Request) -> CaseSummary:
    """Leads assign anyone; a caseworker may only take a free case for themselves."""
    taking_free_case = body.assignee_id == principal.id and case.assignee_id is None
    if not (principal.can(Permission.CASE_ASSIGN) or taking_free_case):
        await context_of(request).audit.append(principal.actor, "case.assign", case_id=case.id, outcome="refused", reason="role_lacks_permission")
        raise Forbidden("Only a lead assigns cases; you may take a free case for yourself.")
    context = context_of(request)
    updated = await actions.assign_case(case, body.assignee_id, actor=principal.actor, desk=context.desk, staff=context.staff)
    return case_summary(updated)


@router.put("/{case_id}/classification", summary="Classify a case")
async def classify_case(principal: Worker, body: ClassificationUpdate, case: CurrentCase, request: Request) -> CaseSummary:
    """Staff's grounds, forms and life area, stored beside the reporter's answers."""
    updated = await actions.classify_case(
        case, grounds=body.grounds, forms=body.forms, life_area=body.life_area, actor=principal.actor, desk=context_of(request).desk
    )
    return case_summary(updated)


@router.post("/{case_id}/messages", status_code=status.HTTP_201_CREATED, summary="Write to the reporter")
async def send_message(principal: Worker, body: TextBody, case: CurrentCase, request: Request) -> MessageCreated:
    """Sealed to the reporter's key and delivered through intake; 409 if the reporter left no key."""
    message_id = await actions.send_message(case, body.text, actor=principal.actor, desk=context_of(request).desk)
    return MessageCreated(message_id=message_id)


@router.post("/{case_id}/notes", status_code=status.HTTP_201_CREATED, summary="Add an internal note")
async def add_note(principal: Worker, body: TextBody, case: CurrentCase, request: Request) -> NoteCreated:
    """Notes never leave triage."""
    note_id = await actions.add_note(case, body.text, actor=principal.actor, desk=context_of(request).desk)
    return NoteCreated(note_id=note_id)


@router.post("/{case_id}/duplicates/{other_id}", summary="Confirm or dismiss a duplicate hint")
async def settle_duplicate(
    principal: Worker, other_id: str, body: DuplicateDecision, case: CurrentCase, request: Request
) -> CaseSummary:
    """Marks the hint on both cases; the caller must be allowed to open both."""
    other = await load_case(other_id, principal, request)
    updated = await actions.settle_duplicate(case, other, body.confirmed, actor=principal.actor, desk=context_of(request).desk)
    return case_summary(updated)
