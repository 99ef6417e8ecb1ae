"""The case work of issue 15 as rules of the Case aggregate: documentation, consultations, interventions, referrals,
the events and timeline entries each produces, how they are stored, and which deadlines they add."""

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from meldestelle_shared.events import (
    CaseDocumented,
    CaseReferred,
    ConsultationLogged,
    InterventionRecorded,
    InterventionUpdated,
    ReferralTakenUp,
    ReportSubmitted,
    decode_event,
    encode_event,
)
from meldestelle_shared.taxonomy import ConsultationChannel, Form, Ground, InterventionKind as K, InterventionOutcome as O, LifeArea
from meldestelle_shared.taxonomy import ReferralContent as R
from triage.cases.deadlines import DeadlineKind, DeadlinePeriods
from triage.cases.documents import case_document, case_from_document, differences
from triage.cases.model import Case, CaseRules
from triage.cases.values import Documentation
from triage.errors import Conflict, Invalid, NotFound

TODAY = date(2026, 3, 20)


def opened(**fields) -> Case:
    report_id = uuid4()
    event = ReportSubmitted(
        correlation_id=report_id, report_id=report_id, sealed_description="c2VhbGVk", occurred_at=datetime(2026, 3, 10, 9, tzinfo=UTC),
        **{"grounds": [Ground.AGE], "forms": [Form.UNEQUAL_TREATMENT], "life_area": LifeArea.EDUCATION} | fields,
    )  # fmt: skip
    return Case.open(event, reference="DU-2026-000001", rules=CaseRules(), created_at=event.occurred_at)


def stored(case: Case) -> Case:
    """The case after a round trip through its stored form."""
    return case_from_document(case_document(case))


def refused_field(call) -> str:
    with pytest.raises(Invalid) as refused:
        call()
    return refused.value.fields[0].field


# -- documentation ----------------------------------------------------------------------------------


def test_documenting_stores_the_codes_announces_them_and_goes_on_the_timeline():
    case = opened()
    change = case.document(Documentation("structural", ("health", "financial", "health"), "landlord", "phone"), actor_id="w1")
    [event] = change.events
    assert isinstance(event, CaseDocumented)
    assert (event.level, event.consequences, event.other_side, event.source) == ("structural", ["financial", "health"], "landlord", "phone")
    assert change.entry.kind == "documented" and change.entry.details["consequences"] == ["financial", "health"]
    assert stored(change.after).documentation == Documentation("structural", ("financial", "health"), "landlord", "phone")


def test_a_case_never_documented_stores_no_documentation_field():
    assert "documentation" not in case_document(opened()) and stored(opened()).documentation is None


# -- consultations --------------------------------------------------------------------------------------


def test_a_consultation_keeps_its_sealed_note_on_the_timeline_and_out_of_the_event():
    change = opened().log_consultation(
        held_on=date(2026, 3, 18), channel=ConsultationChannel.PHONE, minutes=45, sealed_note="U0VBTEVE", today=TODAY, actor_id="w1"
    )
    [event] = change.events
    assert isinstance(event, ConsultationLogged) and event.minutes == 45 and event.channel == "phone"
    assert str(event.consultation_id) == change.entry.id and change.entry.sealed_text == "U0VBTEVE"
    assert "U0VBTEVE" not in encode_event(event).decode()
    assert change.entry.details == {"held_on": "2026-03-18", "channel": "phone", "minutes": 45}


@pytest.mark.parametrize(
    ("held_on", "minutes", "field"),
    [(date(2026, 3, 21), 30, "held_on"), (TODAY, 0, "minutes"), (TODAY, 601, "minutes"), (TODAY, -5, "minutes")],
)
def test_a_consultation_in_the_future_or_with_impossible_minutes_is_refused(held_on, minutes, field):
    case = opened()
    call = lambda: case.log_consultation(  # noqa: E731
        held_on=held_on, channel=ConsultationChannel.VIDEO, minutes=minutes, sealed_note=None, today=TODAY, actor_id="w1"
    )
    assert refused_field(call) == field


# -- interventions ----------------------------------------------------------------------------------------


def test_an_intervention_is_recorded_announced_and_stored():
    change = opened().record_intervention(K.MEDIATION, started_on=date(2026, 3, 12), outcome=O.OPEN, due_on=date(2026, 4, 30), actor_id="w1")
    [event] = change.events
    [intervention] = change.after.interventions.values()
    assert isinstance(event, InterventionRecorded) and str(event.intervention_id) == intervention.id
    assert (event.kind, event.started_on, event.outcome, event.due_on) == ("mediation", date(2026, 3, 12), "open", date(2026, 4, 30))
    assert stored(change.after).interventions == change.after.interventions
    assert change.entry.details["intervention_kind"] == "mediation" and change.entry.kind == "intervention_recorded"


def test_the_first_intervention_is_guarded_against_a_concurrent_first_one_and_later_ones_are_written_alone():
    first = opened().record_intervention(K.MEDIATION, started_on=date(2026, 3, 12), outcome=O.OPEN, due_on=None, actor_id="w1")
    assert "interventions" in first.guard
    second = first.after.record_intervention(K.COMPLAINT_LETTER, started_on=date(2026, 3, 13), outcome=O.OPEN, due_on=None, actor_id="w1")
    assert "interventions" not in second.guard
    written = differences(case_document(second.before), case_document(second.after))
    [new_id] = set(second.after.interventions) - set(first.after.interventions)
    assert f"interventions.{new_id}" in written and not any(key.startswith(f"interventions.{next(iter(first.after.interventions))}") for key in written)


@pytest.mark.parametrize(
    ("kind", "started_on", "due_on", "field"),
    [
        (K.STATEMENT_REQUEST, date(2026, 3, 12), None, "due_on"),  # a statement request needs its reply date
        (K.MEDIATION, date(2026, 3, 12), date(2026, 3, 11), "due_on"),  # due before it started
        (K.REFERRAL, date(2026, 3, 12), None, "kind"),  # referrals go through the consent check
    ],
)
def test_an_intervention_without_what_it_needs_is_refused_naming_the_field(kind, started_on, due_on, field):
    case = opened()
    assert refused_field(lambda: case.record_intervention(kind, started_on=started_on, outcome=O.OPEN, due_on=due_on, actor_id="w1")) == field


def test_an_intervention_update_records_the_outcome_and_keeps_or_clears_the_due_date():
    recorded = opened().record_intervention(K.MEDIATION, started_on=date(2026, 3, 12), outcome=O.OPEN, due_on=date(2026, 4, 1), actor_id="w1")
    [intervention_id] = recorded.after.interventions
    done = recorded.after.update_intervention(intervention_id, outcome=O.PARTLY_SUCCESSFUL, due_on=None, actor_id="w1")
    [event] = done.events
    assert isinstance(event, InterventionUpdated) and event.outcome == "partly_successful" and event.due_on == date(2026, 4, 1)
    cleared = done.after.update_intervention(intervention_id, outcome=None, due_on=None, clear_due=True, actor_id="w1")
    assert cleared.after.interventions[intervention_id].due_on is None
    assert cleared.after.interventions[intervention_id].outcome == "partly_successful"
    with pytest.raises(NotFound):
        done.after.update_intervention(str(uuid4()), outcome=O.SUCCESSFUL, due_on=None, actor_id="w1")


def test_open_interventions_and_statement_requests_feed_the_deadline_engine_and_finished_ones_do_not():
    case = opened()
    request = case.record_intervention(K.STATEMENT_REQUEST, started_on=date(2026, 3, 12), outcome=O.OPEN, due_on=date(2026, 4, 2), actor_id="w")
    mediation = request.after.record_intervention(K.MEDIATION, started_on=date(2026, 3, 13), outcome=O.OPEN, due_on=date(2026, 5, 4), actor_id="w")
    unscheduled = mediation.after.record_intervention(K.COMPLAINT_LETTER, started_on=date(2026, 3, 14), outcome=O.OPEN, due_on=None, actor_id="w")
    deadlines = unscheduled.after.deadlines(DeadlinePeriods())
    assert [(d.kind, d.runs_from, d.due) for d in deadlines] == [
        (DeadlineKind.STATEMENT_REPLY, date(2026, 3, 12), date(2026, 4, 2)),
        (DeadlineKind.INTERVENTION, date(2026, 3, 13), date(2026, 5, 4)),
    ]
    [request_id] = request.after.interventions
    answered = unscheduled.after.update_intervention(request_id, outcome=O.SUCCESSFUL, due_on=None, actor_id="w")
    assert [d.kind for d in answered.after.deadlines(DeadlinePeriods())] == [DeadlineKind.INTERVENTION]
    assert [d.kind for d in stored(answered.after).deadlines(DeadlinePeriods())] == [DeadlineKind.INTERVENTION]


# -- referrals -----------------------------------------------------------------------------------------------


def test_without_the_persons_consent_a_case_cannot_be_referred():
    case = opened(referral_consent=False)
    with pytest.raises(Conflict, match="did not consent"):
        case.refer("svc", referred_on=TODAY, passed_on=(R.CASE_CODES,), contact_requested=False, today=TODAY, actor_id="w1")


def test_a_referral_records_what_was_passed_on_and_later_whether_it_was_taken_up():
    case = opened(referral_consent=True)
    change = case.refer("svc", referred_on=TODAY, passed_on=(R.ACCOUNT, R.CASE_CODES), contact_requested=False, today=TODAY, actor_id="w1")
    [event] = change.events
    [referral] = change.after.referrals.values()
    assert isinstance(event, CaseReferred) and event.passed_on == ["account", "case_codes"] and event.service_id == "svc"
    assert referral.taken_up is None and stored(change.after).referrals == change.after.referrals
    assert change.entry.details["contact_requested"] is False
    taken = change.after.record_uptake(referral.id, taken_up=True, actor_id="w1")
    [uptake] = taken.events
    assert isinstance(uptake, ReferralTakenUp) and uptake.taken_up and uptake.referral_id == UUID(referral.id)
    assert stored(taken.after).referrals[referral.id].taken_up is True
    with pytest.raises(NotFound):
        change.after.record_uptake(str(uuid4()), taken_up=False, actor_id="w1")


def test_contact_data_is_passed_on_only_at_the_persons_request():
    case = opened(referral_consent=True)
    refuse = lambda: case.refer("svc", referred_on=TODAY, passed_on=(R.CONTACT_DATA,), contact_requested=False, today=TODAY, actor_id="w")  # noqa: E731
    assert refused_field(refuse) == "passed_on"
    allowed = case.refer("svc", referred_on=TODAY, passed_on=(R.CONTACT_DATA,), contact_requested=True, today=TODAY, actor_id="w")
    assert allowed.events[0].passed_on == ["contact_data"] and allowed.entry.details["contact_requested"] is True


def test_a_referral_dated_in_the_future_is_refused():
    case = opened(referral_consent=True)
    future = lambda: case.refer("svc", referred_on=date(2026, 3, 21), passed_on=(R.CASE_CODES,), contact_requested=False, today=TODAY, actor_id="w")  # noqa: E731
    assert refused_field(future) == "referred_on"


@pytest.mark.parametrize("event_type", [CaseDocumented, ConsultationLogged, InterventionRecorded, InterventionUpdated, CaseReferred, ReferralTakenUp])
def test_every_new_event_survives_the_wire(event_type):
    case = replace(opened(referral_consent=True), documentation=None)
    documented = case.document(Documentation("individual", ("health",), "school", "online_form"), actor_id="w")
    consulted = case.log_consultation(held_on=TODAY, channel=ConsultationChannel.EMAIL, minutes=5, sealed_note=None, today=TODAY, actor_id="w")
    recorded = case.record_intervention(K.MEDIATION, started_on=TODAY, outcome=O.OPEN, due_on=None, actor_id="w")
    updated = recorded.after.update_intervention(next(iter(recorded.after.interventions)), outcome=O.WITHDRAWN, due_on=None, actor_id="w")
    referred = case.refer("svc", referred_on=TODAY, passed_on=(R.CASE_CODES,), contact_requested=False, today=TODAY, actor_id="w")
    taken = referred.after.record_uptake(next(iter(referred.after.referrals)), taken_up=False, actor_id="w")
    events = {type(e): e for change in (documented, consulted, recorded, updated, referred, taken) for e in change.events}
    assert decode_event(encode_event(events[event_type])) == events[event_type]
