"""Triage rules: which priority a case gets, and why. Plain functions, tested by a table."""

from dataclasses import dataclass
from datetime import date

from meldestelle_shared.taxonomy import Form, Priority

URGENT_FORMS = frozenset({Form.PHYSICAL_VIOLENCE, Form.THREAT})


@dataclass(frozen=True)
class PriorityDecision:
    """A priority with the rule that gave it and, where the AGG applies, the claim deadline."""

    priority: Priority
    reason: str
    agg_deadline: date | None = None


def assess_priority(
    *,
    forms: list[Form],
    agg_deadline: date | None,
    today: date,
    near_days: int = 21,
) -> PriorityDecision:
    """Urgent for violence or threats and on an AGG deadline's last day; high while it is near; normal otherwise.

    `agg_deadline` is the deadline engine's AGG claim deadline (triage/cases/deadlines), where the case has one.
    """
    deadline = agg_deadline
    if URGENT_FORMS.intersection(forms):
        return PriorityDecision(Priority.URGENT, "physical_violence_or_threat", deadline)
    if deadline is None:
        return PriorityDecision(Priority.NORMAL, "no_rule_applies")
    days_left = (deadline - today).days
    if days_left < 0:
        return PriorityDecision(Priority.NORMAL, "agg_deadline_passed", deadline)
    if days_left == 0:
        # The claim must be asserted today: tomorrow it is too late, so nothing is more pressing.
        return PriorityDecision(Priority.URGENT, "agg_deadline_today", deadline)
    if days_left <= near_days:
        return PriorityDecision(Priority.HIGH, "agg_deadline_near", deadline)
    return PriorityDecision(Priority.NORMAL, "agg_deadline_not_near", deadline)
