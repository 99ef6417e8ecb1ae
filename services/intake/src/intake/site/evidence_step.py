"""The form's optional evidence step: files are sealed and stored the moment they are posted, and only their
references stay with the (sealed) draft, so no step after it carries a file again and none waits in a cookie.

A stored file is "pending" (intake.evidence.locker) until the report is acknowledged; a file removed on
the page is deleted at once, and a form that is never sent leaves its files to the sweep.
"""

from dataclasses import replace
from uuid import UUID

from fastapi import Request

from intake.bootstrap import IntakeContext
from intake.evidence.files import EvidenceRefused, accept
from intake.evidence.locker import EvidenceNotStored
from intake.site.labels import N_
from intake.site.report_form import FieldProblem
from intake.site.web import uploaded_files
from meldestelle_shared.events import EvidenceFile

REFUSALS = {
    413: N_("A file is too large, or all files together are. Please look at the limits above."),
    415: N_("This type of file cannot be accepted. Please add only images, PDF documents or text files."),
    422: N_("You cannot add more files. Please remove one first."),
}
NOT_STORED = N_("Your files were NOT saved: the system is briefly unavailable. Please try again in a minute.")
TOO_OFTEN = N_("Many files were sent from your connection in a short time. Please try again later.")
GONE = N_("A file you added earlier is no longer stored. Please add it again.")
KINDS = {"image/jpeg": N_("Image"), "image/png": N_("Image"), "image/webp": N_("Image"), "application/pdf": N_("PDF document"),
         "text/plain": N_("Text file")}  # fmt: skip


async def update_evidence(
    request: Request, context: IntakeContext, action: str, evidence: list[EvidenceFile], *, form_id: str, client: str
) -> tuple[list[EvidenceFile], FieldProblem | None, int]:
    """Apply the evidence step's post: remove a file, or store the files posted; returns the files, a problem and a status.

    Storing counts against the client's report limit, so nobody fills the store with forms never sent.
    """
    if action.startswith("remove:"):
        kept = [file for file in evidence if str(file.evidence_id) != action.removeprefix("remove:")]
        await context.evidence.discard([file for file in evidence if file not in kept])
        return kept, None, 200
    posted = uploaded_files(request)
    if not posted:
        return evidence, None, 200
    limits = context.evidence_limits
    room = replace(
        limits,
        max_files=limits.max_files - len(evidence),
        max_total_bytes=limits.max_total_bytes - sum(file.size for file in evidence),
    )
    try:
        uploads = accept(posted, room)
        if await context.submissions.attempt(client):
            return evidence, FieldProblem("files", TOO_OFTEN), 429
        stored = await context.evidence.store(uploads, report_id=UUID(form_id))
    except EvidenceRefused as refusal:
        return evidence, FieldProblem("files", REFUSALS.get(refusal.status, REFUSALS[415])), refusal.status
    except EvidenceNotStored:
        return evidence, FieldProblem("files", NOT_STORED), 503
    return evidence + stored, None, 200


async def still_stored(context: IntakeContext, evidence: list[EvidenceFile]) -> tuple[list[EvidenceFile], FieldProblem | None]:
    """The draft's files that are still stored (the sweep may have taken a file of a form left open for hours)."""
    kept = [file for file in evidence if await context.evidence.is_stored(file)]
    return kept, (FieldProblem("files", GONE) if len(kept) < len(evidence) else None)
