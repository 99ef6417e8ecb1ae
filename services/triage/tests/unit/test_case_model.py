"""The Case aggregate's rules as tables: transitions, effective classification, priority and deadline,
statistics contribution, and the events and timeline entries each change produces."""

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from meldestelle_shared.events import (
    CaseAssigned,
    CaseClassified,
    CaseClosed,
    CaseCreated,
    CaseErased,
    CaseStatusChanged,
    FirstResponseOverdue,
    OfficeMessageSent,
    ReportSubmitted,
)
from meldestelle_shared.taxonomy import CaseStatus as S, ClosureReason, District, Form, Ground, LifeArea, Priority, Wish
from triage.cases.deadlines import DeadlineKind, DeadlinePeriods
from triage.cases.documents import case_document, case_from_document, differences, figures_from_document
from triage.cases.model import Case, CaseRules, Codes, DuplicateHint, case_id_for
from triage.cases.workflow import NEXT_STATUSES
from triage.errors import Conflict, NotFound

RECEIVED = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def opened(at: datetime = RECEIVED, **fields) -> Case:
    """A case as triage opens it from a report received on 10 March 2026 (unless `at` says otherwise)."""
    report_id = uuid4()
    event = ReportSubmitted(
        correlation_id=report_id, report_id=report_id, receipt_hash="00", sealed_description="c2VhbGVk", occurred_at=at,
        **{"grounds": [Ground.AGE], "forms": [Form.UNEQUAL_TREATMENT], "life_area": LifeArea.HOUSING, "district": District.MITTE} | fields,
    )  # fmt: skip
    return Case.open(event, reference="DU-2026-000001", rules=CaseRules(), created_at=at)


def in_status(status: S) -> Case:
    return replace(opened(), status=status, closure_reason=ClosureReason.RESOLVED if status is S.CLOSED else None)


# -- transitions ----------------------------------------------------------------------------------

MOVES = [(current, target) for current in S for target in S if target is not S.CLOSED]


@pytest.mark.parametrize(("current", "target"), MOVES)
def test_a_status_move_is_allowed_exactly_where_the_workflow_table_has_it(current, target):
    case = in_status(current)
    if target in NEXT_STATUSES[current]:
        change = case.move_to(target, actor_id="a")
        assert change.after.status is target and change.before is case
    else:
        with pytest.raises(Conflict):
            case.move_to(target, actor_id="a")


@pytest.mark.parametrize("current", list(S))
def test_closing_needs_the_close_action_and_an_open_case(current):
    case = in_status(current)
    with pytest.raises(Conflict, match="needs a reason"):
        case.move_to(S.CLOSED, actor_id="a")
    if current is S.CLOSED:
        with pytest.raises(Conflict):
            case.close(ClosureReason.SPAM, actor_id="a")
    else:
        assert case.close(ClosureReason.SPAM, actor_id="a").after.status is S.CLOSED


@pytest.mark.parametrize("current", list(S))
def test_only_a_closed_case_reopens_and_it_goes_back_to_work(current):
    case = replace(in_status(current), retention_review=True)
    if current is not S.CLOSED:
        with pytest.raises(Conflict):
            case.reopen(actor_id="lead")
        return
    after = case.reopen(actor_id="lead").after
    assert (after.status, after.closure_reason, after.closed_at, after.retention_review) == (S.IN_PROGRESS, None, None, False)


@pytest.mark.parametrize("current", list(S))
def test_next_statuses_are_the_workflow_table(current):
    assert set(in_status(current).next_statuses()) == NEXT_STATUSES[current]


# -- effective classification ---------------------------------------------------------------------

REPORTER = Codes(("age",), ("unequal_treatment",), "housing")
STAFF = Codes(("disability",), (), None)


@pytest.mark.parametrize(
    ("classification", "effective", "source"),
    [
        (None, REPORTER, "reporter"),  # the reporter's answers until staff classify
        (STAFF, STAFF, "staff"),  # staff's classification wins, even where it says less
        (Codes(), Codes(), "staff"),  # an empty classification is still staff's
    ],
)
def test_staff_classification_wins_for_the_office_and_the_statistics(classification, effective, source):
    case = replace(opened(), classification=classification)
    figures = case.figures()
    assert case.effective == effective and case.reporter.codes == REPORTER  # the reporter's answers stay
    assert figures.source == source
    assert (figures.answers["grounds"], figures.answers["forms"], figures.answers["life_area"]) == (
        effective.grounds, effective.forms, effective.life_area,
    )  # fmt: skip
    assert (figures.answers["district"], figures.answers["reporter_role"]) == ("mitte", None)  # always the reporter's


def test_classifying_sorts_and_deduplicates_and_stores_beside_the_answers():
    change = opened().classify(Codes(("age", "age", "disability"), ("threat",), None), today=date(2026, 3, 10), rules=CaseRules(), actor_id="a")
    assert change.after.classification == Codes(("age", "disability"), ("threat",), None)
    assert change.after.reporter == change.before.reporter


# -- priority and deadline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "priority", "reason", "deadline"),
    [
        ({"forms": [Form.THREAT]}, Priority.URGENT, "physical_violence_or_threat", None),
        ({"incident_date": "2026-01-20"}, Priority.HIGH, "agg_deadline_near", date(2026, 3, 20)),
        ({"incident_date": "2026-02-01"}, Priority.NORMAL, "agg_deadline_not_near", date(2026, 4, 1)),  # 22 days > 21
        ({"incident_date": "2026-01-10"}, Priority.URGENT, "agg_deadline_today", date(2026, 3, 10)),
        # A month without a day counts from its first day, so the deadline shown is never later than the real one.
        # 1 March 2026 is a Sunday, so the period ends on Monday (§ 193 BGB).
        ({"incident_date": "2026-01"}, Priority.NORMAL, "agg_deadline_passed", date(2026, 3, 2)),
        ({"incident_date": "2025-12-01"}, Priority.NORMAL, "agg_deadline_passed", date(2026, 2, 2)),  # 1 Feb: a Sunday
        ({"incident_date": "2026-03-01"}, Priority.NORMAL, "agg_deadline_not_near", date(2026, 5, 4)),  # 1 May: a holiday
        # Only the report's arrival is known: the engine's deadline is an estimate and does not raise the priority.
        ({}, Priority.NORMAL, "no_rule_applies", None),
        ({"life_area": LifeArea.PUBLIC_SPACE, "incident_date": "2026-02-01"}, Priority.NORMAL, "no_rule_applies", None),
    ],
)
def test_a_case_is_prioritised_on_the_day_it_arrives(fields, priority, reason, deadline):
    decision = opened(**fields).priority
    assert (decision.priority, decision.reason, decision.agg_deadline) == (priority, reason, deadline)


@pytest.mark.parametrize(
    ("today", "priority", "reason"),
    [
        (date(2026, 3, 10), Priority.NORMAL, "agg_deadline_not_near"),
        (date(2026, 4, 20), Priority.HIGH, "agg_deadline_near"),
        (date(2026, 5, 1), Priority.HIGH, "agg_deadline_near"),  # 1 May is a holiday: the period ends on Monday 4 May
        (date(2026, 5, 4), Priority.URGENT, "agg_deadline_today"),
        (date(2026, 5, 5), Priority.NORMAL, "agg_deadline_passed"),
    ],
)
def test_the_priority_follows_the_deadline_as_days_pass(today, priority, reason):
    refreshed = opened(incident_date="2026-03-01").reprioritised(today, CaseRules())
    assert (refreshed.priority.priority, refreshed.priority.reason) == (priority, reason)


@pytest.mark.parametrize(
    ("staff", "priority", "reason"),
    [
        (Codes((), ("threat",), None), Priority.URGENT, "physical_violence_or_threat"),  # staff's forms count
        (Codes((), (), "public_space"), Priority.NORMAL, "no_rule_applies"),  # staff's life area ends the AGG deadline
        (Codes((), (), "work"), Priority.HIGH, "agg_deadline_near"),
    ],
)
def test_the_priority_follows_staff_classification(staff, priority, reason):
    case = opened(incident_date="2026-01-20", life_area=LifeArea.PUBLIC_SPACE)
    after = case.classify(staff, today=date(2026, 3, 10), rules=CaseRules(), actor_id="a").after
    assert (after.priority.priority, after.priority.reason) == (priority, reason)


def test_the_deadline_period_is_configurable():
    case = opened(incident_date="2026-02-01")  # housing: AGG §21(5)
    rules = CaseRules(deadline_periods=DeadlinePeriods(agg_21_5_months=3))
    assert case.priority_on(date(2026, 3, 10), rules).agg_deadline == date(2026, 5, 4)  # 1 May: a holiday


def test_the_case_gives_the_engine_its_effective_life_area_incident_date_and_arrival():
    case = opened(incident_date="2026-02-01", life_area=LifeArea.PUBLIC_SPACE)
    assert case.deadlines(DeadlinePeriods()) == ()
    [deadline] = replace(case, classification=Codes((), (), "work")).deadlines(DeadlinePeriods())
    assert (deadline.kind, deadline.runs_from, deadline.due, deadline.source_id) == (DeadlineKind.AGG_15_4, date(2026, 2, 1), date(2026, 4, 1), case.id)
    [estimated] = opened().deadlines(DeadlinePeriods())
    assert estimated.estimated and estimated.runs_from == date(2026, 3, 10) and estimated.due == date(2026, 5, 11)  # 10 May: Sunday


# -- statistics contribution ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("closure_reason", "counted"),
    [(None, True)] + [(reason, reason not in {ClosureReason.SPAM, ClosureReason.DUPLICATE, ClosureReason.OUT_OF_SCOPE}) for reason in ClosureReason],
)
def test_spam_duplicates_and_out_of_scope_reports_do_not_count(closure_reason, counted):
    figures = replace(opened(), closure_reason=closure_reason).figures()
    assert figures.counted is counted and figures.month == "2026-03"


def test_the_month_is_the_offices():
    # 23:30 UTC on 31 March is already April in Duisburg.
    assert opened(at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC)).figures().month == "2026-04"


def test_the_stored_document_gives_the_same_figures_as_the_case():
    case = replace(opened(), classification=STAFF, closure_reason=ClosureReason.DUPLICATE)
    assert figures_from_document(case_document(case)) == case.figures()


# -- events and timeline entries --------------------------------------------------------------------


def _ids(case: Case) -> dict:
    return {"case_id": UUID(case.id), "report_id": UUID(case.report_id), "correlation_id": UUID(case.report_id)}


CHANGES = [
    # (change, event type, event fields, timeline kind, entry details, guard)
    (lambda c: c.move_to(S.IN_REVIEW, actor_id="a", cause="first_view"), CaseStatusChanged,
     {"status": S.IN_REVIEW, "previous_status": S.NEW}, "status_changed", {"status": "in_review", "previous_status": "new", "cause": "first_view"}, ("status",)),
    (lambda c: c.close(ClosureReason.SPAM, actor_id="a"), CaseClosed,
     {"previous_status": S.NEW, "closure_reason": ClosureReason.SPAM}, "closed", {"closure_reason": "spam", "previous_status": "new"}, ("status",)),
    (lambda c: c.assign("b", actor_id="a"), CaseAssigned, {"assignee_id": "b"}, "assigned", {"assignee_id": "b"}, ("status", "assignee_id")),
    (lambda c: c.classify(Codes(("age",), (), None), today=date(2026, 3, 10), rules=CaseRules(), actor_id="a"), CaseClassified,
     {"grounds": [Ground.AGE], "forms": [], "life_area": None}, "classified", {"grounds": ["age"], "forms": [], "life_area": None}, ("status",)),
    (lambda c: replace(c, reporter_public_key="k").send_message(sealed_for_reporter="r", sealed_for_office="o", actor_id="a"), OfficeMessageSent,
     {"sealed_for_reporter": "r"}, "office_message", {}, ("status",)),
]  # fmt: skip


@pytest.mark.parametrize(("make", "kind", "fields", "entry_kind", "details", "guard"), CHANGES)
def test_each_change_produces_its_event_entry_and_guard(make, kind, fields, entry_kind, details, guard):
    case = opened()
    change = make(case)
    [event] = change.events
    assert isinstance(event, kind) and event.model_dump(include={*fields, *_ids(case)}) == {**fields, **_ids(case)}
    assert change.entry.kind == entry_kind and change.entry.actor_id == "a" and dict(change.entry.details) == details
    assert change.after.timeline[-1] == change.entry and change.after.updated_at == change.entry.at
    assert change.guard == guard


def test_a_message_id_is_the_timeline_entrys_and_its_text_is_sealed_there():
    change = replace(opened(), reporter_public_key="k").send_message(sealed_for_reporter="r", sealed_for_office="o", actor_id="a")
    assert str(change.events[0].message_id) == change.entry.id and change.entry.sealed_text == "o"


def test_a_reporter_without_a_key_gets_no_message():
    with pytest.raises(Conflict, match="no reply key"):
        opened().send_message(sealed_for_reporter="r", sealed_for_office="o", actor_id="a")


def test_a_note_produces_no_event():
    change = opened().add_note(sealed_text="s", actor_id="a")
    assert change.events == () and change.entry.kind == "note" and change.entry.sealed_text == "s"


@pytest.mark.parametrize(("confirmed", "state"), [(True, "confirmed"), (False, "dismissed")])
def test_settling_a_duplicate_marks_the_hint_and_sends_nothing(confirmed, state):
    case = replace(opened(), duplicates={"other": DuplicateHint("other", "DU-2026-000002", 0.9)})
    change = case.settle_duplicate("other", confirmed=confirmed, actor_id="a")
    assert change.after.duplicates["other"].state == state and change.events == ()
    assert change.entry.kind == f"duplicate_{state}" and change.entry.details == {"other_case_id": "other"}
    with pytest.raises(NotFound):
        case.settle_duplicate("unknown", confirmed=confirmed, actor_id="a")


def test_a_reminder_is_the_same_event_all_day_and_guards_on_the_day():
    case = opened()
    first, again = case.remind_overdue(date(2026, 3, 20), 8), case.remind_overdue(date(2026, 3, 20), 8)
    [event] = first.events
    assert isinstance(event, FirstResponseOverdue) and event == replace_time(again.events[0], event)
    assert event.reference == case.reference and event.working_days == 8 and first.entry is None
    assert first.after.reminded_on == "2026-03-20" and first.guard == ("status", "reminded_on")
    assert case.remind_overdue(date(2026, 3, 21), 9).events[0].event_id != event.event_id


@pytest.mark.parametrize(
    ("wishes", "awaits"),
    [
        ([], True),  # not asked (older reports, or the step skipped): the office answers as always
        ([Wish.RECORD_ONLY], False),
        ([Wish.RECORD_ONLY, Wish.ADVICE], True),  # whoever also wants something gets a response
        ([Wish.ADVICE], True),
        ([Wish.REFERRAL_TO_COUNSELLING, Wish.LEGAL_SUPPORT, Wish.OFFICE_ACTION], True),
    ],
)
def test_only_a_case_that_asks_just_to_be_recorded_awaits_no_first_response(wishes, awaits):
    case = opened(wishes=wishes)
    assert case.awaits_first_response is awaits
    assert case_from_document(case_document(case)).awaits_first_response is awaits


def replace_time(event, like):
    return event.model_copy(update={"occurred_at": like.occurred_at})


def test_announcement_and_erasure_have_ids_derived_from_the_case():
    case = opened()
    created = case.announcement()
    assert isinstance(created, CaseCreated) and created == case.announcement() and created.occurred_at == case.created_at
    assert created.case_id == UUID(case_id_for(UUID(case.report_id)))
    erased = case.erasure("retention")
    assert isinstance(erased, CaseErased) and erased.event_id == case.erasure("retention").event_id
    assert case.erasure("abandoned", repeatable=False).event_id != case.erasure("abandoned", repeatable=False).event_id


# -- the stored document --------------------------------------------------------------------------


def test_a_case_survives_its_document_and_a_change_writes_only_what_changed():
    case = replace(opened(), duplicates={"other": DuplicateHint("other", "DU-2026-000002", 0.9)})
    assert case_from_document(case_document(case)) == case
    change = case.settle_duplicate("other", confirmed=True, actor_id="a")
    written = differences(case_document(change.before), case_document(change.after))
    # Field by field, so a hint added meanwhile by the duplicate finder is not overwritten.
    assert written == {"duplicates.other.state": "confirmed", "updated_at": change.entry.at}


def test_a_new_case_document_has_the_fields_it_always_had():
    doc = case_document(opened())
    assert {"unread_replies", "reply_waiting", "reminded_on", "updated_at"}.isdisjoint(doc)
    assert doc["effective"] == {"grounds": ["age"], "forms": ["unequal_treatment"], "life_area": "housing"}
    assert doc["status"] == "new" and doc["priority_rank"] == 2 and doc["classification"] is None


def test_wishes_and_referral_consent_are_the_reporters_answers_and_survive_the_document():
    case = opened(wishes=[Wish.LEGAL_SUPPORT, Wish.ADVICE], referral_consent=True)
    assert case.reporter.wishes == ("legal_support", "advice") and case.reporter.referral_consent is True
    doc = case_document(case)
    assert doc["reporter"]["wishes"] == ["legal_support", "advice"] and doc["reporter"]["referral_consent"] is True
    assert case_from_document(doc) == case


def test_a_document_stored_before_wishes_reads_as_nothing_asked_and_no_consent():
    doc = case_document(opened())
    del doc["reporter"]["wishes"], doc["reporter"]["referral_consent"]
    case = case_from_document(doc)
    assert (case.reporter.wishes, case.reporter.referral_consent, case.awaits_first_response) == ((), False, True)
