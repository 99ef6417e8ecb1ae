"""The deadline engine as tables: BGB month counting, NRW holidays, each rule, reminders in working days, settings."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from meldestelle_shared.events import ReportSubmitted
from meldestelle_shared.taxonomy import Form, Ground, LifeArea
from triage.cases.access import case_read
from triage.cases.actions import OpenedCase
from triage.cases.deadlines import (
    Addressees,
    CountedFrom,
    Deadline,
    DeadlineFacts,
    DeadlineKind,
    DeadlinePeriods,
    InterventionDue,
    StatementRequest,
    WrittenClaim,
    add_months,
    deadlines_for,
    period_end,
    reminders_due,
    reminders_of,
    working_days_before,
)
from triage.cases.deadlines.settings import DeadlineSettings
from triage.cases.model import Case, CaseRules

K = DeadlineKind
RECEIVED = date(2026, 3, 10)


# -- counting: §§ 187, 188, 193 BGB ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 3, 15), 2, date(2026, 5, 15)),  # the day with the same number
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # February has no 31st: its last day (§188(3))
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 12, 29), 2, date(2027, 2, 28)),  # 29 Feb 2027 does not exist
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),  # across the year
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # backwards, as retention counts
    ],
)
def test_add_months_keeps_the_day_number_or_takes_the_months_last_day(start, months, end):
    assert add_months(start, months) == end


@pytest.mark.parametrize(
    ("event", "months", "end", "why"),
    [
        (date(2026, 3, 15), 2, date(2026, 5, 15), "a Friday: no shift"),
        (date(2026, 1, 31), 1, date(2026, 3, 2), "28 Feb 2026 is a Saturday"),
        (date(2028, 1, 31), 1, date(2028, 2, 29), "29 Feb 2028 exists and is a Tuesday"),
        (date(2028, 2, 29), 2, date(2028, 5, 2), "29 Apr 2028 is a Saturday, 1 May a holiday"),
        (date(2026, 12, 29), 2, date(2027, 3, 1), "no 29 Feb 2027; 28 Feb 2027 is a Sunday"),
        (date(2026, 12, 31), 2, date(2027, 3, 1), "31 Dec + 2 months = 28 Feb 2027, a Sunday"),
        (date(2027, 1, 29), 2, date(2027, 3, 30), "Easter Monday 2027"),
        (date(2027, 1, 26), 2, date(2027, 3, 30), "Good Friday 2027, the weekend, Easter Monday"),
        (date(2026, 4, 4), 2, date(2026, 6, 5), "Corpus Christi 2026 (an NRW holiday)"),
        (date(2026, 4, 1), 2, date(2026, 6, 1), "1 Jun 2026 is a Monday: no shift"),
        (date(2028, 8, 3), 2, date(2028, 10, 4), "Day of German Unity 2028, a Tuesday"),
        (date(2026, 9, 1), 2, date(2026, 11, 2), "All Saints' Day 2026 is a Sunday"),
        (date(2028, 10, 25), 2, date(2028, 12, 27), "Christmas Day and Boxing Day 2028, Monday and Tuesday"),
        (date(2026, 10, 25), 2, date(2026, 12, 28), "Christmas 2026: Friday, then the weekend"),
        (date(2026, 11, 1), 2, date(2027, 1, 4), "New Year's Day 2027 is a Friday"),
        (date(2026, 9, 14), 2, date(2026, 11, 16), "14 Nov 2026 is a Saturday"),
        (date(2026, 9, 15), 2, date(2026, 11, 16), "15 Nov 2026 is a Sunday"),
        (date(2026, 2, 1), 3, date(2026, 5, 4), "1 May 2026 is a Friday holiday"),
    ],
)
def test_a_period_ends_on_the_next_working_day_when_its_last_day_is_a_weekend_or_holiday(event, months, end, why):
    assert period_end(event, months) == end, why


@pytest.mark.parametrize(
    ("due", "working_days", "send_on", "why"),
    [
        (date(2026, 3, 13), 3, date(2026, 3, 10), "Friday, three weekdays back"),
        (date(2026, 3, 16), 3, date(2026, 3, 11), "Monday: the weekend does not count"),
        (date(2027, 3, 30), 3, date(2027, 3, 23), "Easter Monday, the weekend and Good Friday do not count"),
        (date(2027, 3, 30), 10, date(2027, 3, 12), "ten working days across Easter"),
        (date(2026, 6, 8), 3, date(2026, 6, 2), "Corpus Christi (4 Jun 2026) does not count"),
        (date(2027, 1, 4), 3, date(2026, 12, 29), "New Year's Day does not count"),
        (date(2027, 1, 4), 10, date(2026, 12, 17), "nor Christmas Day and Boxing Day"),
        (date(2028, 10, 6), 5, date(2028, 9, 28), "3 Oct 2028 does not count"),
        (date(2026, 3, 13), 0, date(2026, 3, 13), "no lead time: the day itself"),
    ],
)
def test_lead_times_count_nrw_working_days(due, working_days, send_on, why):
    assert working_days_before(due, working_days) == send_on, why


# -- the rules ------------------------------------------------------------------------------------


def facts(life_area: str | None = "work", incident_date: str | None = "2026-02-10", **more) -> DeadlineFacts:
    return DeadlineFacts(case_id="case-1", life_area=life_area, received_on=RECEIVED, incident_date=incident_date, **more)


def agg(kind: DeadlineKind, runs_from: date, due: date, counted_from: CountedFrom = CountedFrom.INCIDENT_DATE) -> Deadline:
    return Deadline(kind, "legal_basis_" + kind.value, runs_from, due, "case-1", counted_from)


@pytest.mark.parametrize(
    ("life_area", "incident_date", "expected"),
    [
        ("work", "2026-02-10", [agg(K.AGG_15_4, date(2026, 2, 10), date(2026, 4, 10))]),
        ("housing", "2026-02-10", [agg(K.AGG_21_5, date(2026, 2, 10), date(2026, 4, 10))]),
        ("goods_and_services", "2026-02-10", [agg(K.AGG_21_5, date(2026, 2, 10), date(2026, 4, 10))]),
        # A month without a day runs from its first day: never later than the real deadline.
        ("work", "2026-02", [agg(K.AGG_15_4, date(2026, 2, 1), date(2026, 4, 1), CountedFrom.INCIDENT_MONTH)]),
        # No incident date: from the report's arrival, the latest possible start, marked estimated (10 May: Sunday).
        ("housing", None, [agg(K.AGG_21_5, RECEIVED, date(2026, 5, 11), CountedFrom.REPORT_RECEIVED)]),
        # Public law and areas without a civil-law contract are outside the AGG.
        ("public_administration", "2026-02-10", []),
        ("police_and_justice", "2026-02-10", []),
        ("education", "2026-02-10", []),
        ("public_transport", "2026-02-10", []),
        ("public_space", "2026-02-10", []),
        (None, "2026-02-10", []),
    ],
)
def test_the_agg_claim_deadline_follows_the_life_area_and_runs_from_when_the_person_learned(life_area, incident_date, expected):
    assert list(deadlines_for(facts(life_area, incident_date), DeadlinePeriods())) == expected


def test_only_a_deadline_from_the_reports_arrival_is_estimated():
    [estimated] = deadlines_for(facts("work", None), DeadlinePeriods())
    [known] = deadlines_for(facts("work", "2026-02"), DeadlinePeriods())
    assert estimated.estimated and not known.estimated


def test_a_recorded_learned_date_wins_over_the_incident_date():
    [deadline] = deadlines_for(facts(learned_on=date(2026, 3, 1)), DeadlinePeriods())
    assert (deadline.runs_from, deadline.due, deadline.counted_from) == (date(2026, 3, 1), date(2026, 5, 4), CountedFrom.LEARNED)


def test_a_written_claim_in_time_meets_the_agg_period_and_starts_arbgg_61b_in_employment():
    claim = WrittenClaim("claim-1", date(2026, 3, 20))
    [suit] = deadlines_for(facts(written_claims=(claim,)), DeadlinePeriods())
    assert suit == Deadline(K.ARBGG_61B, "legal_basis_arbgg_61b", date(2026, 3, 20), date(2026, 6, 22), "claim-1", CountedFrom.WRITTEN_CLAIM)


def test_a_late_written_claim_leaves_the_agg_deadline_standing():
    claim = WrittenClaim("claim-1", date(2026, 4, 13))  # the AGG period ended on 10 April
    kinds = [(d.kind, d.due) for d in deadlines_for(facts(written_claims=(claim,)), DeadlinePeriods())]
    assert kinds == [(K.AGG_15_4, date(2026, 4, 10)), (K.ARBGG_61B, date(2026, 7, 13))]


def test_a_written_claim_in_civil_law_meets_the_period_but_starts_no_labour_court_period():
    claim = WrittenClaim("claim-1", date(2026, 3, 20))
    assert deadlines_for(facts("housing", written_claims=(claim,)), DeadlinePeriods()) == ()


def test_office_set_dates_are_taken_as_set_and_all_deadlines_come_earliest_first():
    request = StatementRequest("req-1", date(2026, 2, 20), date(2026, 3, 7))  # a Saturday, as the office chose
    intervention = InterventionDue("int-1", date(2026, 2, 12), date(2026, 5, 1))  # a holiday, as the office chose
    found = deadlines_for(facts(statement_requests=(request,), interventions=(intervention,)), DeadlinePeriods())
    assert [(d.kind, d.runs_from, d.due, d.source_id, d.legal_basis) for d in found] == [
        (K.STATEMENT_REPLY, date(2026, 2, 20), date(2026, 3, 7), "req-1", "legal_basis_statement_reply"),
        (K.AGG_15_4, date(2026, 2, 10), date(2026, 4, 10), "case-1", "legal_basis_agg_15_4"),
        (K.INTERVENTION, date(2026, 2, 12), date(2026, 5, 1), "int-1", "legal_basis_intervention"),
    ]


@pytest.mark.parametrize(
    ("periods", "life_area", "expected"),
    [
        (DeadlinePeriods(agg_15_4_months=3), "work", [(K.AGG_15_4, date(2026, 5, 11))]),  # 10 May 2026: Sunday
        (DeadlinePeriods(agg_15_4_months=3), "housing", [(K.AGG_21_5, date(2026, 4, 10))]),
        (DeadlinePeriods(agg_21_5_months=6), "housing", [(K.AGG_21_5, date(2026, 8, 10))]),
    ],
)
def test_the_periods_are_configurable(periods, life_area, expected):
    assert [(d.kind, d.due) for d in deadlines_for(facts(life_area), periods)] == expected


def test_the_arbgg_period_is_configurable():
    claim = WrittenClaim("claim-1", date(2026, 3, 20))
    [suit] = deadlines_for(facts(written_claims=(claim,)), DeadlinePeriods(arbgg_61b_months=4))
    assert suit.due == date(2026, 7, 20)


# -- reminders ------------------------------------------------------------------------------------

EASTER_DUE = agg(K.AGG_15_4, date(2027, 1, 29), date(2027, 3, 30))  # ends on the Tuesday after Easter Monday


@pytest.mark.parametrize(
    ("today", "lead"),
    [
        (date(2027, 3, 11), None),
        (date(2027, 3, 12), 10),
        (date(2027, 3, 22), 10),  # still the 10-day reminder: the sender sent it once, by its key
        (date(2027, 3, 23), 3),
        (date(2027, 3, 26), 3),  # Good Friday
        (date(2027, 3, 30), 3),  # the last day
        (date(2027, 3, 31), None),  # passed
    ],
)
def test_the_reminder_due_is_that_of_the_shortest_lead_time_whose_day_has_come(today, lead):
    due = reminders_due([EASTER_DUE], today, lead_times=(10, 3), assignee_id="staff-1")
    assert [reminder.working_days_before for reminder in due] == ([] if lead is None else [lead])


def test_a_deadline_found_inside_a_lead_time_is_reminded_at_once():
    [reminder] = reminders_due([EASTER_DUE], date(2027, 3, 17), lead_times=(3, 10), assignee_id=None)
    assert (reminder.working_days_before, reminder.send_on) == (10, date(2027, 3, 12))


def test_reminders_go_to_the_assignee_or_to_the_leads_when_nobody_is_assigned():
    assigned = reminders_of(EASTER_DUE, lead_times=(10, 3), assignee_id="staff-1")
    unassigned = reminders_of(EASTER_DUE, lead_times=(10, 3), assignee_id=None)
    assert [r.to for r in assigned] == [Addressees("staff-1", leads=False)] * 2
    assert [r.to for r in unassigned] == [Addressees(None, leads=True)] * 2
    assert [(r.working_days_before, r.send_on) for r in assigned] == [(10, date(2027, 3, 12)), (3, date(2027, 3, 23))]


def test_a_reminder_says_why_and_has_a_key_per_deadline_due_date_and_lead_time():
    ten, three = reminders_of(EASTER_DUE, lead_times=(10, 3), assignee_id=None)
    assert ten.why() == {
        "kind": "agg_15_4", "legal_basis": "legal_basis_agg_15_4", "due": date(2027, 3, 30), "runs_from": date(2027, 1, 29),
        "counted_from": "incident_date", "estimated": False, "working_days_before": 10,
    }  # fmt: skip
    assert len({ten.key, three.key}) == 2 and ten.key.startswith("agg_15_4:case-1:2027-03-30:")


# -- settings -------------------------------------------------------------------------------------


def test_settings_have_the_statutory_defaults():
    settings = DeadlineSettings()
    assert settings.periods() == DeadlinePeriods(2, 2, 3) and settings.reminder_working_days == (10, 3)


def test_settings_read_the_environment(monkeypatch):
    monkeypatch.setenv("TRIAGE_DEADLINE_AGG_15_4_MONTHS", "3")
    monkeypatch.setenv("TRIAGE_DEADLINE_AGG_21_5_MONTHS", "4")
    monkeypatch.setenv("TRIAGE_DEADLINE_ARBGG_61B_MONTHS", "6")
    monkeypatch.setenv("TRIAGE_DEADLINE_REMINDER_WORKING_DAYS", "3, 15,5")
    settings = DeadlineSettings()
    assert settings.periods() == DeadlinePeriods(3, 4, 6) and settings.reminder_working_days == (15, 5, 3)


@pytest.mark.parametrize(("name", "value"), [("AGG_15_4_MONTHS", "0"), ("REMINDER_WORKING_DAYS", "10,-1"), ("REMINDER_WORKING_DAYS", "ten")])
def test_settings_refuse_nonsense(monkeypatch, name, value):
    monkeypatch.setenv("TRIAGE_DEADLINE_" + name, value)
    with pytest.raises(ValidationError, match=name.lower()):
        DeadlineSettings()


# -- the case view --------------------------------------------------------------------------------


def test_the_case_view_lists_each_deadline_with_its_legal_basis_and_the_date_it_runs_from():
    report_id = uuid4()
    event = ReportSubmitted(
        correlation_id=report_id, report_id=report_id, receipt_hash="00", sealed_description="c2VhbGVk",
        occurred_at=datetime(2026, 3, 10, 9, tzinfo=UTC), grounds=[Ground.AGE], forms=[Form.UNEQUAL_TREATMENT],
        life_area=LifeArea.WORK, incident_date="2026-03-01",
    )  # fmt: skip
    periods = DeadlinePeriods(agg_15_4_months=3)
    case = Case.open(event, reference="DU-2026-000001", rules=CaseRules(deadline_periods=periods), created_at=event.occurred_at)
    view = case_read(OpenedCase(case, "text", None, []), working_days=3, periods=periods)
    assert view.deadlines.agg_deadline == date(2026, 6, 1)  # the configured three months, as the priority counts
    assert [item.model_dump() for item in view.deadlines.items] == [
        {
            "kind": "agg_15_4", "legal_basis": "legal_basis_agg_15_4", "runs_from": date(2026, 3, 1), "counted_from": "incident_date",
            "estimated": False, "due": date(2026, 6, 1), "source_id": case.id,
        }
    ]  # fmt: skip
