"""The triage rules as a table: each row is one case the office would recognise."""

from datetime import date

import pytest

from meldestelle_shared.taxonomy import Form, LifeArea, Priority
from triage.cases.priority import add_months, assess_priority

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("forms", "life_area", "incident_date", "priority", "reason", "deadline"),
    [
        ([Form.PHYSICAL_VIOLENCE], LifeArea.PUBLIC_SPACE, None, Priority.URGENT, "physical_violence_or_threat", None),
        ([Form.THREAT, Form.HARASSMENT_OR_INSULT], None, None, Priority.URGENT, "physical_violence_or_threat", None),
        ([Form.THREAT], LifeArea.WORK, "2026-10-01", Priority.URGENT, "physical_violence_or_threat", date(2026, 12, 1)),
        ([Form.DENIAL_OF_ACCESS_OR_SERVICE], LifeArea.HOUSING, "2026-10-10", Priority.HIGH, "agg_deadline_near", date(2026, 12, 10)),
        ([], LifeArea.GOODS_AND_SERVICES, "2026-10", Priority.HIGH, "agg_deadline_near", date(2026, 12, 1)),
        ([], LifeArea.WORK, "2026-11-20", Priority.NORMAL, "agg_deadline_not_near", date(2027, 1, 20)),
        ([], LifeArea.WORK, "2026-09-24", Priority.NORMAL, "agg_deadline_passed", date(2026, 11, 24)),
        ([], LifeArea.WORK, "2026-09-25", Priority.URGENT, "agg_deadline_today", date(2026, 11, 25)),
        ([], LifeArea.WORK, "2026-09-26", Priority.HIGH, "agg_deadline_near", date(2026, 11, 26)),
        ([], LifeArea.WORK, None, Priority.NORMAL, "no_rule_applies", None),
        ([], LifeArea.PUBLIC_TRANSPORT, "2026-11-01", Priority.NORMAL, "no_rule_applies", None),
        ([], None, "2026-11-01", Priority.NORMAL, "no_rule_applies", None),
    ],
)
def test_priority_rules(forms, life_area, incident_date, priority, reason, deadline):
    decision = assess_priority(forms=forms, life_area=life_area, incident_date=incident_date, today=TODAY)
    assert (decision.priority, decision.reason, decision.agg_deadline) == (priority, reason, deadline)


def test_deadline_period_is_configurable():
    decision = assess_priority(forms=[], life_area=LifeArea.WORK, incident_date="2026-08-01", today=TODAY, deadline_months=5)
    assert decision.agg_deadline == date(2027, 1, 1) and decision.priority == Priority.NORMAL


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [(date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2024, 12, 31), 2, date(2025, 2, 28)), (date(2026, 11, 15), 2, date(2027, 1, 15))],
)
def test_add_months_clamps_to_month_end(start, months, end):
    assert add_months(start, months) == end
