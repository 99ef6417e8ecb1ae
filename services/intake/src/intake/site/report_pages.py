"""The report form, step by step. Every step has its own address (/<lang>/report/<step>) and is a full
page; a posted step is kept as the session's draft and answered with a redirect to the next step's
address (Post/Redirect/Get), so Back, Forward, reload and the language switch keep the answers.
It works without JavaScript; the script only swaps the page's main part instead of reloading it."""

import math
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from intake.bootstrap import ClientAddress, Context, IntakeContext
from intake.receipts import normalise_receipt
from intake.reports.service import ReportNotSaved, TooManyReports, submit_report
from intake.site.drafts import Draft
from intake.site.evidence_step import KINDS, still_stored, update_evidence
from intake.site.i18n import LANGUAGES, Language
from intake.site.report_form import STEPS, Answers, FieldProblem, check_step, first_incomplete_step, to_report, year_choices
from intake.site.web import CheckedForm, SiteLanguage

router = APIRouter(include_in_schema=False)

SENT = "sent"  # the address of the receipt page, after the last step
RETURN_TO_REVIEW = "review"  # ?return=review: a step opened with "Change" goes back to the review


@router.get("/{lang}/report")
async def start_report(language: SiteLanguage, request: Request, context: Context) -> RedirectResponse:
    """Open the form at its first step, keeping a draft in progress; a sent report's receipt is forgotten."""
    session = _session(request, context)
    draft = await context.drafts.get(session) if session else None
    if draft and draft.receipt:
        await context.drafts.forget(session)
    return _redirect(language, STEPS[0])


@router.get("/{lang}/report/sent")
async def receipt_page(language: SiteLanguage, request: Request, context: Context) -> Response:
    """The receipt of the report this session just sent, in any language, for as long as the draft is kept."""
    session = _session(request, context)
    draft = await context.drafts.get(session) if session else None
    if not (draft and draft.receipt):
        return _redirect(language, STEPS[0])
    return context.pages.render(request, language, "receipt.html", page="/report/sent", receipt=draft.receipt)


@router.get("/{lang}/report/{step}")
async def show_step(language: SiteLanguage, request: Request, step: str, context: Context) -> Response:
    """A step with the session's answers so far; a later step without a draft starts the form again."""
    if step not in STEPS:
        return _redirect(language, STEPS[0])
    session = _session(request, context)
    draft = await context.drafts.get(session) if session else None
    if draft and draft.receipt:
        return _redirect(language, SENT)
    if draft is None:
        if step != STEPS[0]:
            return _redirect(language, STEPS[0])
        draft = Draft(form_id=str(uuid4()))
    returning = request.query_params.get("return") == RETURN_TO_REVIEW
    return _step(request, context, language, step, draft.answers, form_id=draft.form_id, returning=returning, evidence=draft.evidence)


@router.post("/{lang}/report")
@router.post("/{lang}/report/{step}")
async def post_step(language: SiteLanguage, request: Request, form: CheckedForm, context: Context, client: ClientAddress) -> Response:
    """Keep the posted step, then go on, go back, change a step, switch language, or submit from the review."""
    answers = Answers.from_form(form)
    step = str(form.get("step", STEPS[0]))
    step = step if step in STEPS else STEPS[0]
    action = str(form.get("action", "next"))
    form_id = _form_id(str(form.get("form_id", "")))
    returning = form.get("return_to") == RETURN_TO_REVIEW
    index = STEPS.index(step)
    evidence = await _draft_evidence(request, context, form_id)
    if action == "submit":
        return await _submit(request, context, client, language, answers, form_id, evidence)
    problem, status = None, 200
    if step == "evidence":
        evidence, problem, status = await update_evidence(request, context, action, evidence, form_id=form_id, client=client)
    await _keep(request, context, Draft(form_id=form_id, answers=answers, evidence=evidence))
    if problem:
        return _step(
            request, context, language, step, answers, form_id=form_id, problems=[problem], status=status, returning=returning, evidence=evidence
        )
    if action.startswith("remove:"):
        return _redirect(language, step, returning=returning)
    if action.startswith("language:") and action.removeprefix("language:") in LANGUAGES:
        # Unchecked on purpose: switching language must never cost what was typed.
        return _redirect(LANGUAGES[action.removeprefix("language:")], step, returning=returning)
    if action == "back":
        return _redirect(language, STEPS[max(index - 1, 0)])
    if action.startswith("change:") and action.removeprefix("change:") in STEPS:
        return _redirect(language, action.removeprefix("change:"), returning=True)
    if problems := check_step(step, answers):
        return _step(
            request, context, language, step, answers, form_id=form_id, problems=problems, status=422, returning=returning, evidence=evidence
        )
    return _redirect(language, "review" if returning else STEPS[min(index + 1, len(STEPS) - 1)])


@router.post("/{lang}/receipt.txt")
async def receipt_file(language: SiteLanguage, request: Request, form: CheckedForm, context: Context) -> Response:
    """The receipt as a text file to keep (it is sent back by the page that shows it; nothing is stored)."""
    receipt = normalise_receipt(str(form.get("receipt", "")))  # MalformedReceipt: a message page (intake.errors)
    grouped = " ".join(receipt[i : i + 4] for i in range(0, 16, 4))
    check_url = str(request.url_for("check_form", lang=language.tag))
    text = context.pages.text(language, "receipt.txt", receipt=grouped, check_url=check_url)
    return Response(
        text.replace("\n", "\r\n"),  # Windows' Notepad shows it right, every other editor too
        media_type="text/plain; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="receipt.txt"'},
    )


async def _submit(
    request: Request, context: IntakeContext, client: str, language: Language, answers: Answers, form_id: str, evidence: list
) -> Response:
    """Submit the reviewed answers and the draft's files; on a refusal the review is shown again with everything kept (DuplicateReport: intake.errors)."""
    draft = Draft(form_id=form_id, answers=answers, evidence=evidence)
    if incomplete := first_incomplete_step(answers):
        await _keep(request, context, draft)
        step, problems = incomplete
        return _step(request, context, language, step, answers, form_id=form_id, problems=problems, status=422, evidence=evidence)
    kept, gone = await still_stored(context, evidence)
    if gone:
        await _keep(request, context, Draft(form_id=form_id, answers=answers, evidence=kept))
        return _step(request, context, language, "evidence", answers, form_id=form_id, problems=[gone], status=422, evidence=kept)
    report = to_report(answers, language=language.tag)
    try:
        accepted = await submit_report(report, client=client, **context.submission(), report_id=UUID(form_id), kept_evidence=evidence)
    except TooManyReports as refusal:
        await _keep(request, context, draft)
        minutes = math.ceil(refusal.retry_after / 60)
        page = _step(request, context, language, "review", answers, form_id=form_id, status=429, wait_minutes=minutes, evidence=evidence)
        page.headers["retry-after"] = str(refusal.retry_after)
        return page
    except ReportNotSaved:
        await _keep(request, context, draft)
        return _step(request, context, language, "review", answers, form_id=form_id, status=503, not_saved=True, evidence=evidence)
    # The answers are forgotten now; only the receipt stays, to show it again (also in another language).
    await _keep(request, context, Draft(form_id=form_id, receipt=accepted.receipt))
    return _redirect(language, SENT)


def _step(
    request: Request,
    context: IntakeContext,
    language: Language,
    step: str,
    answers: Answers,
    *,
    form_id: str,
    problems: list[FieldProblem] | None = None,
    status: int = 200,
    not_saved: bool = False,
    returning: bool = False,
    wait_minutes: int = 0,
    evidence: list | None = None,
) -> HTMLResponse:
    return context.pages.render(
        request,
        language,
        "report.html",
        page=f"/report/{step}",
        status=status,
        step=step,
        number=STEPS.index(step) + 1,
        total=len(STEPS),
        answers=answers,
        hidden=answers.hidden_fields(except_step=step),
        problems=problems or [],
        problem_of={problem.field: problem.message for problem in problems or []},
        form_id=form_id,
        years=year_choices(),
        not_saved=not_saved,
        returning=returning and step != "review",
        switch_form="report-form",
        wait_minutes=wait_minutes,
        evidence=evidence or [],
        evidence_kinds=KINDS,
        evidence_limits=context.evidence_limits,
    )


def _redirect(language: Language, step: str, *, returning: bool = False) -> RedirectResponse:
    query = f"?return={RETURN_TO_REVIEW}" if returning and step != "review" else ""
    return RedirectResponse(f"/{language.tag}/report/{step}{query}", status_code=303)


def _session(request: Request, context: IntakeContext) -> str | None:
    session, new = context.guard.session_of(request)
    return None if new else session


async def _keep(request: Request, context: IntakeContext, draft: Draft) -> None:
    if session := _session(request, context):
        await context.drafts.put(session, draft)


async def _draft_evidence(request: Request, context: IntakeContext, form_id: str) -> list:
    """The files the session's draft of this form has stored so far."""
    session = _session(request, context)
    draft = await context.drafts.get(session) if session else None
    return draft.evidence if draft and draft.form_id == form_id and not draft.receipt else []


def _form_id(value: str) -> str:
    try:
        return str(UUID(value))
    except ValueError:
        return str(uuid4())
