"""HTTP conventions of every service: errors as `{error, message, fields}`, bounded bodies, JSON only on the API."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class FieldError(BaseModel):
    """One rejected field and why."""

    field: str = Field(description="Dotted path of the field, e.g. contact.email.")
    reason: str = Field(description="Why it was rejected.")


class ErrorBody(BaseModel):
    """Every error response has this shape."""

    error: str = Field(description="Stable machine-readable code.")
    message: str = Field(description="Human-readable explanation.")
    fields: list[FieldError] = Field(default_factory=list, description="The fields at fault, if any.")


# A month of receipt in a path, as both services' statistics routes take it.
Month = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM, month of receipt.", examples=["2026-03"])]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Malformed JSON."},
    413: {"model": ErrorBody, "description": "Body too large."},
    415: {"model": ErrorBody, "description": "Not application/json."},
    422: {"model": ErrorBody, "description": "A field is missing or invalid."},
}


def error_response(status: int, error: str, message: str, fields: list[FieldError] | None = None) -> JSONResponse:
    """Build an error response in the project's shape."""
    body = ErrorBody(error=error, message=message, fields=fields or [])
    return JSONResponse(body.model_dump(), status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    """Map validation failures to 400 (malformed JSON) or 422 (naming each field and reason)."""

    @app.exception_handler(RequestValidationError)
    async def _validation_failed(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(error.get("type") == "json_invalid" for error in errors):
            return error_response(400, "malformed_json", "The request body is not valid JSON.")
        fields = [FieldError(field=_field_name(error["loc"]), reason=_reason(error)) for error in errors]
        names = ", ".join(dict.fromkeys(field.field for field in fields))
        return error_response(422, "invalid_fields", f"Please check: {names}.", fields)


    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
        response = error_response(exc.status_code, _ERROR_CODES.get(exc.status_code, "error"), str(exc.detail))
        response.headers.update(exc.headers or {})
        return response


_ERROR_CODES = {400: "malformed_body", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 429: "too_many_requests"}


def _field_name(loc: tuple) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def _reason(error: dict) -> str:
    message = str(error.get("msg", "is invalid"))
    if error.get("type") == "extra_forbidden":
        return "is not a known field"
    return message.removeprefix("Value error, ")


class RequestLimits:
    """ASGI middleware: refuse bodies over a size limit (413) and non-JSON bodies on the JSON API (415).

    The body is read here, at most `max_body_bytes` of it, before the application sees it, so an
    oversized or endless body costs bounded memory. A multipart/form-data POST to an address that
    `takes_uploads` names may be up to `max_upload_bytes` (also on the JSON API), and is refused by
    its Content-Length before a byte of it is read.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        json_prefix: str = "/api/",
        takes_uploads: Callable[[str], bool] = lambda path: False,
        max_upload_bytes: int = 0,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.json_prefix = json_prefix
        self.takes_uploads = takes_uploads
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        upload = media_type == "multipart/form-data" and self.takes_uploads(scope["path"])
        limit = self.max_upload_bytes if upload else self.max_body_bytes
        if scope["path"].startswith(self.json_prefix) and not upload and media_type != "application/json":
            await self._refuse(scope, receive, send, 415, "unsupported_media_type", "Send the body as application/json.")
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, 413, "body_too_large", self._too_large(limit))
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            if len(body) > limit:
                await self._refuse(scope, receive, send, 413, "body_too_large", self._too_large(limit))
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(bytes(body), receive), send)

    def _too_large(self, limit: int) -> str:
        return f"The request body is larger than {limit // 1024} KiB."

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, error: str, message: str) -> None:
        response = error_response(status, error, message)
        response.headers["connection"] = "close"
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the buffered body to the application once, then pass on the client's later messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
