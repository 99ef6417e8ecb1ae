"""What the reporter does after submitting: replies, added files and erasure requests, consumed from the reports topic."""

from collections.abc import Sequence

from uuid import UUID

from meldestelle_shared.events import Event, ReporterEvidenceAdded, ReporterReplied, ReportErasureRequested
from meldestelle_shared.signing import verify
from triage.audit.log import SYSTEM, AuditLog
from triage.cases.model import Case, case_id_for, reporter_reply
from triage.cases.repository import CaseRepository
from triage.cases.service import Publish
from triage.evidence.model import EvidenceItem
from triage.evidence.service import EvidenceDesk, make_safe_copies


async def apply_followups(
    events: Sequence[Event], *, cases: CaseRepository, audit: AuditLog, publish: Publish, evidence: EvidenceDesk
) -> None:
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
            await add_later_evidence(case, event, cases=cases, desk=evidence)
        else:
            await erase_case(case, "reporter_request", cases=cases, audit=audit, publish=publish)


async def add_later_evidence(case: Case, event: ReporterEvidenceAdded, *, cases: CaseRepository, desk: EvidenceDesk) -> None:
    """Attach files added through the follow-up page as pending, then make their safe copies.

    Recorded for erasure first, as for a new report's files. The conversion runs here, in the reports
    consumer, because no case event announces later files; it is rare and bounded by the converter's time limit.
    """
    case_id = str(case.id)
    await desk.copies.remember(case_id, [str(file.evidence_id) for file in event.evidence])
    for file in event.evidence:
        await cases.add_evidence_once(case_id, EvidenceItem.received(file))
    await make_safe_copies([case_id], cases=cases, desk=desk)


async def erase_case(case: Case, reason: str, *, cases: CaseRepository, audit: AuditLog, publish: Publish) -> None:
    """Delete a case entirely: announce it first, so a crash in between repeats the same event, never loses it."""
    await publish([case.erasure(reason)])
    if await cases.delete(case.id):
        await audit.append(SYSTEM, "case.erase", case_id=case.id, reason=reason)
