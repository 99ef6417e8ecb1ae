"""Triage rules: which priority a case gets, and why. Plain functions, tested by a table."""

import calendar
from dataclasses import dataclass
from datetime import date

from meldestelle_shared.taxonomy import Form, LifeArea, Priority

# AGG §15(4) (employment) and §21(5) (civil-law dealings) give two months to assert a claim.
AGG_LIFE_AREAS = frozenset({LifeArea.WORK, LifeArea.HOUSING, LifeArea.GOODS_AND_SERVICES})
URGENT_FORMS = frozenset({Form.PHYSICAL_VIOLENCE, Form.THREAT})


@dataclass(frozen=True)
class PriorityDecision:
    """A priority with the rule that gave it and, where the AGG applies, the claim deadline."""

    priority: Priority
    reason: str
    agg_deadline: date | None = None


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def agg_deadline(life_area: LifeArea | None, incident_date: str | None, *, months: int) -> date | None:
    """The last day to assert an AGG claim, or None where the AGG period does not apply or is unknown.

    A month without a day counts from its first day: the earliest possible deadline, so none is missed.
    """
    if life_area not in AGG_LIFE_AREAS or not incident_date:
        return None
    year, month, *day = (int(part) for part in incident_date.split("-"))
    return add_months(date(year, month, day[0] if day else 1), months)


def assess_priority(
    *,
    forms: list[Form],
    life_area: LifeArea | None,
    incident_date: str | None,
    today: date,
    deadline_months: int = 2,
    near_days: int = 21,
) -> PriorityDecision:
    """Urgent for violence or threats and on an AGG deadline's last day; high while it is near; normal otherwise."""
    deadline = agg_deadline(life_area, incident_date, months=deadline_months)
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
