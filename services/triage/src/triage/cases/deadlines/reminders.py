"""Reminders of deadlines: when each is due (lead times in NRW working days), to whom, and why."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from triage.cases.deadlines.counting import working_days_before
from triage.cases.deadlines.rules import Deadline


@dataclass(frozen=True)
class Addressees:
    """Who a reminder goes to: the case's assignee, or the leads when nobody is assigned."""

    assignee_id: str | None
    leads: bool


def addressees_for(assignee_id: str | None) -> Addressees:
    """The assignee if there is one, else the leads."""
    return Addressees(assignee_id=assignee_id, leads=assignee_id is None)


@dataclass(frozen=True)
class Reminder:
    """A reminder of one deadline, sent `working_days_before` NRW working days before it is due."""

    deadline: Deadline
    working_days_before: int
    send_on: date
    to: Addressees

    @property
    def key(self) -> str:
        """Identifies the reminder, so a sender sends each one once (a moved due date is a new reminder)."""
        d = self.deadline
        return f"{d.kind.value}:{d.source_id}:{d.due.isoformat()}:{self.working_days_before}"

    def why(self) -> dict[str, object]:
        """What the reminder says about why it was sent."""
        d = self.deadline
        return {
            "kind": d.kind.value, "legal_basis": d.legal_basis, "due": d.due, "runs_from": d.runs_from,
            "counted_from": d.counted_from.value, "estimated": d.estimated, "working_days_before": self.working_days_before,
        }  # fmt: skip


def reminders_of(deadline: Deadline, *, lead_times: Iterable[int], assignee_id: str | None) -> tuple[Reminder, ...]:
    """One reminder per lead time, earliest first."""
    to = addressees_for(assignee_id)
    reminders = (Reminder(deadline, lead, working_days_before(deadline.due, lead), to) for lead in set(lead_times))
    return tuple(sorted(reminders, key=lambda reminder: reminder.send_on))


def reminders_due(deadlines: Iterable[Deadline], today: date, *, lead_times: Iterable[int], assignee_id: str | None) -> tuple[Reminder, ...]:
    """For each deadline not yet passed, the reminder of the shortest lead time whose day has come.

    A deadline that appears already inside a lead time (a case reported late) is reminded at once; the sender
    keeps the keys it sent, so each reminder goes out once even though it stays due until the next one.
    """
    leads = tuple(lead_times)
    due = []
    for deadline in deadlines:
        if deadline.due < today:
            continue
        come = [reminder for reminder in reminders_of(deadline, lead_times=leads, assignee_id=assignee_id) if reminder.send_on <= today]
        if come:
            due.append(come[-1])
    return tuple(due)
