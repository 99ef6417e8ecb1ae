"""Workbench routes for a case's files: its safe copies for everyone who may read the case, the original for a lead with a reason.

A file is only ever served with its own type, `nosniff` and a sandboxing CSP; downloads as attachments. A file that
could not be made safe has no route but the original's, which always downloads and never opens in the browser.
"""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from triage.auth import Principal, Reader, require
from triage.bootstrap import Context
from triage.cases.access import load_case
from triage.errors import Invalid
from triage.evidence.service import evidence_item, open_original, open_safe_copy
from triage.evidence.store import CONTENT, THUMBNAIL
from triage.staff.permissions import Permission
from triage.workbench.pages import render

router = APIRouter(include_in_schema=False)
OriginalOpener = Annotated[Principal, require(Permission.EVIDENCE_ORIGINAL)]
# No script, plugin, form or navigation in a served file, even if a browser were to mistake its type.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf", "text/plain; charset=utf-8": "txt"}
REASON_LIMITS = (10, 300)


def file_response(content: bytes, media_type: str, filename: str, *, attachment: bool) -> Response:
    """A file answer that no browser will run or sniff."""
    disposition = "attachment" if attachment else "inline"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"', "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": FILE_CSP, "Cache-Control": "no-store",
        },
    )  # fmt: skip


@router.get("/cases/{case_id}/evidence/{evidence_id}/{use}")
async def safe_copy(principal: Reader, case_id: str, evidence_id: str, use: str, context: Context) -> Response:
    """A file's safe copy to view (`view`), to download (`download`), or its thumbnail (`thumbnail`)."""
    if use not in ("view", "download", "thumbnail"):
        raise Invalid("use", "must be view, download or thumbnail")
    case = await load_case(case_id, principal, context)
    item = evidence_item(case, evidence_id)
    content = await open_safe_copy(item, THUMBNAIL if use == "thumbnail" else CONTENT, desk=context.evidence)
    if use != "thumbnail":
        await context.audit.append(principal.actor, f"evidence.{use}", case_id=case.id)
    media_type = "image/png" if use == "thumbnail" else str(item.safe_media_type)
    name = f"{case.reference}-{_position(case.evidence, item.id)}-{'thumbnail' if use == 'thumbnail' else 'safe'}.{_EXTENSIONS.get(media_type, 'bin')}"
    return file_response(content, media_type, name, attachment=use == "download")


@router.get("/cases/{case_id}/evidence/{evidence_id}/original/reason")
async def original_form(principal: OriginalOpener, case_id: str, evidence_id: str, request: Request, context: Context) -> Response:
    """The form a lead fills in to open an original: the reason goes to the audit log."""
    case = await load_case(case_id, principal, context)
    return render(request, "evidence_original.html", principal=principal, case=case, item=evidence_item(case, evidence_id), limits=REASON_LIMITS)


@router.post("/cases/{case_id}/evidence/{evidence_id}/original")
async def original(principal: OriginalOpener, case_id: str, evidence_id: str, request: Request, context: Context) -> Response:
    """The sealed original, opened for a lead who stated why; always a download, never shown in the browser."""
    case = await load_case(case_id, principal, context)
    item = evidence_item(case, evidence_id)
    reason = " ".join(str((await request.form()).get("reason", "")).split())
    if not REASON_LIMITS[0] <= len(reason) <= REASON_LIMITS[1]:
        raise Invalid("reason", f"state why you open the original, in {REASON_LIMITS[0]} to {REASON_LIMITS[1]} characters")
    await context.audit.append(principal.actor, "evidence.original", case_id=case.id, reason=reason)
    content = await open_original(item, desk=context.evidence)
    # As an opaque download: the original was never made safe, so no browser may interpret it.
    return file_response(content, "application/octet-stream", f"{case.reference}-{_position(case.evidence, item.id)}-original.bin", attachment=True)


def _position(evidence: tuple, evidence_id: str) -> int:
    return next(index for index, item in enumerate(evidence, start=1) if item.id == evidence_id)
