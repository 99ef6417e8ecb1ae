"""Events wait in their case's outbox (written with the change itself) until Kafka acknowledges them.

FerretDB has no transactions, so a change and "publish this event" must be one document write;
the relay republishes whatever a crash or a Kafka outage left behind, with the same event ids. It finds them
through a small collection of marks, one per event, written before the change and deleted with the event
(`CaseRepository.with_pending_events`); once a day it also scans every case, for events left without a mark.
"""

import logging
from collections.abc import Sequence

from meldestelle_shared.errors import TRANSIENT_ERRORS
from meldestelle_shared.events import Event, decode_event
from triage.cases.repository import CaseRepository
from triage.cases.service import Publish

log = logging.getLogger(__name__)


async def deliver(case_id: str, events: Sequence[Event], *, cases: CaseRepository, publish: Publish) -> bool:
    """Publish a change's events and clear them from the outbox; on an outage leave them for the relay."""
    if not events:
        return True
    try:
        await publish(events)
    except TRANSIENT_ERRORS as error:
        log.warning("events left in the outbox", extra={"case_id": case_id, "error": type(error).__name__})
        return False
    await cases.clear_outbox(case_id, [str(event.event_id) for event in events])
    return True


async def relay_outbox(*, cases: CaseRepository, publish: Publish, everywhere: bool = False) -> int:
    """Publish the events still waiting in outboxes, found by their marks (or by a scan of every case: `everywhere`); returns how many went out."""
    sent = 0
    for case_id, encoded in await cases.with_pending_events(everywhere=everywhere):
        events = [decode_event(data.encode()) for data in encoded]
        # Events of one case go out in the order they happened.
        events.sort(key=lambda event: event.occurred_at)
        if await deliver(case_id, events, cases=cases, publish=publish):
            sent += len(events)
    return sent
