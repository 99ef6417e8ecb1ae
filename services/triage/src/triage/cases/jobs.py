"""Scheduled work on cases: priority refresh, first-response reminders and retention. Counts are logged, never contents."""

import logging
from datetime import UTC, date, datetime, timedelta

from meldestelle_shared.days import in_office_time, office_timezone
from triage.audit.log import AuditLog
from triage.cases.followups import erase_case
from triage.cases.outbox import deliver
from triage.cases.deadlines import add_months
from triage.cases.repository import CaseRepository
from triage.cases.seen import SeenToday, unseen_cases
from triage.cases.service import CaseRules, Publish
from triage.cases.workdays import working_days_between

log = logging.getLogger(__name__)


async def refresh_priorities(today: date, *, cases: CaseRepository, rules: CaseRules, seen: SeenToday | None = None) -> int:
    """Recompute the priority of open cases with an AGG deadline, which turn high as it nears; returns changes."""
    changed = 0
    entries = [entry for entry in await cases.queue.open_entries() if entry.get("agg_deadline") is not None]
    async for case in unseen_cases(entries, today, seen, read=cases.get_many):
        refreshed = case.reprioritised(today, rules)
        if (refreshed.priority.priority, refreshed.priority.reason) != (case.priority.priority, case.priority.reason):
            await cases.update(case, refreshed)
            changed += 1
    return changed


def first_response_due(received_at: datetime, working_days: int) -> date:
    """The first office day on which a case still new counts as overdue."""
    day = in_office_time(received_at).date()
    while working_days_between(in_office_time(received_at).date(), day) < working_days:
        day += timedelta(days=1)
    return day


async def remind_overdue(today: date, *, working_days: int, cases: CaseRepository, publish: Publish, seen: SeenToday | None = None) -> int:
    """Emit FirstResponseOverdue for each case still new after `working_days` that awaits a response, at most once per case and day."""
    # Working days are never fewer than calendar days, so older-than-N-calendar-days narrows the search safely.
    bound = datetime.combine(today - timedelta(days=working_days), datetime.min.time(), office_timezone())
    entries = [entry for entry in await cases.queue.open_entries() if entry["status"] == "new" and entry["received_at"] < bound]
    reminded = 0
    async for case in unseen_cases(entries, today, seen, read=cases.get_many):
        waited = working_days_between(in_office_time(case.received_at).date(), today)
        if case.status.value != "new" or case.reminded_on == today.isoformat() or waited < working_days or not case.awaits_first_response:
            continue
        change = case.remind_overdue(today, waited)
        # The guard on reminded_on makes a second run on the same day (or a second instance) a no-op.
        if await cases.apply(change) is not None:
            await deliver(case.id, change.events, cases=cases, publish=publish)
            reminded += 1
    return reminded


async def apply_retention(
    now: datetime, *, months: int, cases: CaseRepository, audit: AuditLog, publish: Publish
) -> tuple[int, int]:
    """Delete cases closed more than `months` ago and flag never-closed older ones for review; returns both counts."""
    cutoff = datetime.combine(add_months(now.astimezone(UTC).date(), -months), now.astimezone(UTC).timetz())
    erased = 0
    while batch := await cases.closed_before(cutoff):
        for case in batch:
            await erase_case(case, "retention", cases=cases, audit=audit, publish=publish)
            erased += 1
    flagged = await cases.flag_unclosed_before(cutoff)
    log.info("retention applied", extra={"erased": erased, "flagged_for_review": flagged})
    return erased, flagged
