"""The event catalogue page: one service's AsyncAPI document (docs/asyncapi), drawn by the vendored AsyncAPI viewer."""

import json
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from triage.bootstrap import context_of
from triage.errors import NotFound
from triage.workbench.pages import templates

router = APIRouter(include_in_schema=False)

Service = Literal["intake", "triage", "notify"]

# The viewer compiles the documents' JSON schemas at run time (new Function), so this page alone allows eval.
# It runs sandboxed in an opaque origin, so even a script gone wrong here cannot read the workbench's pages or
# send its forms; the page holds no case data and loads nothing but its own static files.
CATALOGUE_POLICY = (
    "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; sandbox allow-scripts; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def load_document(folder: Path | None, service: str) -> str:
    """The service's AsyncAPI document as JSON that is safe inside a <script> data block."""
    path = folder / f"{service}.json" if folder else None
    if path is None or not path.is_file():
        raise NotFound("The event catalogue is not installed here (TRIAGE_EVENT_CATALOGUE_DIR names its folder).")
    document = json.loads(path.read_text(encoding="utf-8"))
    return json.dumps(document).replace("<", "\\u003c")  # no "</script>" can end the data block early


@router.get("/events")
async def event_catalogue(request: Request, service: Service = "triage") -> HTMLResponse:
    """The events a service sends and reads: topics, fields and schema versions, readable without a login."""
    document = load_document(context_of(request).settings.event_catalogue_dir, service)
    response = templates.TemplateResponse(request, "catalogue.html", {"service": service, "document": document})
    response.headers["Content-Security-Policy"] = CATALOGUE_POLICY
    return response
