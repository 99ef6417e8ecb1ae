"""Request and response bodies of the case API."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from meldestelle_shared.taxonomy import (
    CaseSource,
    CaseStatus,
    ClosureReason,
    Consequence,
    ConsultationChannel,
    District,
    Form,
    Ground,
    InterventionKind,
    InterventionOutcome,
    Level,
    LifeArea,
    OtherSide,
    Priority,
    ReferralContent,
    ReporterRole,
    Wish,
)
from triage.cases import values
from triage.cases.model import MAX_CONSULTATION_MINUTES
from triage.evidence.schemas import EvidenceRead


class ReporterAnswers(BaseModel):
    """The reporter's own classification: their perception."""

    grounds: list[Ground] = Field(description="Perceived grounds.")
    forms: list[Form] = Field(description="Forms of discrimination.")
    life_area: LifeArea | None = None
    district: District | None = None
    reporter_role: ReporterRole | None = None
    incident_date: str | None = Field(default=None, description="YYYY-MM-DD or YYYY-MM.")
    language: str = Field(description="BCP 47 tag of the report's language.")
    wishes: list[Wish] = Field(default_factory=list, description="What the person wants the office to do; empty if not asked.")
    referral_consent: bool = Field(default=False, description="The case may be passed, without contact data, to a counselling service.")


class Classification(BaseModel):
    """Staff's classification, kept beside the reporter's answers."""

    grounds: list[Ground] = Field(description="Grounds as staff classified them.")
    forms: list[Form] = Field(description="Forms as staff classified them.")
    life_area: LifeArea | None = Field(default=None, description="Life area as staff classified it.")


class CaseSummary(BaseModel):
    """A case in the queue; nothing sealed is opened for a list."""

    id: UUID
    reference: str = Field(description="Human-friendly reference, e.g. DU-2026-000123.")
    status: CaseStatus
    priority: Priority
    priority_reason: str = Field(description="The triage rule that set the priority.")
    agg_deadline: date | None = Field(description="Last day to assert an AGG claim, where it applies.")
    received_at: datetime
    reporter: ReporterAnswers
    classification: Classification | None = Field(default=None, description="Staff's classification, if any.")
    assignee_id: str | None = Field(default=None, description="Staff account working the case.")
    retention_review: bool = Field(default=False, description="Open past the retention period: review it.")
    unread_replies: int = Field(default=0, description="Reporter replies that arrived since staff last opened the case.")


class TimelineEntry(BaseModel):
    """Something that happened to a case; messages and notes carry their opened text."""

    model_config = ConfigDict(extra="allow")

    id: str
    kind: str = Field(
        description="status_changed, closed, reopened, assigned, classified, documented, office_message, reporter_message, note, "
        "consultation, intervention_recorded, intervention_updated, referred, referral_taken_up, duplicate_confirmed or duplicate_dismissed."
    )
    at: datetime
    actor_id: str | None = Field(default=None, description="Staff account that did it; None for the reporter.")
    text: str | None = Field(default=None, description="Opened text of a message, note or consultation note.")


class DuplicateHint(BaseModel):
    """Another case that may report the same incident."""

    case_id: UUID
    reference: str
    score: float = Field(description="Text similarity, 0..1.")
    state: str = Field(description="suggested, confirmed or dismissed.")


class DeadlineRead(BaseModel):
    """One deadline of the deadline engine, with its legal basis and the date it runs from."""

    kind: str = Field(description="agg_15_4, agg_21_5, arbgg_61b, statement_reply or intervention.")
    legal_basis: str = Field(description="Text key naming the legal basis, e.g. legal_basis_agg_15_4.")
    runs_from: date = Field(description="The day the period runs from.")
    counted_from: str = Field(description="Which fact runs_from is: learned, incident_date, incident_month, report_received, ...")
    estimated: bool = Field(description="Counted from the report's arrival only: the real deadline may be earlier.")
    due: date = Field(description="The last day (§§ 187, 188, 193 BGB for the statutory periods).")
    source_id: str = Field(description="What set it: the case, a written claim, a statement request or an intervention.")


class Deadlines(BaseModel):
    """Dates the office must keep in view."""

    agg_deadline: date | None = Field(description="Last day to assert an AGG claim, where it applies.")
    first_response_due: date | None = Field(description="When a case still new becomes overdue (working days, NRW).")
    items: list[DeadlineRead] = Field(default_factory=list, description="Every deadline of the case, earliest first.")


class Documentation(BaseModel):
    """The documentation of the ADS/DeZIM minimum standards, beside the classification."""

    level: Level | None = Field(default=None, description="Individual, institutional or structural.")
    consequences: list[Consequence] = Field(default_factory=list, description="What the discrimination did to the person.")
    other_side: OtherSide | None = Field(default=None, description="The other side, as a category only (never a name).")
    source: CaseSource | None = Field(default=None, description="How the office learned of the case.")


class InterventionRead(BaseModel):
    """An intervention with its outcome and due date."""

    id: UUID
    kind: InterventionKind
    started_on: date
    outcome: InterventionOutcome
    due_on: date | None = Field(description="Its due date; a statement request's reply date.")


class ReferralRead(BaseModel):
    """A referral to a counselling service."""

    id: UUID
    service_id: str
    service_name: str | None = Field(description="The service's name in the directory; None if it has since left the directory.")
    referred_on: date
    passed_on: list[ReferralContent]
    taken_up: bool | None = Field(description="Whether the service took it up; None while unknown.")


class CaseRead(CaseSummary):
    """One case with the reporter's text and the timeline opened."""

    description: str = Field(description="The reporter's description, opened for this response only.")
    contact: str | None = Field(description="Contact data the reporter consented to give (JSON), if any.")
    closure_reason: ClosureReason | None = None
    can_receive_messages: bool = Field(description="Whether the reporter left a key for office messages.")
    next_statuses: list[CaseStatus] = Field(description="Where the workflow allows the case to go next.")
    timeline: list[TimelineEntry]
    duplicates: list[DuplicateHint]
    deadlines: Deadlines
    documentation: Documentation | None = Field(description="Staff's documentation, if any.")
    interventions: list[InterventionRead] = Field(description="Interventions, by date.")
    referrals: list[ReferralRead] = Field(description="Referrals, by date.")
    evidence: list[EvidenceRead] = Field(default_factory=list, description="Files the reporter attached, and their safe copies' state.")


class CasePage(BaseModel):
    """A page of the case queue."""

    items: list[CaseSummary]
    total: int = Field(description="Number of matching cases.")
    page: int
    page_size: int
    counts: dict[str, int] = Field(default_factory=dict, description="Matching cases per status (the status filter aside).")
    replies_waiting: int = Field(default=0, description="Matching cases with an unread reporter reply (the status filter aside).")


class StatusChange(BaseModel):
    """Move a case in the workflow."""

    model_config = ConfigDict(extra="forbid")

    status: CaseStatus


class Closing(BaseModel):
    """Close a case."""

    model_config = ConfigDict(extra="forbid")

    reason: ClosureReason


class Assignment(BaseModel):
    """Give a case to someone, or to nobody."""

    model_config = ConfigDict(extra="forbid")

    assignee_id: str | None = Field(max_length=64)


class ClassificationUpdate(Classification):
    """Staff's classification of a case."""

    model_config = ConfigDict(extra="forbid")


class TextBody(BaseModel):
    """A message to the reporter or an internal note."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)


class MessageCreated(BaseModel):
    """The id of the message sent to the reporter."""

    message_id: UUID


class NoteCreated(BaseModel):
    """The id of the note."""

    note_id: UUID


class DuplicateDecision(BaseModel):
    """Confirm or dismiss a duplicate hint."""

    model_config = ConfigDict(extra="forbid")

    confirmed: bool


# A day of the office's case work: within this century, so no date arithmetic (reminders count back from due dates) can overflow.
WorkDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]


class DocumentationUpdate(Documentation):
    """Staff's documentation of a case; replaces the earlier one."""

    model_config = ConfigDict(extra="forbid")

    def as_value(self) -> values.Documentation:
        """The documentation as the case keeps it: codes."""
        return values.Documentation(
            level=self.level.value if self.level else None, consequences=tuple(c.value for c in self.consequences),
            other_side=self.other_side.value if self.other_side else None, source=self.source.value if self.source else None,
        )  # fmt: skip


class ConsultationCreate(BaseModel):
    """A contact with the person."""

    model_config = ConfigDict(extra="forbid")

    held_on: WorkDate = Field(description="The day of the contact; not in the future.")
    channel: ConsultationChannel
    minutes: int = Field(ge=1, le=MAX_CONSULTATION_MINUTES, description="Minutes spent.")
    note: str | None = Field(default=None, max_length=5000, description="Sealed to the office; never leaves triage.")


class ConsultationCreated(BaseModel):
    """The id of the consultation (its timeline entry)."""

    consultation_id: UUID


class InterventionCreate(BaseModel):
    """A new intervention (referrals have their own endpoint, which checks consent)."""

    model_config = ConfigDict(extra="forbid")

    kind: InterventionKind
    started_on: WorkDate
    outcome: InterventionOutcome = InterventionOutcome.OPEN
    due_on: WorkDate | None = Field(default=None, description="Required for a statement request: the reply date.")


class InterventionChange(BaseModel):
    """A new outcome or due date; `due_on: null` removes the due date, a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    outcome: InterventionOutcome | None = None
    due_on: WorkDate | None = None


class InterventionCreated(BaseModel):
    """The id of the intervention."""

    intervention_id: UUID


class ReferralCreate(BaseModel):
    """A referral to a service of the directory; only with the person's consent."""

    model_config = ConfigDict(extra="forbid")

    service_id: str = Field(max_length=64)
    referred_on: WorkDate
    passed_on: list[ReferralContent] = Field(min_length=1, description="What was passed on to the service.")
    contact_requested: bool = Field(
        default=False, description="The person asked that their contact data be passed on; required for contact_data."
    )


class ReferralCreated(BaseModel):
    """The id of the referral."""

    referral_id: UUID


class ReferralUptake(BaseModel):
    """Whether the service took the referral up."""

    model_config = ConfigDict(extra="forbid")

    taken_up: bool


class CounsellingServiceRead(BaseModel):
    """A counselling service of the referral directory."""

    id: str
    name: str
    topics: list[str] = Field(description="Ground and life area codes.")
    languages: list[str] = Field(description="BCP 47 tags.")
    contact: dict[str, str] = Field(description="phone, email, web, address: the service's own public details.")
    accessibility: list[str]
    example: bool = Field(description="A shipped sample entry: show it as an example.")


class ReferralSuggestion(BaseModel):
    """A service that suits the case, and why."""

    service: CounsellingServiceRead
    shared_topics: list[str] = Field(description="The case's grounds and life area the service counsels on.")
    speaks_language: bool = Field(description="Whether it counsels in the report's language.")
