"""The report form, step by step. Every step is a full page posted to the same address, so it
works without JavaScript; the script only swaps the page's main part instead of reloading it."""

from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from intake.followup.repository import DuplicateReport
from intake.receipts import MalformedReceipt, normalise_receipt
from intake.reports.service import ReportNotSaved, submit_report
from intake.site.i18n import Language
from intake.site.report_form import STEPS, Answers, FieldProblem, check_step, first_incomplete_step, to_report, year_choices
from intake.site.web import CheckedForm, SiteLanguage

router = APIRouter(include_in_schema=False)


@router.get("/{lang}/report")
async def first_step(language: SiteLanguage, request: Request) -> HTMLResponse:
    """The first step, empty; the form id makes a resent form recognisable."""
    return _step(request, language, STEPS[0], Answers(), form_id=str(uuid4()))


@router.post("/{lang}/report")
async def next_step(language: SiteLanguage, request: Request, form: CheckedForm) -> HTMLResponse:
    """Move through the steps: check the current one, go on, go back, or submit from the review."""
    answers = Answers.from_form(form)
    step = str(form.get("step", STEPS[0]))
    step = step if step in STEPS else STEPS[0]
    action = str(form.get("action", "next"))
    form_id = _form_id(str(form.get("form_id", "")))
    index = STEPS.index(step)
    if action == "back":
        return _step(request, language, STEPS[max(index - 1, 0)], answers, form_id=form_id)
    if action.startswith("change:") and action.removeprefix("change:") in STEPS:
        return _step(request, language, action.removeprefix("change:"), answers, form_id=form_id)
    if action == "submit":
        return await _submit(request, language, answers, form_id)
    if problems := check_step(step, answers):
        return _step(request, language, step, answers, form_id=form_id, problems=problems, status=422)
    return _step(request, language, STEPS[min(index + 1, len(STEPS) - 1)], answers, form_id=form_id)


@router.post("/{lang}/receipt.txt")
async def receipt_file(language: SiteLanguage, request: Request, form: CheckedForm) -> Response:
    """The receipt as a text file to keep (it is sent back by the page that shows it; nothing is stored)."""
    try:
        receipt = normalise_receipt(str(form.get("receipt", "")))
    except MalformedReceipt:
        return request.app.state.context.pages.render(request, language, "message.html", page="/", status=422, kind="malformed_receipt")
    grouped = " ".join(receipt[i : i + 4] for i in range(0, 16, 4))
    check_url = str(request.url_for("check_form", lang=language.tag))
    text = request.app.state.context.pages.text(language, "receipt.txt", receipt=grouped, check_url=check_url)
    return Response(
        text.replace("\n", "\r\n"),  # Windows' Notepad shows it right, every other editor too
        media_type="text/plain; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="receipt.txt"'},
    )


async def _submit(request: Request, language: Language, answers: Answers, form_id: str) -> HTMLResponse:
    context = request.app.state.context
    if incomplete := first_incomplete_step(answers):
        step, problems = incomplete
        return _step(request, language, step, answers, form_id=form_id, problems=problems, status=422)
    try:
        accepted = await submit_report(to_report(answers, language=language.tag), **context.submission(), report_id=UUID(form_id))
    except DuplicateReport:
        return context.pages.render(request, language, "message.html", page="/", status=409, kind="duplicate")
    except ReportNotSaved:
        return _step(request, language, "review", answers, form_id=form_id, status=503, not_saved=True)
    return context.pages.render(request, language, "receipt.html", page="/", receipt=accepted.receipt)


def _step(
    request: Request,
    language: Language,
    step: str,
    answers: Answers,
    *,
    form_id: str,
    problems: list[FieldProblem] | None = None,
    status: int = 200,
    not_saved: bool = False,
) -> HTMLResponse:
    return request.app.state.context.pages.render(
        request,
        language,
        "report.html",
        page="/report",
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
    )


def _form_id(value: str) -> str:
    try:
        return str(UUID(value))
    except ValueError:
        return str(uuid4())
