"""The deadline reminder job: each reminder the engine finds due is announced once per case, deadline and lead time.

The job reads only open cases: their ids from the queue's read model (the open entries, never the archive),
the cases themselves by `_id`, and after its first round of a day only those changed since (`triage.cases.seen`). A reminder is claimed in `deadline_reminders` under an `_id` made of the case
and the reminder's key (kind, source, due date, lead time) before its event is published, and marked sent
after Kafka acknowledged it. FerretDB has no transactions, so the claim is an insert-once: a second instance,
or the next round after a restart, finds the claim and publishes nothing new. A crash (or an outage) between
claim and acknowledgement leaves the claim pending: the next round publishes the claimed event again with the
same event id, and notify sends its e-mail once per case and reminder key.
"""

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from meldestelle_shared.events import DeadlineReminderDue
from triage.cases.deadlines import DeadlinePeriods, Reminder, reminders_due
from triage.cases.model import Case, derived_event_id
from triage.cases.repository import CaseRepository
from triage.cases.seen import SeenToday, unseen_cases
from triage.cases.service import Publish

log = logging.getLogger(__name__)

class SentReminders:
    """Which reminders were claimed and sent (`deadline_reminders`, one small document per reminder, read by `_id`)."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._sent = database["deadline_reminders"]

    async def claim(self, event: DeadlineReminderDue) -> DeadlineReminderDue | None:
        """The event to publish for this reminder, or None if it was sent already; a pending claim returns its own event."""
        key = reminder_id(str(event.case_id), event.reminder_key)
        try:
            claim = {"_id": key, "state": "pending", "event": event.model_dump_json(), "due": event.due.isoformat(), "claimed_at": datetime.now(UTC)}
            await self._sent.insert_one(claim)
            return event
        except DuplicateKeyError:
            stored = await self._sent.find_one({"_id": key})
        if stored is None or stored["state"] == "sent":
            return None  # sent, or forgotten with its erased case
        return DeadlineReminderDue.model_validate_json(stored["event"])

    async def mark_sent(self, event: DeadlineReminderDue) -> None:
        """Record that Kafka acknowledged the reminder."""
        key = reminder_id(str(event.case_id), event.reminder_key)
        await self._sent.update_one({"_id": key}, {"$set": {"state": "sent", "sent_at": datetime.now(UTC)}})

    async def forget_past(self, today: date) -> int:
        """Delete the claims of deadlines that have passed (the engine never reminds of those again); returns how many."""
        # Claims from before `due` was stored: a year after the claim, every deadline they name has passed.
        unrecorded = {"due": {"$exists": False}, "claimed_at": {"$lt": datetime.now(UTC) - timedelta(days=366)}}
        result = await self._sent.delete_many({"$or": [{"due": {"$lt": today.isoformat()}}, unrecorded]})
        return result.deleted_count


def reminder_id(case_id: str, key: str) -> str:
    """The `_id` of a reminder's claim: one per case and reminder key."""
    return f"{case_id}|{key}"


def reminder_event(case: Case, reminder: Reminder) -> DeadlineReminderDue:
    """The event of one reminder, with an id derived from the case and the key, so a re-publication is recognisable."""
    d, report_id = reminder.deadline, UUID(case.report_id)
    return DeadlineReminderDue(
        event_id=derived_event_id("DeadlineReminderDue", case.id, reminder.key),
        correlation_id=report_id, report_id=report_id, case_id=UUID(case.id),
        reference=case.reference, reminder_key=reminder.key, deadline_kind=d.kind.value, legal_basis=d.legal_basis,
        runs_from=d.runs_from, counted_from=d.counted_from.value, estimated=d.estimated, due=d.due,
        working_days_before=reminder.working_days_before, assignee_id=reminder.to.assignee_id,
    )  # fmt: skip


async def send_deadline_reminders(
    today: date, *, lead_times: Iterable[int], periods: DeadlinePeriods, cases: CaseRepository, sent: SentReminders, publish: Publish,
    seen: SeenToday | None = None,
) -> int:
    """Announce every deadline reminder due `today` on an open case that was not sent before; returns how many went out."""
    leads = tuple(lead_times)
    announced = 0
    # Full cases: statement requests set by letters are on the timeline (its sealed texts are never opened here).
    async for case in unseen_cases(await cases.queue.open_entries(), today, seen, read=partial(cases.get_many, full=True)):
        for reminder in reminders_due(case.deadlines(periods), today, lead_times=leads, assignee_id=case.assignee_id):
            event = await sent.claim(reminder_event(case, reminder))
            if event is None:
                continue
            await publish([event])
            await sent.mark_sent(event)
            announced += 1
    return announced
