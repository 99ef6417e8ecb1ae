"""The triage rules as a table: each row is one case the office would recognise (the deadline comes from the deadline engine)."""

from datetime import date

import pytest

from meldestelle_shared.taxonomy import Form, Priority
from triage.cases.priority import assess_priority

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("forms", "agg_deadline", "priority", "reason"),
    [
        ([Form.PHYSICAL_VIOLENCE], None, Priority.URGENT, "physical_violence_or_threat"),
        ([Form.THREAT, Form.HARASSMENT_OR_INSULT], None, Priority.URGENT, "physical_violence_or_threat"),
        ([Form.THREAT], date(2026, 12, 1), Priority.URGENT, "physical_violence_or_threat"),
        ([Form.DENIAL_OF_ACCESS_OR_SERVICE], date(2026, 12, 10), Priority.HIGH, "agg_deadline_near"),
        ([], date(2026, 12, 16), Priority.HIGH, "agg_deadline_near"),  # 21 days left
        ([], date(2026, 12, 17), Priority.NORMAL, "agg_deadline_not_near"),  # 22 days left
        ([], date(2027, 1, 20), Priority.NORMAL, "agg_deadline_not_near"),
        ([], date(2026, 11, 24), Priority.NORMAL, "agg_deadline_passed"),
        ([], date(2026, 11, 25), Priority.URGENT, "agg_deadline_today"),
        ([], date(2026, 11, 26), Priority.HIGH, "agg_deadline_near"),
        ([], None, Priority.NORMAL, "no_rule_applies"),
    ],
)
def test_priority_rules(forms, agg_deadline, priority, reason):
    decision = assess_priority(forms=forms, agg_deadline=agg_deadline, today=TODAY)
    assert (decision.priority, decision.reason, decision.agg_deadline) == (priority, reason, agg_deadline)


def test_near_days_are_configurable():
    decision = assess_priority(forms=[], agg_deadline=date(2026, 12, 17), today=TODAY, near_days=30)
    assert (decision.priority, decision.reason) == (Priority.HIGH, "agg_deadline_near")
