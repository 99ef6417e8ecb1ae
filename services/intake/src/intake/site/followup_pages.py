"""Coming back with the receipt: the case status, the office's messages, answering, and erasure.

Every request that names a receipt passes the throttle first (intake.followup.service.unlock_inbox; a refused
receipt is shown on the check page by intake.errors); the receipt then travels in the page's forms (never
in an address or a cookie), so nothing on the server remembers who is reading.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from intake.bootstrap import ClientAddress, Context, IntakeContext
from intake.evidence.files import EvidenceRefused, accept
from intake.followup.service import NotDelivered, UnlockedInbox, add_evidence, erase_report, read_inbox, send_reply, unlock_inbox
from intake.site.evidence_step import REFUSALS, TOO_OFTEN
from intake.site.i18n import Language
from intake.site.labels import N_
from intake.site.report_form import FieldProblem
from intake.site.web import CheckedForm, SiteLanguage, uploaded_files

router = APIRouter(include_in_schema=False)


@router.get("/{lang}/check", name="check_form")
async def check_form(language: SiteLanguage, request: Request, context: Context) -> HTMLResponse:
    """The form asking for the receipt."""
    return context.pages.render(request, language, "check.html", page="/check", problem=None, wait=0, typed="")


@router.post("/{lang}/check")
async def check(language: SiteLanguage, request: Request, form: CheckedForm, context: Context, client: ClientAddress) -> HTMLResponse:
    """Show the case status and the conversation of the receipt's report."""
    inbox, receipt = await _unlock(form, context, client)
    return await _inbox_page(request, context, language, inbox, receipt)


@router.post("/{lang}/check/reply")
async def reply(language: SiteLanguage, request: Request, form: CheckedForm, context: Context, client: ClientAddress) -> HTMLResponse:
    """Send the reporter's answer or additional information to the office."""
    inbox, receipt = await _unlock(form, context, client)
    text = str(form.get("text", "")).strip()
    if not text:
        problem = FieldProblem("text", N_("Please write your message."))
    elif len(text) > context.settings.max_reply_chars:
        problem = FieldProblem("text", N_("Your message is too long. Please shorten it."))
    else:
        try:
            await send_reply(inbox, text, inboxes=context.inboxes, office_key=context.keys.office, delivery=context.delivery())
        except NotDelivered:
            return await _inbox_page(request, context, language, inbox, receipt, status=503, notice="not_sent", draft=text)
        return await _inbox_page(request, context, language, inbox, receipt, notice="sent")
    return await _inbox_page(request, context, language, inbox, receipt, status=422, problems=[problem], draft=text)


@router.post("/{lang}/check/evidence")
async def evidence(language: SiteLanguage, request: Request, form: CheckedForm, context: Context, client: ClientAddress) -> HTMLResponse:
    """Add files to the report later, with the limits of the form; all are sealed, stored and announced, or none."""
    inbox, receipt = await _unlock(form, context, client)
    posted = uploaded_files(request)
    if not posted:
        problem = FieldProblem("files", N_("Please choose at least one file."))
        return await _inbox_page(request, context, language, inbox, receipt, status=422, problems=[problem])
    try:
        uploads = accept(posted, context.evidence_limits)
    except EvidenceRefused as refusal:
        problem = FieldProblem("files", REFUSALS.get(refusal.status, REFUSALS[415]))
        return await _inbox_page(request, context, language, inbox, receipt, status=refusal.status, problems=[problem])
    if await context.submissions.attempt(client):  # each addition counts against the client's report limit
        problem = FieldProblem("files", TOO_OFTEN)
        return await _inbox_page(request, context, language, inbox, receipt, status=429, problems=[problem])
    try:
        await add_evidence(inbox, uploads, inboxes=context.inboxes, evidence=context.evidence, delivery=context.delivery())
    except NotDelivered:
        return await _inbox_page(request, context, language, inbox, receipt, status=503, notice="files_not_sent")
    return await _inbox_page(request, context, language, inbox, receipt, notice="files_sent")


@router.post("/{lang}/check/delete")
async def delete(language: SiteLanguage, request: Request, form: CheckedForm, context: Context, client: ClientAddress) -> HTMLResponse:
    """Erase the report at the reporter's request (GDPR Art. 17), after they confirmed it."""
    inbox, receipt = await _unlock(form, context, client)
    if form.get("confirm") != "yes":
        problem = FieldProblem("confirm", N_("Please tick the box to confirm that you want to delete your report."))
        return await _inbox_page(request, context, language, inbox, receipt, status=422, problems=[problem])
    try:
        await erase_report(inbox, inboxes=context.inboxes, delivery=context.delivery(), evidence=context.evidence)
    except NotDelivered:
        return await _inbox_page(request, context, language, inbox, receipt, status=503, notice="not_erased")
    return context.pages.render(request, language, "erased.html", page="/")


async def _unlock(form: FormData, context: IntakeContext, client: str) -> tuple[UnlockedInbox, str]:
    typed = str(form.get("receipt", ""))  # shown again on a refusal, so the resident can correct it
    return await unlock_inbox(typed, client=client, throttle=context.throttle, inboxes=context.inboxes, hasher=context.hasher)


async def _inbox_page(
    request: Request,
    context: IntakeContext,
    language: Language,
    inbox: UnlockedInbox,
    receipt: str,
    *,
    status: int = 200,
    problems: list[FieldProblem] | None = None,
    notice: str | None = None,
    draft: str = "",
) -> HTMLResponse:
    view = await read_inbox(inbox, inboxes=context.inboxes)
    problems = problems or []
    return context.pages.render(
        request,
        language,
        "inbox.html",
        page="/check",
        status=status,
        view=view,
        receipt=" ".join(receipt[i : i + 4] for i in range(0, 16, 4)),
        problems=problems,
        problem_of={problem.field: problem.message for problem in problems},
        notice=notice,
        draft=draft,
        max_reply_chars=context.settings.max_reply_chars,
        evidence_limits=context.evidence_limits,
    )
