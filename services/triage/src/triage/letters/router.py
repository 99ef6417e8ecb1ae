"""HTTP edge of letters: caseworkers make and download letters for their cases; leads edit the templates."""

from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi.responses import Response

from meldestelle_shared.settings import office_today
from triage.auth import TemplateEditor, Worker
from triage.bootstrap import Context
from triage.cases.access import CurrentCase
from triage.edge import API_ERROR_RESPONSES
from triage.letters import service
from triage.letters.fields import LetterInput
from triage.letters.schemas import LANGUAGE, LetterCreate, LetterMade, TemplateEdit, TemplateHead, TemplateRead
from triage.letters.templates import LetterKind, LetterTemplate

router = APIRouter(prefix="/api/v1", tags=["letters"], responses=API_ERROR_RESPONSES)
Language = Annotated[str, Path(pattern=LANGUAGE)]


@router.post("/cases/{case_id}/letters", status_code=status.HTTP_201_CREATED, summary="Make a letter for a case")
async def create_letter(principal: Worker, body: LetterCreate, case: CurrentCase, context: Context) -> LetterMade:
    """Rendered from the template's current version, stored sealed with the case, audited, announced by id."""
    given = LetterInput(text=body.text, recipient=body.recipient, reply_by=body.reply_by)
    made = await service.make_letter(case, body.template, body.language, given, today=office_today(), actor=principal.actor, desk=context.letters)
    return LetterMade(
        letter_id=made.letter_id, template=made.template.kind, language=made.template.language, template_version=made.template.version,
        reply_by=made.reply_by, download=f"/api/v1/cases/{case.id}/letters/{made.letter_id}",
    )  # fmt: skip


@router.get(
    "/cases/{case_id}/letters/{letter_id}",
    summary="Download a letter as PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The letter's PDF, as an attachment."}},
)
async def download_letter(principal: Worker, letter_id: Annotated[str, Path(max_length=64)], case: CurrentCase, context: Context) -> Response:
    """Opened for this download only; never cached. Audited."""
    letter = await service.letter_file(case, letter_id, actor=principal.actor, desk=context.letters)
    headers = {"Content-Disposition": f'attachment; filename="{letter.filename}"', "Cache-Control": "no-store"}
    return Response(letter.pdf, media_type="application/pdf", headers=headers)


@router.get("/letter-templates", summary="The letter templates and their current versions")
async def list_templates(principal: Worker, context: Context) -> list[TemplateHead]:
    """Every template (kind and language)."""
    return [TemplateHead(kind=kind, language=language, current_version=version) for kind, language, version in await context.letters.templates.heads()]


@router.get("/letter-templates/{kind}/{language}", summary="A template's current version")
async def read_template(principal: Worker, kind: LetterKind, language: Language, context: Context) -> TemplateRead:
    """The current version's sources."""
    return await _read(kind, language, None, context)


@router.get("/letter-templates/{kind}/{language}/versions/{version}", summary="One version of a template")
async def read_template_version(
    principal: Worker, kind: LetterKind, language: Language, version: Annotated[int, Path(ge=1, le=100_000)], context: Context
) -> TemplateRead:
    """Old versions stay, so a letter's version can be read again."""
    return await _read(kind, language, version, context)


@router.put("/letter-templates/{kind}/{language}", summary="Edit a template (leads): a new version")
async def edit_template(principal: TemplateEditor, kind: LetterKind, language: Language, body: TemplateEdit, context: Context) -> TemplateRead:
    """422 naming the part and line when it does not parse or the sandbox refuses it; 409 when someone else saved first."""
    template = await service.edit_template(kind, language, body.subject, body.body, actor=principal.actor, desk=context.letters)
    return _template_read(template, template.version)


async def _read(kind: LetterKind, language: str, version: int | None, context: Context) -> TemplateRead:
    template = await service.template_version(kind, language, version, desk=context.letters)
    current = await context.letters.templates.current_version(kind, language)
    return _template_read(template, current or template.version)


def _template_read(template: LetterTemplate, current: int) -> TemplateRead:
    return TemplateRead(
        kind=template.kind, language=template.language, version=template.version, current_version=current, subject=template.subject,
        body=template.body, created_at=template.created_at, created_by=template.created_by,
    )  # fmt: skip
