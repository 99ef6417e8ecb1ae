"""What the reporter does after submitting: replies, added files and erasure requests, consumed from the reports topic."""

from collections.abc import Sequence

from uuid import UUID

from meldestelle_shared.events import Event, ReporterEvidenceAdded, ReporterReplied, ReportErasureRequested
from meldestelle_shared.signing import verify
from triage.audit.log import SYSTEM, AuditLog
from triage.cases.model import Case, case_id_for, reporter_reply
from triage.cases.repository import CaseRepository
from triage.cases.service import Publish


async def apply_followups(events: Sequence[Event], *, cases: CaseRepository, audit: AuditLog, publish: Publish) -> None:
    """Put reporter replies on their case's timeline (once each, marked unread), attach files added later, and erase cases on request, in order.

    Each must carry the reporter's signature, checked against the key stored with the case; a forgery
    raises ForgedSignature, so the consumer dead-letters it and nothing changes.
    """
    for event in events:
        if not isinstance(event, ReporterReplied | ReporterEvidenceAdded | ReportErasureRequested):
            continue
        case = await cases.get(UUID(case_id_for(event.report_id)))
        if case is None:
            continue  # erased already, or never opened: nothing to add to or to erase
        verify(case.reporter_verify_key, event.signed_content(), event.signature)
        if isinstance(event, ReporterReplied):
            entry = reporter_reply(event.message_id, at=event.occurred_at, sealed_text=event.sealed_text)
            await cases.add_reply_once(event.report_id, entry)
        elif isinstance(event, ReporterEvidenceAdded):
            # The same references ReportSubmitted.evidence carries; the files are read from intake's evidence store.
            await cases.add_evidence_once(event.report_id, [file.model_dump(mode="json") for file in event.evidence])
        else:
            await erase_case(case, "reporter_request", cases=cases, audit=audit, publish=publish)


async def erase_case(case: Case, reason: str, *, cases: CaseRepository, audit: AuditLog, publish: Publish) -> None:
    """Delete a case entirely: announce it first, so a crash in between repeats the same event, never loses it."""
    await publish([case.erasure(reason)])
    if await cases.delete(case.id):
        await audit.append(SYSTEM, "case.erase", case_id=case.id, reason=reason)
