"""Rendering workbench pages, and turning refusals into pages (or JSON on the API)."""

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from meldestelle_shared.web import error_response
from triage.auth import is_api
from triage.errors import NotAuthenticated, Refusal
from triage.workbench.i18n import choose_language, translator
from triage.workbench.timefmt import format_date, format_moment, format_reported_date, iso_moment

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
# Workbench pages and API answers hold case data: no caching, no framing, no foreign scripts.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """A page in the request's language; `t` translates texts and codes, `day`/`moment` show office dates and times."""
    language = values.pop("language", None) or choose_language(request)
    values.setdefault("principal", None)
    translate = translator(language)

    def labels(codes: list[str]) -> str:
        return ", ".join(translate(str(code)) for code in codes) or "–"

    return templates.TemplateResponse(
        request,
        template,
        {
            "lang": language, "t": translate, "labels": labels, "iso": iso_moment,
            "day": lambda value: format_date(value, language), "reported_day": lambda text: format_reported_date(text, language),
            "moment": lambda value, seconds=False: format_moment(value, language, seconds=seconds),
            **values,
        },
        status_code=status_code,
    )  # fmt: skip


def install_refusal_handlers(app: FastAPI) -> None:
    """Refusals become `{error, message, fields}` on the API and a page (or the login form) in the workbench."""
    json_validation = app.exception_handlers[RequestValidationError]
    json_http = app.exception_handlers[HTTPException]

    @app.exception_handler(Refusal)
    async def _refused(request: Request, exc: Refusal) -> Response:
        if is_api(request):
            response = error_response(exc.status, exc.error, exc.message, exc.fields)
            if isinstance(exc, NotAuthenticated):
                response.headers["WWW-Authenticate"] = "Bearer"
            return response
        if isinstance(exc, NotAuthenticated):
            return RedirectResponse(f"/login?reason={exc.reason}", status_code=303)
        return render(request, "error.html", exc.status, message=exc.message, fields=exc.fields)

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
