"""HTTP edge of report submission: JSON, or a multipart form with files; the receipt out; errors are mapped by intake.errors."""

import json
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from intake.bootstrap import ClientAddress, Context
from intake.evidence.files import Upload, accept
from intake.evidence.multipart import MalformedForm, parse_multipart
from intake.reports.schemas import ReportCreate, ReportReceipt
from intake.reports.service import submit_report
from meldestelle_shared.web import ERROR_RESPONSES, ErrorBody

router = APIRouter(prefix="/api/v1", tags=["reports"])

_LIST_FIELDS = ("grounds", "forms", "wishes")
_MULTIPART_SCHEMA = {
    "type": "object",
    "description": "The fields of the JSON body as form fields (lists repeated, `contact.email` for the address, booleans as "
    "true/false), plus up to 5 `files`: JPEG, PNG, WebP, PDF or UTF-8 text, recognised by content; each at most 10 MiB, "
    "together at most 25 MiB (INTAKE_EVIDENCE_*).",
    "properties": {
        "description": {"type": "string"},
        "files": {"type": "array", "maxItems": 5, "items": {"type": "string", "format": "binary"}},
        "evidence_original_consent": {"type": "boolean"},
    },
    "required": ["description"],
}


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    summary="Submit a report anonymously, optionally with files",
    responses={
        **ERROR_RESPONSES,
        413: {"model": ErrorBody, "description": "A file, the files together or the body exceed their limit (named)."},
        415: {"model": ErrorBody, "description": "Neither JSON nor multipart, or a file of a type not accepted (allowed types named)."},
        422: {"model": ErrorBody, "description": "A field is missing or invalid, or more than 5 files."},
        429: {"model": ErrorBody, "description": "This client sent too many reports; `Retry-After` says when it may again."},
        503: {"description": "Kafka or the database did not take the report; neither it nor a file was saved."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ReportCreate"}},
                "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
            },
        }
    },
)
async def create_report(request: Request, context: Context, client: ClientAddress) -> ReportReceipt:
    """Accept a report (and its files); the receipt is returned only after the files are stored and Kafka has the report."""
    report, uploads = await _read_report(request, context)
    accepted = await submit_report(report, client=client, **context.submission(), uploads=uploads)
    return ReportReceipt(report_id=accepted.report_id, receipt=accepted.receipt)


def document_report_bodies(app: FastAPI) -> None:
    """Add ReportCreate (the JSON body, read by hand because the route also takes multipart) to the OpenAPI components."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            body = ReportCreate.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(body.pop("$defs", {}))
            components["ReportCreate"] = body
        return app.openapi_schema

    app.openapi = openapi


async def _read_report(request: Request, context: Context) -> tuple[ReportCreate, list[Upload]]:
    content_type = request.headers.get("content-type", "")
    body = await request.body()
    if content_type.split(";")[0].strip().lower() != "multipart/form-data":
        try:
            data = json.loads(body)
        except UnicodeDecodeError:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "The request body is not UTF-8.") from None
        except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than Python's parser goes
            raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error"}]) from None
        return _validated(lambda: ReportCreate.model_validate(data)), []
    try:
        form = parse_multipart(body, content_type)
    except MalformedForm:
        raise RequestValidationError([{"type": "multipart", "loc": ("body",), "msg": "is not a readable multipart form"}]) from None
    uploads = accept(form.files, context.evidence_limits)  # 413, 415, 422 (EvidenceRefused, intake.errors)
    fields: dict[str, Any] = {}
    for name, value in form.fields.multi_items():
        if name in _LIST_FIELDS:
            fields.setdefault(name, []).append(value)
        elif name == "contact.email":
            fields["contact"] = {"email": value}
        else:
            fields[name] = value
    return _validated(lambda: ReportCreate.model_validate(fields)), uploads


def _validated(build) -> ReportCreate:
    try:
        return build()
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_url=False)) from None
