"""The edge: the one place triage's domain errors become HTTP, as `{error, message, fields}` on the API and a page (or the
login form) in the workbench; and the headers every answer carries."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from meldestelle_shared.web import ERROR_RESPONSES, ErrorBody, error_response
from triage.auth import is_api
from triage.errors import Conflict, CsrfRejected, Forbidden, Invalid, Locked, LoginFailed, NotAuthenticated, NotFound, Refusal
from triage.workbench.pages import render

STATUS: dict[type[Refusal], int] = {
    Refusal: 400, NotAuthenticated: 401, LoginFailed: 401, Forbidden: 403, CsrfRejected: 403, NotFound: 404, Conflict: 409,
    Invalid: 422, Locked: 429,
}  # fmt: skip

# Workbench pages and API answers hold case data: no caching, no framing, no foreign scripts.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

# Every status the staff API may answer with besides success, for the OpenAPI document.
API_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    401: {"model": ErrorBody, "description": "No valid session or API token, or the login failed."},
    403: {"model": ErrorBody, "description": "The role or the case's assignment does not allow this, or the CSRF token is missing."},
    404: {"model": ErrorBody, "description": "No such case or account."},
    409: {"model": ErrorBody, "description": "Not possible in the case's current state (e.g. the workflow)."},
    429: {"model": ErrorBody, "description": "Too many failed logins from this client: wait and try again."},
}


def status_of(refusal: Refusal) -> int:
    """The HTTP status a refusal is answered with."""
    return next(STATUS[kind] for kind in type(refusal).__mro__ if kind in STATUS)


def install_refusal_handlers(app: FastAPI) -> None:
    """Refusals become `{error, message, fields}` on the API and a page (or the login form) in the workbench."""
    json_validation = app.exception_handlers[RequestValidationError]
    json_http = app.exception_handlers[HTTPException]

    @app.exception_handler(Refusal)
    async def _refused(request: Request, exc: Refusal) -> Response:
        if is_api(request):
            response = error_response(status_of(exc), exc.error, exc.message, exc.fields)
            if isinstance(exc, NotAuthenticated):
                response.headers["WWW-Authenticate"] = "Bearer"
            return response
        if isinstance(exc, NotAuthenticated):
            return RedirectResponse(f"/login?reason={exc.reason}", status_code=303)
        return render(request, "error.html", status_of(exc), message=exc.message, fields=exc.fields)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request):
            return await json_validation(request, exc)
        fields = [{"field": ".".join(str(p) for p in e["loc"][1:]), "reason": e["msg"]} for e in exc.errors()]
        return render(request, "error.html", 422, message="Please check the marked fields.", fields=fields)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if is_api(request) or request.url.path.startswith("/static/"):
            return await json_http(request, exc)
        return render(request, "error.html", exc.status_code, message=str(exc.detail), fields=[])

    @app.middleware("http")
    async def _security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "public, max-age=86400"  # htmx and CSS: fine to cache
        return response
