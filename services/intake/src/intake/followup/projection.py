"""Keeping the reporter read model in step with triage's case events."""

from collections.abc import Sequence

from uuid import UUID

from intake.evidence.locker import EvidenceLocker
from intake.followup.repository import InboxRepository
from meldestelle_shared.events import (
    CaseClosed,
    CaseCreated,
    CaseErased,
    CaseReopened,
    CaseStatusChanged,
    Event,
    OfficeMessageSent,
)
from meldestelle_shared.taxonomy import CaseStatus


async def apply_case_events(events: Sequence[Event], *, inboxes: InboxRepository, evidence: EvidenceLocker) -> None:
    """Apply case events in order; each step is idempotent, so a redelivered batch changes nothing.

    An erased case (by staff, the reporter or retention) takes the report's files with it.
    """
    for event in events:
        report_id = str(getattr(event, "report_id", ""))
        match event:
            case CaseCreated():
                await inboxes.link_case(report_id, str(event.case_id), event.status.value, event.occurred_at)
            case CaseStatusChanged() | CaseReopened():
                await inboxes.set_status(report_id, event.status.value, event.occurred_at)
            case CaseClosed():
                await inboxes.set_status(report_id, CaseStatus.CLOSED.value, event.occurred_at)
            case OfficeMessageSent():
                # Only reports submitted here have an inbox; a message for an erased one is dropped.
                if await inboxes.exists(report_id):
                    await inboxes.add_message(
                        {
                            "_id": str(event.message_id),
                            "report_id": report_id,
                            "author": "office",
                            "sealed": event.sealed_for_reporter,
                            "sent_at": event.occurred_at,
                        }
                    )
            case CaseErased():
                await evidence.discard([UUID(evidence_id) for evidence_id in await inboxes.evidence_ids(report_id)])
                await inboxes.delete(report_id)
