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
    ConsultationCreate,
    ConsultationCreated,
    DocumentationUpdate,
    InterventionChange,
    InterventionCreate,
    InterventionCreated,
    ReferralCreate,
    ReferralCreated,
    ReferralSuggestion,
    ReferralUptake,
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
from triage.referrals.router import service_read
from triage.referrals.suggestions import suggest
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
    return case_read(
        opened, working_days=context.settings.first_response_working_days, periods=context.desk.rules.deadline_periods,
        directory=context.referrals,
    )


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


@router.put("/{case_id}/documentation", summary="Document a case (minimum standards)")
async def document_case(principal: Worker, body: DocumentationUpdate, case: CurrentCase, context: Context) -> CaseSummary:
    """Level, consequences, other side (a category only) and how the office learned of it; replaces the earlier documentation."""
    return case_summary(await actions.document_case(case, body.as_value(), actor=principal.actor, desk=context.desk))


@router.post("/{case_id}/consultations", status_code=status.HTTP_201_CREATED, summary="Log a consultation")
async def log_consultation(principal: Worker, body: ConsultationCreate, case: CurrentCase, context: Context) -> ConsultationCreated:
    """A contact with the person: date, channel, minutes; the note is sealed to the office and is in no event."""
    consultation_id = await actions.log_consultation(
        case, held_on=body.held_on, channel=body.channel, minutes=body.minutes, note=body.note, actor=principal.actor, desk=context.desk
    )
    return ConsultationCreated(consultation_id=consultation_id)


@router.post("/{case_id}/interventions", status_code=status.HTTP_201_CREATED, summary="Record an intervention")
async def record_intervention(principal: Worker, body: InterventionCreate, case: CurrentCase, context: Context) -> InterventionCreated:
    """Its due date (a statement request's reply date, required there) joins the case's deadlines while it is open."""
    _, intervention_id = await actions.record_intervention(
        case, body.kind, started_on=body.started_on, outcome=body.outcome, due_on=body.due_on, actor=principal.actor, desk=context.desk
    )
    return InterventionCreated(intervention_id=intervention_id)


@router.patch("/{case_id}/interventions/{intervention_id}", summary="Record an intervention's outcome or due date")
async def update_intervention(
    principal: Worker, intervention_id: str, body: InterventionChange, case: CurrentCase, context: Context
) -> CaseSummary:
    """A field left out stays as it is; `due_on: null` removes the due date."""
    updated = await actions.update_intervention(
        case, intervention_id, outcome=body.outcome, due_on=body.due_on,
        clear_due="due_on" in body.model_fields_set and body.due_on is None, actor=principal.actor, desk=context.desk,
    )  # fmt: skip
    return case_summary(updated)


@router.get("/{case_id}/referral-suggestions", summary="Counselling services that suit the case")
async def referral_suggestions(principal: Reader, case: CurrentCase, context: Context) -> list[ReferralSuggestion]:
    """Services sharing the case's grounds or life area; those in the report's language first."""
    codes = case.effective
    found = suggest(context.referrals, grounds=codes.grounds, life_area=codes.life_area, language=case.reporter.language)
    return [
        ReferralSuggestion(service=service_read(s.service), shared_topics=list(s.shared_topics), speaks_language=s.speaks_language)
        for s in found
    ]


@router.post("/{case_id}/referrals", status_code=status.HTTP_201_CREATED, summary="Refer a case to a counselling service")
async def refer_case(principal: Worker, body: ReferralCreate, case: CurrentCase, context: Context) -> ReferralCreated:
    """Only with the person's consent (409 otherwise); contact_data only when contact_requested says the person asked for it."""
    _, referral_id = await actions.refer_case(
        case, body.service_id, referred_on=body.referred_on, passed_on=body.passed_on, contact_requested=body.contact_requested,
        directory=context.referrals, actor=principal.actor, desk=context.desk,
    )  # fmt: skip
    return ReferralCreated(referral_id=referral_id)


@router.put("/{case_id}/referrals/{referral_id}/uptake", summary="Record whether the service took the referral up")
async def record_referral_uptake(
    principal: Worker, referral_id: str, body: ReferralUptake, case: CurrentCase, context: Context
) -> CaseSummary:
    """True: the service took it up; false: it did not."""
    updated = await actions.record_referral_uptake(case, referral_id, taken_up=body.taken_up, actor=principal.actor, desk=context.desk)
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
