"""What the reporter does after submitting: replies and erasure requests, consumed from the reports topic."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from meldestelle_shared.events import CaseErased, Event, ReporterReplied, ReportErasureRequested
from meldestelle_shared.signing import verify
from triage.audit.log import SYSTEM, AuditLog
from triage.cases.repository import CaseRepository
from triage.cases.service import Publish, case_id_for

# Event ids derived from what caused them: a redelivered request emits the very same event.
_TRIAGE_EVENT_IDS = uuid5(NAMESPACE_URL, "https://meldestelle/triage/events")


def derived_event_id(*parts: object) -> UUID:
    """A stable event id for a step that may be retried."""
    return uuid5(_TRIAGE_EVENT_IDS, ":".join(str(part) for part in parts))


async def apply_followups(events: Sequence[Event], *, cases: CaseRepository, audit: AuditLog, publish: Publish) -> None:
    """Put reporter replies on their case's timeline (once each, marked unread) and erase cases on request, in order.

    Each must carry the reporter's signature, checked against the key stored with the case; a forgery
    raises ForgedSignature, so the consumer dead-letters it and nothing changes.
    """
    for event in events:
        if not isinstance(event, ReporterReplied | ReportErasureRequested):
            continue
        case = await cases.get(UUID(case_id_for(event.report_id)))
        if case is None:
            continue  # erased already, or never opened: nothing to add to or to erase
        verify(case.get("reporter_verify_key"), event.signed_content(), event.signature)
        if isinstance(event, ReporterReplied):
            entry = {"id": str(event.message_id), "kind": "reporter_message", "at": event.occurred_at, "actor_id": None, "sealed_text": event.sealed_text}
            await cases.add_reply_once(event.report_id, entry)
        else:
            await erase_case(case, "reporter_request", cases=cases, audit=audit, publish=publish)


async def erase_case(case: dict[str, Any], reason: str, *, cases: CaseRepository, audit: AuditLog, publish: Publish) -> None:
    """Delete a case entirely: announce it first, so a crash in between repeats the same event, never loses it."""
    report_id = UUID(case["report_id"])
    event = CaseErased(
        event_id=derived_event_id("CaseErased", case["_id"]),
        occurred_at=datetime.now(UTC),
        correlation_id=report_id,
        case_id=UUID(case["_id"]),
        report_id=report_id,
        reason=reason,
    )
    await publish([event])
    if await cases.delete(case["_id"]):
        await audit.append(SYSTEM, "case.erase", case_id=case["_id"], reason=reason)
