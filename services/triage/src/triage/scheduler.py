"""The scheduled jobs, run by one instance of triage at a time (a lease per period): every TRIAGE_JOB_INTERVAL_SECONDS
a round over the open cases, and once a day a sweep over the archive.

A round reads the open entries from this process's copy and only the cases new or changed since it last checked them
that day (`triage.cases.seen`), so its cost follows what changed, not the size of the queue or the archive. The daily
sweep is the one place that filters the whole `cases` collection: retention needs the long-closed cases, and the
outbox scan catches events a mark never announced.
"""

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

from meldestelle_shared.errors import TRANSIENT_ERRORS
from meldestelle_shared.settings import office_today
from triage.bootstrap import TriageContext
from triage.cases.jobs import apply_retention, refresh_priorities, remind_overdue
from triage.cases.outbox import relay_outbox
from triage.cases.reminding import send_deadline_reminders

log = logging.getLogger(__name__)

DAY = timedelta(days=1)


async def run_jobs(context: TriageContext) -> None:
    """One round: republish stranded events, refresh priorities, remind leads and assignees, purge sessions."""
    desk, settings, memory = context.desk, context.settings, context.jobs
    today, now, started = office_today(), datetime.now(UTC), time.monotonic()
    relayed = await relay_outbox(cases=desk.cases, publish=desk.publish)
    refreshed = await refresh_priorities(today, cases=desk.cases, rules=desk.rules, seen=memory.priorities)
    reminded = await remind_overdue(
        today, working_days=settings.first_response_working_days, cases=desk.cases, publish=desk.publish, seen=memory.first_responses
    )
    deadline = settings.deadline
    deadline_reminders = await send_deadline_reminders(
        today, lead_times=deadline.reminder_working_days, periods=deadline.periods(), cases=desk.cases,
        sent=context.sent_reminders, publish=desk.publish, seen=memory.deadlines,
    )  # fmt: skip
    purged = await context.sessions.delete_idle_since(now - context.policy.idle)
    counts = {"relayed": relayed, "priorities_changed": refreshed, "reminders": reminded, "deadline_reminders": deadline_reminders}
    log.info("scheduled jobs ran", extra={**counts, "sessions_purged": purged, "seconds": round(time.monotonic() - started, 3)})


async def run_daily(context: TriageContext) -> None:
    """Once a day: apply retention, relay events left in an outbox without a mark, forget reminder claims of past deadlines."""
    desk, started = context.desk, time.monotonic()
    await apply_retention(datetime.now(UTC), months=context.settings.retention_months, cases=desk.cases, audit=desk.audit, publish=desk.publish)
    relayed = await relay_outbox(cases=desk.cases, publish=desk.publish, everywhere=True)
    forgotten = await context.sent_reminders.forget_past(office_today())
    log.info("daily sweep ran", extra={"relayed": relayed, "reminder_claims_deleted": forgotten, "seconds": round(time.monotonic() - started, 3)})


async def run_forever(context: TriageContext) -> None:
    """Run the round when this instance holds the period's lease, and the sweep when it holds the day's, then wait; an
    outage or a bug in one round is logged and the next round tries again (a failed sweep waits for the next day)."""
    period = timedelta(seconds=context.settings.job_interval_seconds)
    while True:
        try:
            if await context.leases.claim("triage-jobs", period):
                await run_jobs(context)
            if await context.leases.claim("triage-daily", DAY):
                await run_daily(context)
        except TRANSIENT_ERRORS as error:
            log.warning("scheduled jobs paused by an outage", extra={"error": type(error).__name__})
        except Exception:  # noqa: BLE001 - a bug in one round must not stop reminders and retention for good
            log.exception("scheduled jobs failed")
        await asyncio.sleep(context.settings.job_interval_seconds)
