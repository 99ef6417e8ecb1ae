"""The case aggregate: a report as the office works it, with every rule about how it may change.

A `Case` is a value. Each change (`move_to`, `close`, `classify`, ...) checks the workflow and returns a
`Change`: the case after it, the timeline entry it adds and the events it produces. The repository
writes a `Change` in one guarded document write; nothing else decides what a change means.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from meldestelle_shared.days import in_office_time, office_day
from meldestelle_shared.events import (
    CaseAssigned,
    CaseClassified,
    CaseClosed,
    CaseCreated,
    CaseDocumented,
    CaseErased,
    CaseReferred,
    CaseReopened,
    CaseStatusChanged,
    ConsultationLogged,
    Event,
    FirstResponseOverdue,
    InterventionRecorded,
    InterventionUpdated,
    LetterCreated,
    OfficeMessageSent,
    ReferralTakenUp,
    ReportSubmitted,
)
from meldestelle_shared.taxonomy import (
    CaseStatus,
    ClosureReason,
    ConsultationChannel,
    Form,
    InterventionKind,
    InterventionOutcome,
    Priority,
    ReferralContent,
    Wish,
)
from triage.cases import workflow
from triage.cases.deadlines import (
    Deadline,
    DeadlineFacts,
    DeadlinePeriods,
    InterventionDue,
    StatementRequest,
    agg_claim_deadline,
    deadlines_for,
)
from triage.cases.priority import PriorityDecision, assess_priority
from triage.cases.values import (
    CaseFigures,
    Codes,
    Documentation,
    DuplicateHint,
    Intervention,
    Referral,
    ReporterAnswers,
    TimelineEntry,
    effective_codes,
    figures_of,
)
from triage.errors import Conflict, Invalid, NotFound
from triage.evidence.model import EvidenceItem

# The longest consultation one entry may record: a working day; longer contacts are logged as several.
MAX_CONSULTATION_MINUTES = 600

_CASE_IDS = UUID("0b5f8a52-3f0c-4f55-9b8e-2d7c1e6a4f10")
# Event ids derived from what caused them: a retried step emits the very same event.
_TRIAGE_EVENT_IDS = uuid5(NAMESPACE_URL, "https://meldestelle/triage/events")


@dataclass(frozen=True)
class CaseRules:
    """The configurable parts of how a case is opened and prioritised."""

    reference_prefix: str = "DU"
    deadline_periods: DeadlinePeriods = DeadlinePeriods()
    near_days: int = 21


def case_id_for(report_id: UUID) -> str:
    """A report's case id, derived from it, so a redelivered report meets its case on the primary key."""
    return str(uuid5(_CASE_IDS, str(report_id)))


def derived_event_id(*parts: object) -> UUID:
    """A stable event id for a step that may be retried."""
    return uuid5(_TRIAGE_EVENT_IDS, ":".join(str(part) for part in parts))


def office_month(moment: datetime) -> str:
    """The office's (Europe/Berlin) month of a moment, YYYY-MM."""
    return in_office_time(moment).strftime("%Y-%m")


@dataclass(frozen=True)
class Change:
    """One change of a case: the case after it, its timeline entry, its events, and what must not have changed meanwhile."""

    before: "Case"
    after: "Case"
    entry: TimelineEntry | None
    events: tuple[Event, ...]
    # Case fields whose values must still be those of `before` when the change is written.
    guard: tuple[str, ...] = ("status",)


@dataclass(frozen=True)
class Case:
    """A case: the reporter's sealed report and answers, and the office's work on it.

    Lists load cases without their sealed texts and timeline; those fields are then None and empty.
    """

    id: str
    report_id: str
    reference: str
    status: CaseStatus
    priority: PriorityDecision
    received_at: datetime
    received_month: str
    reporter: ReporterAnswers
    created_at: datetime | None = None
    updated_at: datetime | None = None
    sealed_description: str | None = None
    sealed_contact: str | None = None
    reporter_public_key: str | None = None
    reporter_verify_key: str | None = None
    classification: Codes | None = None
    assignee_id: str | None = None
    closure_reason: ClosureReason | None = None
    closed_at: datetime | None = None
    retention_review: bool = False
    reminded_on: str | None = None
    unread_replies: int = 0
    reply_waiting: bool = False
    timeline: tuple[TimelineEntry, ...] = ()
    duplicates: Mapping[str, DuplicateHint] = field(default_factory=dict)
    documentation: Documentation | None = None
    interventions: Mapping[str, Intervention] = field(default_factory=dict)
    referrals: Mapping[str, Referral] = field(default_factory=dict)
    # The files the reporter attached, as intake stored them (sealed), with the state of each safe copy.
    evidence: tuple[EvidenceItem, ...] = ()

    @classmethod
    def open(cls, event: ReportSubmitted, *, reference: str, rules: CaseRules, created_at: datetime) -> "Case":
        """The case for a submitted report, prioritised as of the day it was received."""
        received_at = office_day(event.occurred_at)  # the day only, even from a producer that sent the exact time
        reporter = ReporterAnswers(
            codes=Codes(tuple(g.value for g in event.grounds), tuple(f.value for f in event.forms), _value(event.life_area)),
            district=_value(event.district),
            reporter_role=_value(event.reporter_role),
            incident_date=event.incident_date,
            language=event.language,
            wishes=tuple(wish.value for wish in event.wishes),
            referral_consent=event.referral_consent,
        )
        case = cls(
            id=case_id_for(event.report_id),
            report_id=str(event.report_id),
            reference=reference,
            status=CaseStatus.NEW,
            priority=PriorityDecision(Priority.NORMAL, "no_rule_applies"),
            received_at=received_at,
            received_month=office_month(received_at),
            reporter=reporter,
            created_at=created_at,
            sealed_description=event.sealed_description,
            sealed_contact=event.sealed_contact,
            reporter_public_key=event.reporter_public_key,
            reporter_verify_key=event.reporter_verify_key,
            evidence=tuple(EvidenceItem.received(reference) for reference in event.evidence),
        )
        return replace(case, priority=case.priority_on(in_office_time(received_at).date(), rules))

    # -- derived rules --------------------------------------------------------------------------

    @property
    def effective(self) -> Codes:
        """The codes the office works with: staff's classification where there is one."""
        return effective_codes(self.reporter, self.classification)

    @property
    def can_receive_messages(self) -> bool:
        """Whether the reporter left a key for office messages."""
        return bool(self.reporter_public_key)

    @property
    def awaits_first_response(self) -> bool:
        """Whether the office owes the person a first response: not when all they asked is that it be recorded."""
        return self.reporter.wishes != (Wish.RECORD_ONLY.value,)

    def deadline_facts(self) -> DeadlineFacts:
        """What the deadline engine knows of this case: life area, incident date, arrival, and the open interventions' due dates.

        A statement request's due date is the reply date the office set; a finished intervention has no deadline left.
        """
        pending = [i for i in self.interventions.values() if i.outcome == InterventionOutcome.OPEN and i.due_on is not None]
        return DeadlineFacts(
            case_id=self.id,
            life_area=self.effective.life_area,
            received_on=in_office_time(self.received_at).date(),
            incident_date=self.reporter.incident_date,
            statement_requests=tuple(
                StatementRequest(i.id, i.started_on, i.due_on) for i in pending if i.kind == InterventionKind.STATEMENT_REQUEST and i.due_on
            )
            + statement_requests_in(self.timeline),
            interventions=tuple(
                InterventionDue(i.id, i.started_on, i.due_on) for i in pending if i.kind != InterventionKind.STATEMENT_REQUEST and i.due_on
            ),
        )

    def deadlines(self, periods: DeadlinePeriods) -> tuple[Deadline, ...]:
        """The case's deadlines, earliest first."""
        return deadlines_for(self.deadline_facts(), periods)

    def priority_on(self, today: date, rules: CaseRules) -> PriorityDecision:
        """The priority as of `today`, from the effective forms and the AGG claim deadline of the engine."""
        agg = agg_claim_deadline(self.deadline_facts(), rules.deadline_periods)
        # Only a deadline counted from the incident raises the priority; one estimated from the report's arrival
        # is shown and reminded, but could be far later than the real one.
        return assess_priority(
            forms=[Form(form) for form in self.effective.forms],
            agg_deadline=agg.due if agg is not None and not agg.estimated else None,
            today=today,
            near_days=rules.near_days,
        )

    def reprioritised(self, today: date, rules: CaseRules) -> "Case":
        """The case with its priority as of `today` (a deadline turns a case high as it nears)."""
        return replace(self, priority=self.priority_on(today, rules))

    def figures(self) -> CaseFigures:
        """What the case contributes to the monthly statistics."""
        return figures_of(self.id, self.received_month, self.reporter, self.classification, self.closure_reason)

    def next_statuses(self) -> list[CaseStatus]:
        """Where the workflow allows the case to go next."""
        return workflow.allowed_next(self.status)

    # -- changes --------------------------------------------------------------------------------

    def move_to(self, target: CaseStatus, *, actor_id: str | None, cause: str | None = None) -> Change:
        """One step in the workflow (not to closed: that needs a reason); `cause` notes a move nobody chose."""
        _check(workflow.check_status_change, self.status, target)
        entry = _entry("status_changed", actor_id, status=target.value, previous_status=self.status.value, **({"cause": cause} if cause else {}))
        event = CaseStatusChanged(**self._ids(), status=target, previous_status=self.status)
        return self._change(entry, [event], status=target)

    def close(self, reason: ClosureReason, *, actor_id: str | None) -> Change:
        """Close the case with a reason from the list."""
        _check(workflow.check_close, self.status)
        entry = _entry("closed", actor_id, closure_reason=reason.value, previous_status=self.status.value)
        event = CaseClosed(**self._ids(), previous_status=self.status, closure_reason=reason)
        return self._change(entry, [event], status=CaseStatus.CLOSED, closure_reason=reason, closed_at=datetime.now(UTC))

    def reopen(self, *, actor_id: str | None) -> Change:
        """Reopen a closed case; it goes back to work and out of any retention review."""
        _check(workflow.check_reopen, self.status)
        target = workflow.REOPENED_STATUS
        entry = _entry("reopened", actor_id, status=target.value)
        event = CaseReopened(**self._ids(), status=target)
        return self._change(entry, [event], status=target, closure_reason=None, closed_at=None, retention_review=False)

    def assign(self, assignee_id: str | None, *, actor_id: str | None) -> Change:
        """Give the case to someone (or nobody), unless someone else was given it meanwhile."""
        entry = _entry("assigned", actor_id, assignee_id=assignee_id)
        event = CaseAssigned(**self._ids(), assignee_id=assignee_id)
        return self._change(entry, [event], guard=("status", "assignee_id"), assignee_id=assignee_id)

    def classify(self, codes: Codes, *, today: date, rules: CaseRules, actor_id: str | None) -> Change:
        """Store staff's classification beside the reporter's answers; the priority follows it."""
        classification = Codes(tuple(sorted(set(codes.grounds))), tuple(sorted(set(codes.forms))), codes.life_area)
        entry = _entry("classified", actor_id, grounds=list(classification.grounds), forms=list(classification.forms), life_area=classification.life_area)
        event = CaseClassified(
            **self._ids(), grounds=list(classification.grounds), forms=list(classification.forms), life_area=classification.life_area
        )
        classified = replace(self, classification=classification)
        return self._change(entry, [event], classification=classification, priority=classified.priority_on(today, rules))

    def document(self, documentation: Documentation, *, actor_id: str | None) -> Change:
        """Store staff's documentation (level, consequences, other side, source), replacing the earlier one."""
        documented = replace(documentation, consequences=tuple(sorted(set(documentation.consequences))))
        fields = {
            "level": documented.level, "consequences": list(documented.consequences),
            "other_side": documented.other_side, "source": documented.source,
        }  # fmt: skip
        event = CaseDocumented(**self._ids(), **fields)
        return self._change(_entry("documented", actor_id, **fields), [event], documentation=documented)

    def log_consultation(
        self, *, held_on: date, channel: ConsultationChannel, minutes: int, sealed_note: str | None, today: date, actor_id: str | None
    ) -> Change:
        """A contact with the person: on the timeline with its note sealed to the office; the event carries no note."""
        if held_on > today:
            raise Invalid("held_on", "must not be in the future")
        if not 1 <= minutes <= MAX_CONSULTATION_MINUTES:
            raise Invalid("minutes", f"must be between 1 and {MAX_CONSULTATION_MINUTES}")
        consultation_id = uuid4()
        details = {"held_on": held_on.isoformat(), "channel": channel.value, "minutes": minutes}
        entry = _entry("consultation", actor_id, entry_id=str(consultation_id), sealed_text=sealed_note, **details)
        event = ConsultationLogged(**self._ids(), consultation_id=consultation_id, held_on=held_on, channel=channel, minutes=minutes)
        return self._change(entry, [event])

    def record_intervention(
        self, kind: InterventionKind, *, started_on: date, outcome: InterventionOutcome, due_on: date | None, actor_id: str | None
    ) -> Change:
        """A new intervention; a statement request needs the reply date the office set the other side."""
        if kind is InterventionKind.REFERRAL:
            raise Invalid("kind", "a referral is recorded as a referral (POST .../referrals), with the person's consent")
        intervention = Intervention(str(uuid4()), kind.value, started_on, outcome.value, due_on)
        _check_intervention(intervention)
        event = InterventionRecorded(**self._ids(), **_intervention_fields(intervention))
        entry = _entry("intervention_recorded", actor_id, **_intervention_details(intervention))
        # The first one is written as the whole map: the guard then refuses a concurrent first one instead of losing it.
        guard = ("status",) if self.interventions else ("status", "interventions")
        return self._change(entry, [event], guard=guard, interventions={**self.interventions, intervention.id: intervention})

    def update_intervention(
        self, intervention_id: str, *, outcome: InterventionOutcome | None, due_on: date | None, clear_due: bool = False, actor_id: str | None
    ) -> Change:
        """Record an intervention's outcome or move its due date (`clear_due` removes it)."""
        current = self.interventions.get(intervention_id)
        if current is None:
            raise NotFound("This case has no intervention with that id.")
        updated = replace(
            current,
            outcome=outcome.value if outcome is not None else current.outcome,
            due_on=None if clear_due else (due_on if due_on is not None else current.due_on),
        )
        _check_intervention(updated)
        event = InterventionUpdated(**self._ids(), **_intervention_fields(updated))
        entry = _entry("intervention_updated", actor_id, **_intervention_details(updated))
        return self._change(entry, [event], interventions={**self.interventions, updated.id: updated})

    def refer(
        self, service_id: str, *, referred_on: date, passed_on: tuple[ReferralContent, ...], contact_requested: bool, today: date,
        actor_id: str | None,
    ) -> Change:
        """Refer the case to a counselling service; only with the person's consent, and contact data only at their request."""
        if not self.reporter.referral_consent:
            raise Conflict("The person did not consent to passing the case to a counselling service, so it cannot be referred.")
        if referred_on > today:
            raise Invalid("referred_on", "must not be in the future")
        if not passed_on:
            raise Invalid("passed_on", "must name what was passed on")
        if ReferralContent.CONTACT_DATA in passed_on and not contact_requested:
            raise Invalid("passed_on", "contact_data may be passed on only when the person asked for it (contact_requested)")
        referral = Referral(str(uuid4()), service_id, referred_on, tuple(sorted({content.value for content in passed_on})))
        event = CaseReferred(
            **self._ids(), referral_id=UUID(referral.id), service_id=service_id, referred_on=referred_on, passed_on=list(referral.passed_on)
        )
        entry = _entry(
            "referred", actor_id, referral_id=referral.id, service_id=service_id, referred_on=referred_on.isoformat(),
            passed_on=list(referral.passed_on), contact_requested=contact_requested,
        )  # fmt: skip
        guard = ("status",) if self.referrals else ("status", "referrals")
        return self._change(entry, [event], guard=guard, referrals={**self.referrals, referral.id: referral})

    def record_uptake(self, referral_id: str, *, taken_up: bool, actor_id: str | None) -> Change:
        """Record whether the service took the referral up."""
        current = self.referrals.get(referral_id)
        if current is None:
            raise NotFound("This case has no referral with that id.")
        event = ReferralTakenUp(**self._ids(), referral_id=UUID(referral_id), service_id=current.service_id, taken_up=taken_up)
        entry = _entry("referral_taken_up", actor_id, referral_id=referral_id, service_id=current.service_id, taken_up=taken_up)
        return self._change(entry, [event], referrals={**self.referrals, referral_id: replace(current, taken_up=taken_up)})

    def check_message(self) -> None:
        """Refuse a message to a reporter who left no reply key."""
        if not self.can_receive_messages:
            raise Conflict("This report has no reply key: its reporter cannot receive messages.")

    def send_message(self, *, sealed_for_reporter: str, sealed_for_office: str, actor_id: str | None) -> Change:
        """A message to the reporter, sealed once for them (the event) and once for the office (the timeline)."""
        self.check_message()
        message_id = uuid4()
        entry = _entry("office_message", actor_id, entry_id=str(message_id), sealed_text=sealed_for_office)
        event = OfficeMessageSent(**self._ids(), message_id=message_id, sealed_for_reporter=sealed_for_reporter)
        return self._change(entry, [event])

    def add_note(self, *, sealed_text: str, actor_id: str | None) -> Change:
        """An internal note: it never leaves triage, so no event."""
        return self._change(_entry("note", actor_id, sealed_text=sealed_text), [])

    def settle_duplicate(self, other_id: str, *, confirmed: bool, actor_id: str | None) -> Change:
        """Confirm or dismiss this case's duplicate hint about another case."""
        hint = self.duplicates.get(other_id)
        if hint is None:
            raise NotFound("This case has no duplicate hint for that case.")
        state = "confirmed" if confirmed else "dismissed"
        entry = _entry("duplicate_" + state, actor_id, other_case_id=other_id)
        return self._change(entry, [], duplicates={**self.duplicates, other_id: replace(hint, state=state)})

    def remind_overdue(self, today: date, waited: int) -> Change:
        """Remind the leads that a new case waits for a first response; once per case and day."""
        event = FirstResponseOverdue(
            event_id=derived_event_id("FirstResponseOverdue", self.id, today),
            **self._ids(),
            reference=self.reference,
            working_days=waited,
        )
        after = replace(self, reminded_on=today.isoformat())
        return Change(before=self, after=after, entry=None, events=(event,), guard=("status", "reminded_on"))

    def announcement(self) -> CaseCreated:
        """The CaseCreated event, identical each time it is made (redelivery heals a crash by repeating it)."""
        return CaseCreated.for_case(
            case_id=UUID(self.id), report_id=UUID(self.report_id), reference=self.reference,
            priority=self.priority.priority, created_at=self.created_at,
        )  # fmt: skip

    def erasure(self, reason: str, *, repeatable: bool = True) -> CaseErased:
        """The CaseErased event announcing the case's deletion; a repeatable one has an id derived from the case."""
        derived = {"event_id": derived_event_id("CaseErased", self.id), "occurred_at": datetime.now(UTC)} if repeatable else {}
        return CaseErased(**derived, **self._ids(), reason=reason)

    def record_letter(
        self, letter_id: UUID, *, template: str, language: str, version: int, reply_by: date | None, requested_on: date, actor_id: str | None
    ) -> Change:
        """A letter made for the case: its ids on the timeline (its text rests sealed in the letters collection)."""
        reply = {"reply_by": reply_by.isoformat(), "requested_on": requested_on.isoformat()} if reply_by else {}
        entry = _entry("letter", actor_id, letter_id=str(letter_id), template=template, language=language, template_version=version, **reply)
        event = LetterCreated(**self._ids(), letter_id=letter_id, template=template, template_version=version)
        return self._change(entry, [event])

    def _ids(self) -> dict[str, UUID]:
        report_id = UUID(self.report_id)
        return {"correlation_id": report_id, "report_id": report_id, "case_id": UUID(self.id)}

    def _change(self, entry: TimelineEntry, events: list[Event], *, guard: tuple[str, ...] = ("status",), **fields: object) -> Change:
        after = replace(self, **fields, updated_at=entry.at, timeline=(*self.timeline, entry))  # type: ignore[arg-type]
        return Change(before=self, after=after, entry=entry, events=tuple(events), guard=guard)


def reporter_reply(message_id: UUID, *, at: datetime, sealed_text: str) -> TimelineEntry:
    """A reporter's reply as it goes on the timeline."""
    return TimelineEntry(id=str(message_id), kind="reporter_message", at=at, actor_id=None, sealed_text=sealed_text)


def _entry(kind: str, actor_id: str | None, *, entry_id: str | None = None, sealed_text: str | None = None, **details: object) -> TimelineEntry:
    return TimelineEntry(id=entry_id or str(uuid4()), kind=kind, at=datetime.now(UTC), actor_id=actor_id, details=details, sealed_text=sealed_text)


def _check_intervention(intervention: Intervention) -> None:
    if intervention.kind == InterventionKind.STATEMENT_REQUEST and intervention.due_on is None:
        raise Invalid("due_on", "a statement request needs the reply date set for the other side")
    if intervention.due_on is not None and intervention.due_on < intervention.started_on:
        raise Invalid("due_on", "must not be before the intervention's date")


def _intervention_fields(intervention: Intervention) -> dict[str, object]:
    return {
        "intervention_id": UUID(intervention.id), "kind": intervention.kind, "started_on": intervention.started_on,
        "outcome": intervention.outcome, "due_on": intervention.due_on,
    }  # fmt: skip


def _intervention_details(intervention: Intervention) -> dict[str, object]:
    # Timeline details are stored as they are: dates as ISO text.
    return {
        "intervention_id": intervention.id, "intervention_kind": intervention.kind, "started_on": intervention.started_on.isoformat(),
        "outcome": intervention.outcome, "due_on": intervention.due_on.isoformat() if intervention.due_on else None,
    }  # fmt: skip


def _check(rule, *statuses: CaseStatus) -> None:  # noqa: ANN001 - one of the workflow's check functions
    try:
        rule(*statuses)
    except workflow.InvalidTransition as error:
        raise Conflict(str(error)) from None


def _value(code: object) -> str | None:
    return None if code is None else str(code)


def statement_requests_in(timeline: tuple[TimelineEntry, ...]) -> tuple[StatementRequest, ...]:
    """The statement requests the case's letters set a reply date for, for the deadline engine."""
    return tuple(
        StatementRequest(
            id=str(entry.details["letter_id"]),
            requested_on=date.fromisoformat(str(entry.details["requested_on"])),
            reply_by=date.fromisoformat(str(entry.details["reply_by"])),
        )
        for entry in timeline
        if entry.kind == "letter" and "reply_by" in entry.details
    )
