"""Workbench pages of case work: documentation, consultations, interventions, referrals and letters; letter templates for leads.

Thin handlers: each form is read into the API's request model and handed to the same service function as the JSON API.
A refused form shows the case page again, the reasons beside the fields; success redirects (Post/Redirect/Get).
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from meldestelle_shared.settings import office_today
from triage.auth import Principal, TemplateEditor, Worker
from triage.bootstrap import Context, TriageContext
from triage.cases import actions
from triage.cases.access import load_case
from triage.cases.model import Case
from triage.cases.schemas import (
    ConsultationCreate,
    DocumentationUpdate,
    InterventionChange,
    InterventionCreate,
    ReferralCreate,
    ReferralUptake,
)
from triage.edge import status_of
from triage.errors import Conflict, Invalid
from triage.letters import service
from triage.letters.fields import LetterInput, sample_fields
from triage.letters.schemas import LANGUAGE, LetterCreate, TemplateEdit
from triage.letters.templates import LetterKind
from triage.staff.permissions import Permission
from triage.workbench.case_view import NOTICE_SECTIONS
from triage.workbench.casework_view import FormFailure, form_failure, parse_form
from triage.workbench.pages import render
from triage.workbench.router import _staff_names, show_case

router = APIRouter(include_in_schema=False)
Language = Annotated[str, Path(pattern=LANGUAGE)]


async def _submit(
    principal: Principal, case_id: str, request: Request, context: TriageContext, notice: str,
    work: Callable[[Case, Any], Awaitable[object]], target: str = "",
) -> Response:
    """Run a case form's work; success redirects to its section, a refusal re-shows the case with the reasons beside the fields."""
    case = await load_case(case_id, principal, context)
    form = await request.form()
    section = NOTICE_SECTIONS[notice]
    try:
        await work(case, form)
    except (Invalid, Conflict) as refusal:
        current = await load_case(case_id, principal, context)  # show the case as it is now, not as the refused form saw it
        failed = form_failure(refusal, section, status_of(refusal), form, target)
        return await show_case(principal, current, request, context, failed=failed)
    return RedirectResponse(f"/cases/{case.id}?notice={notice}#{section}", status_code=303)


@router.post("/cases/{case_id}/documentation")
async def document_case(principal: Worker, case_id: str, request: Request, context: Context) -> Response:
    """Level, consequences, other side and source; replaces the earlier documentation."""

    async def work(case: Case, form: Any) -> None:
        body = parse_form(DocumentationUpdate, form, lists=("consequences",))
        await actions.document_case(case, body.as_value(), actor=principal.actor, desk=context.desk)

    return await _submit(principal, case_id, request, context, "documented", work)


@router.post("/cases/{case_id}/consultations")
async def log_consultation(principal: Worker, case_id: str, request: Request, context: Context) -> Response:
    """A contact with the person; its note is sealed."""

    async def work(case: Case, form: Any) -> None:
        body = parse_form(ConsultationCreate, form)
        await actions.log_consultation(
            case, held_on=body.held_on, channel=body.channel, minutes=body.minutes, note=body.note, actor=principal.actor, desk=context.desk
        )

    return await _submit(principal, case_id, request, context, "consultation_logged", work)


@router.post("/cases/{case_id}/interventions")
async def record_intervention(principal: Worker, case_id: str, request: Request, context: Context) -> Response:
    """A new intervention with its date, outcome and due date."""

    async def work(case: Case, form: Any) -> None:
        body = parse_form(InterventionCreate, form)
        await actions.record_intervention(
            case, body.kind, started_on=body.started_on, outcome=body.outcome, due_on=body.due_on, actor=principal.actor, desk=context.desk
        )

    return await _submit(principal, case_id, request, context, "intervention_recorded", work)


@router.post("/cases/{case_id}/interventions/{intervention_id}")
async def update_intervention(principal: Worker, case_id: str, intervention_id: str, request: Request, context: Context) -> Response:
    """A new outcome or due date; the due date field left empty removes the due date."""

    async def work(case: Case, form: Any) -> None:
        body = parse_form(InterventionChange, form)
        await actions.update_intervention(
            case, intervention_id, outcome=body.outcome, due_on=body.due_on, clear_due=body.due_on is None,
            actor=principal.actor, desk=context.desk,
        )  # fmt: skip

    return await _submit(principal, case_id, request, context, "intervention_updated", work, target=intervention_id)


@router.post("/cases/{case_id}/referrals")
async def refer_case(principal: Worker, case_id: str, request: Request, context: Context) -> Response:
    """Refer the case to a service of the directory; the service refuses it without the person's consent."""

    async def work(case: Case, form: Any) -> None:
        body = parse_form(ReferralCreate, form, lists=("passed_on",))
        await actions.refer_case(
            case, body.service_id, referred_on=body.referred_on, passed_on=body.passed_on, contact_requested=body.contact_requested,
            directory=context.referrals, actor=principal.actor, desk=context.desk,
        )  # fmt: skip

    return await _submit(principal, case_id, request, context, "referred", work)


@router.post("/cases/{case_id}/referrals/{referral_id}/uptake")
async def record_referral_uptake(principal: Worker, case_id: str, referral_id: str, request: Request, context: Context) -> Response:
    """Whether the service took the referral up."""

    async def work(case: Case, form: Any) -> None:
        body = parse_form(ReferralUptake, form)
        await actions.record_referral_uptake(case, referral_id, taken_up=body.taken_up, actor=principal.actor, desk=context.desk)

    return await _submit(principal, case_id, request, context, "referral_uptake", work, target=referral_id)


@router.post("/cases/{case_id}/letters")
async def create_letter(principal: Worker, case_id: str, request: Request, context: Context) -> Response:
    """Make a letter from a template's current version; it is stored sealed with the case."""

    async def work(case: Case, form: Any) -> None:
        body = parse_form(LetterCreate, form)
        given = LetterInput(text=body.text, recipient=body.recipient, reply_by=body.reply_by)
        await service.make_letter(case, body.template, body.language, given, today=office_today(), actor=principal.actor, desk=context.letters)

    return await _submit(principal, case_id, request, context, "letter_created", work)


@router.get("/cases/{case_id}/letters/{letter_id}")
async def download_letter(principal: Worker, case_id: str, letter_id: Annotated[str, Path(max_length=64)], context: Context) -> Response:
    """A letter's PDF, opened for this download only; audited."""
    case = await load_case(case_id, principal, context)
    letter = await service.letter_file(case, letter_id, actor=principal.actor, desk=context.letters)
    headers = {"Content-Disposition": f'attachment; filename="{letter.filename}"', "Cache-Control": "no-store"}
    return Response(letter.pdf, media_type="application/pdf", headers=headers)


@router.get("/letter-templates")
async def letter_templates(principal: Worker, request: Request, context: Context) -> Response:
    """The letter templates and their current versions."""
    heads = await context.letters.templates.heads()
    return render(request, "letter_templates.html", principal=principal, heads=heads)


@router.get("/letter-templates/{kind}/{language}")
async def letter_template(principal: Worker, kind: LetterKind, language: Language, request: Request, context: Context, notice: str = "") -> Response:
    """A template's current version; leads get the form that saves an edit as the next version."""
    return await _template_page(principal, kind, language, request, context, notice=notice == "template_saved")


@router.post("/letter-templates/{kind}/{language}")
async def edit_letter_template(principal: TemplateEditor, kind: LetterKind, language: Language, request: Request, context: Context) -> Response:
    """Save an edit as the template's next version; a template that does not parse or render is shown again with the reason."""
    form = await request.form()
    try:
        body = parse_form(TemplateEdit, form)
        await service.edit_template(kind, language, body.subject, body.body, actor=principal.actor, desk=context.letters)
    except (Invalid, Conflict) as refusal:
        failed = form_failure(refusal, "template", status_of(refusal), form)
        return await _template_page(principal, kind, language, request, context, failed=failed)
    return RedirectResponse(f"/letter-templates/{kind.value}/{language}?notice=template_saved#template", status_code=303)


async def _template_page(
    principal: Principal, kind: LetterKind, language: str, request: Request, context: TriageContext, *, notice: bool = False,
    failed: FormFailure | None = None,
) -> Response:
    template = await service.template_version(kind, language, None, desk=context.letters)
    return render(
        request, "letter_template.html", failed.status if failed else 200, principal=principal, tpl=template, saved=notice,
        may_edit=principal.can(Permission.LETTER_TEMPLATES),
        failed=failed, fields=_field_names(sample_fields(context.letters.office)), names=await _staff_names(context),
    )  # fmt: skip


def _field_names(fields: dict[str, object]) -> list[str]:
    # The office's data is a dict: a template reaches its parts as office.name, office.city ...
    names: list[str] = []
    for name, value in fields.items():
        if isinstance(value, dict):
            names.extend(f"{name}.{part}" for part in value)
        else:
            names.append(name)
    return sorted(names)
