"""The deadline engine: a case's legal and office-set deadlines, counted as German law counts them, and their reminders.

Rules (`rules.py`), each deadline with its kind, legal-basis text key, runs-from date, due date and source id:
- AGG §15(4), life area work: `TRIAGE_DEADLINE_AGG_15_4_MONTHS` (2) months to assert a claim in writing;
- AGG §21(5), life areas housing and goods and services: `TRIAGE_DEADLINE_AGG_21_5_MONTHS` (2) months;
  both run from when the person learned of the discrimination: the date staff recorded, else the reported
  incident date, else the first day of the reported month (the earliest possible start, so the deadline is
  never later than the real one), else the day the report arrived (the latest possible start: the deadline
  is marked estimated, and the office should ask). A written claim made by the due date meets the period;
- ArbGG §61b, life area work: `TRIAGE_DEADLINE_ARBGG_61B_MONTHS` (3) months to sue, from each written claim;
- a statement request's reply date and an intervention's due date, as the office set them.

Counting (`counting.py`), §§ 187, 188, 193 BGB: the day of the event does not count (§187(1)); a period of
months ends with the day of the last month that has the same number as the event's day (§188(2)): 15 March
+ 2 months = 15 May; if that month has no such day, with its last day (§188(3)): 31 December + 2 months =
28 February, or 29 February in a leap year; an end on a Saturday, Sunday or NRW public holiday moves to the
next working day (§193). The engine returns the last day on which the claim is still in time.

Reminders (`reminders.py`) go out `TRIAGE_DEADLINE_REMINDER_WORKING_DAYS` (10,3) NRW working days before a
deadline, to the assignee, or to the leads when the case is unassigned, each saying why.
"""

from triage.cases.deadlines.counting import add_months, period_end, working_days_before
from triage.cases.deadlines.reminders import Addressees, Reminder, reminders_due, reminders_of
from triage.cases.deadlines.rules import (
    CountedFrom,
    Deadline,
    DeadlineFacts,
    DeadlineKind,
    DeadlinePeriods,
    InterventionDue,
    StatementRequest,
    WrittenClaim,
    agg_claim_deadline,
    deadlines_for,
)

__all__ = [
    "Addressees", "CountedFrom", "Deadline", "DeadlineFacts", "DeadlineKind", "DeadlinePeriods", "InterventionDue",
    "Reminder", "StatementRequest", "WrittenClaim", "add_months", "agg_claim_deadline", "deadlines_for", "period_end",
    "reminders_due", "reminders_of", "working_days_before",
]  # fmt: skip
