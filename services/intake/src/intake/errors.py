"""The one place intake's domain errors become HTTP: JSON on the API, the site's error pages in the resident's language."""

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.types import Scope

from intake.evidence.files import EvidenceRefused
from intake.followup.repository import DuplicateReport
from intake.followup.service import ReceiptRefused
from intake.receipts import MalformedReceipt
from intake.reports.service import ReportNotSaved, TooManyReports
from intake.site.rendering import Pages
from intake.site.web import FormRejected, language_of_path
from intake.statistics.service import NotPublished
from meldestelle_shared import web

DOMAIN_ERRORS = (EvidenceRefused, ReportNotSaved, TooManyReports, DuplicateReport, NotPublished, MalformedReceipt, ReceiptRefused, FormRejected)
# Errors the site shows as its message page (message.html's kinds); the rest are answered in JSON.
MESSAGE_PAGES: dict[type[Exception], tuple[int, str]] = {
    FormRejected: (403, "form_rejected"),
    DuplicateReport: (409, "duplicate"),
    MalformedReceipt: (422, "malformed_receipt"),
}
HTTP_PAGES = {400: "bad_request", 404: "not_found", 405: "not_found"}
RECEIPT_STATUS = {"malformed": 422, "not_found": 404, "unavailable": 503}  # the throttle's refusals are 429


def install_error_handlers(app: FastAPI, pages: Pages) -> None:
    """Map validation failures, HTTP errors and intake's domain errors to responses, by where the request went."""
    web.install_error_handlers(app)
    json_http_error = app.exception_handlers[HTTPException]

    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _is_api(request) or exc.status_code not in HTTP_PAGES:
            return await json_http_error(request, exc)
        return message_page(pages, exc.status_code, HTTP_PAGES[exc.status_code])(request.scope)

    async def domain_error(request: Request, exc: Exception) -> Response:
        if _is_api(request) or (page := _site_page(request, exc, pages)) is None:
            return _json(exc)
        return page

    app.add_exception_handler(HTTPException, http_error)
    for error in DOMAIN_ERRORS:
        app.add_exception_handler(error, domain_error)


def message_page(pages: Pages, status: int, kind: str) -> Callable[[Scope], Response]:
    """A renderer of the message page `kind`, in the language of the requested address."""

    def render(scope: Scope) -> Response:
        return pages.render(Request(scope), language_of_path(scope["path"]), "message.html", page="/", status=status, kind=kind)

    return render


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/static/"))


def _site_page(request: Request, exc: Exception, pages: Pages) -> Response | None:
    if isinstance(exc, ReceiptRefused):
        status = RECEIPT_STATUS.get(exc.problem, 429)
        language = language_of_path(request.url.path)
        page = pages.render(
            request, language, "check.html", page="/check", status=status, problem=exc.problem, wait=exc.retry_after, typed=exc.typed
        )
        if status == 429:
            page.headers["retry-after"] = str(exc.retry_after)
        return page
    if type(exc) in MESSAGE_PAGES:
        return message_page(pages, *MESSAGE_PAGES[type(exc)])(request.scope)
    return None


def _json(exc: Exception) -> Response:
    if isinstance(exc, EvidenceRefused):
        return web.error_response(exc.status, exc.error, exc.message, [web.FieldError(field="files", reason=exc.message)])
    if isinstance(exc, ReportNotSaved):
        return web.error_response(
            503, "report_not_saved", "Your report was NOT saved: the system is briefly unavailable. Please try again."
        )
    if isinstance(exc, TooManyReports):
        response = web.error_response(
            429, "too_many_requests", f"Too many reports from this connection. Please try again in {exc.retry_after} seconds."
        )
        response.headers["retry-after"] = str(exc.retry_after)
        return response
    if isinstance(exc, NotPublished):
        return web.error_response(
            404,
            "not_published",
            f"Statistics for {exc.args[0]} are not published: a month is published only after it has closed, "
            "on a set day of the following month.",
        )
    if isinstance(exc, DuplicateReport):
        return web.error_response(409, "duplicate_report", "This report was received before; it was not saved again.")
    if isinstance(exc, MalformedReceipt):
        return web.error_response(422, "malformed_receipt", "A receipt has exactly 16 digits.")
    return web.error_response(403, "forbidden", "The request was refused.")  # a site form's error on an API address
