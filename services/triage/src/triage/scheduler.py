"""The scheduled jobs, run every TRIAGE_JOB_INTERVAL_SECONDS by one instance of triage at a time (a lease per period)."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from meldestelle_shared.errors import TRANSIENT_ERRORS
from meldestelle_shared.settings import office_today
from triage.bootstrap import TriageContext
from triage.cases.jobs import apply_retention, refresh_priorities, remind_overdue
from triage.cases.outbox import relay_outbox
from triage.cases.reminding import SentReminders, send_deadline_reminders

log = logging.getLogger(__name__)


async def run_jobs(context: TriageContext) -> None:
    """One round: republish stranded events, refresh priorities, remind leads and assignees, apply retention, purge sessions."""
    desk, settings = context.desk, context.settings
    today, now = office_today(), datetime.now(UTC)
    relayed = await relay_outbox(cases=desk.cases, publish=desk.publish)
    refreshed = await refresh_priorities(today, cases=desk.cases, rules=desk.rules)
    reminded = await remind_overdue(today, working_days=settings.first_response_working_days, cases=desk.cases, publish=desk.publish)
    deadline = settings.deadline
    deadline_reminders = await send_deadline_reminders(
        today, lead_times=deadline.reminder_working_days, periods=deadline.periods(), cases=desk.cases,
        sent=SentReminders(context.client[settings.database]), publish=desk.publish,
    )  # fmt: skip
    await apply_retention(now, months=settings.retention_months, cases=desk.cases, audit=desk.audit, publish=desk.publish)
    purged = await context.sessions.delete_idle_since(now - context.policy.idle)
    log.info(
        "scheduled jobs ran",
        extra={"relayed": relayed, "priorities_changed": refreshed, "reminders": reminded, "deadline_reminders": deadline_reminders, "sessions_purged": purged},
    )


async def run_forever(context: TriageContext) -> None:
    """Run the jobs when this instance holds the period's lease, then wait; an outage or a bug in one round is logged and the next round tries again."""
    period = timedelta(seconds=context.settings.job_interval_seconds)
    while True:
        try:
            if await context.leases.claim("triage-jobs", period):
                await run_jobs(context)
        except TRANSIENT_ERRORS as error:
            log.warning("scheduled jobs paused by an outage", extra={"error": type(error).__name__})
        except Exception:  # noqa: BLE001 - a bug in one round must not stop reminders and retention for good
            log.exception("scheduled jobs failed")
        await asyncio.sleep(context.settings.job_interval_seconds)
