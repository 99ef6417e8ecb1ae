"""Coming back with the receipt: the case status, the office's messages, answering, and erasure.

Every request that names a receipt passes the throttle first; the receipt then travels in the
page's forms (never in an address or a cookie), so nothing on the server remembers who is reading.
"""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pymongo.errors import PyMongoError
from starlette.datastructures import FormData

from intake.followup.service import (
    NotDelivered,
    ReceiptNotFound,
    UnlockedInbox,
    erase_report,
    find_inbox,
    read_inbox,
    send_reply,
)
from intake.receipts import MalformedReceipt, normalise_receipt
from intake.site.i18n import Language
from intake.site.labels import N_
from intake.site.report_form import FieldProblem
from intake.site.web import CheckedForm, SiteLanguage
from intake.throttling import Refusal, client_address

router = APIRouter(include_in_schema=False)
TYPED_RECEIPT_MAX = 64  # a receipt with spaces is 19 characters; anything longer is not worth echoing in full


class ReceiptRefused(Exception):
    """The receipt could not be used; `response` tells the resident why."""

    def __init__(self, response: HTMLResponse) -> None:
        self.response = response


@router.get("/{lang}/check", name="check_form")
async def check_form(language: SiteLanguage, request: Request) -> HTMLResponse:
    """The form asking for the receipt."""
    return _check_page(request, language)


@router.post("/{lang}/check")
async def check(language: SiteLanguage, request: Request, form: CheckedForm) -> HTMLResponse:
    """Show the case status and the conversation of the receipt's report."""
    inbox, receipt = await _unlock(request, language, form)
    return await _inbox_page(request, language, inbox, receipt)


@router.post("/{lang}/check/reply")
async def reply(language: SiteLanguage, request: Request, form: CheckedForm) -> HTMLResponse:
    """Send the reporter's answer or additional information to the office."""
    context = request.app.state.context
    inbox, receipt = await _unlock(request, language, form)
    text = str(form.get("text", "")).strip()
    limit = context.settings.max_reply_chars
    if not text:
        problem = FieldProblem("text", N_("Please write your message."))
    elif len(text) > limit:
        problem = FieldProblem("text", N_("Your message is too long. Please shorten it."))
    else:
        try:
            await send_reply(inbox, text, inboxes=context.inboxes, office_key=context.keys.office, delivery=context.delivery())
        except NotDelivered:
            return await _inbox_page(request, language, inbox, receipt, status=503, notice="not_sent", draft=text)
        return await _inbox_page(request, language, inbox, receipt, notice="sent")
    return await _inbox_page(request, language, inbox, receipt, status=422, problems=[problem], draft=text)


@router.post("/{lang}/check/delete")
async def delete(language: SiteLanguage, request: Request, form: CheckedForm) -> HTMLResponse:
    """Erase the report at the reporter's request (GDPR Art. 17), after they confirmed it."""
    context = request.app.state.context
    inbox, receipt = await _unlock(request, language, form)
    if form.get("confirm") != "yes":
        problem = FieldProblem("confirm", N_("Please tick the box to confirm that you want to delete your report."))
        return await _inbox_page(request, language, inbox, receipt, status=422, problems=[problem])
    try:
        await erase_report(inbox, inboxes=context.inboxes, delivery=context.delivery())
    except NotDelivered:
        return await _inbox_page(request, language, inbox, receipt, status=503, notice="not_erased")
    return context.pages.render(request, language, "erased.html", page="/")


async def _unlock(request: Request, language: Language, form: FormData) -> tuple[UnlockedInbox, str]:
    context = request.app.state.context
    typed = str(form.get("receipt", ""))[:TYPED_RECEIPT_MAX]  # shown again, so the resident can correct it
    try:
        receipt = normalise_receipt(typed)
    except MalformedReceipt:
        raise ReceiptRefused(_check_page(request, language, problem="malformed", typed=typed, status=422)) from None
    admission = await context.throttle.attempt(client_address(request))
    if isinstance(admission, Refusal):
        page = _check_page(request, language, problem=admission.reason.value, wait=admission.retry_after, typed=typed, status=429)
        page.headers["retry-after"] = str(admission.retry_after)
        raise ReceiptRefused(page)
    await asyncio.sleep(admission.delay)  # the global brake slows everyone down instead of refusing anyone
    try:
        inbox = await find_inbox(receipt, inboxes=context.inboxes, hasher=context.hasher)
    except ReceiptNotFound:
        await context.throttle.failed(admission)
        raise ReceiptRefused(_check_page(request, language, problem="not_found", typed=typed, status=404)) from None
    except PyMongoError:
        await context.throttle.forgive(admission)
        raise ReceiptRefused(_check_page(request, language, problem="unavailable", typed=typed, status=503)) from None
    await context.throttle.forgive(admission)
    return inbox, receipt


async def _inbox_page(
    request: Request,
    language: Language,
    inbox: UnlockedInbox,
    receipt: str,
    *,
    status: int = 200,
    problems: list[FieldProblem] | None = None,
    notice: str | None = None,
    draft: str = "",
) -> HTMLResponse:
    context = request.app.state.context
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
    )


def _check_page(
    request: Request, language: Language, *, problem: str | None = None, wait: int = 0, typed: str = "", status: int = 200
) -> HTMLResponse:
    return request.app.state.context.pages.render(
        request, language, "check.html", page="/check", status=status, problem=problem, wait=wait, typed=typed
    )
