"""Request and response bodies of the case API."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from meldestelle_shared.taxonomy import CaseStatus, ClosureReason, District, Form, Ground, LifeArea, Priority, ReporterRole


class ReporterAnswers(BaseModel):
    """The reporter's own classification: their perception."""

    grounds: list[Ground] = Field(description="Perceived grounds.")
    forms: list[Form] = Field(description="Forms of discrimination.")
    life_area: LifeArea | None = None
    district: District | None = None
    reporter_role: ReporterRole | None = None
    incident_date: str | None = Field(default=None, description="YYYY-MM-DD or YYYY-MM.")
    language: str = Field(description="BCP 47 tag of the report's language.")


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
        description="status_changed, closed, reopened, assigned, classified, office_message, reporter_message, note, "
        "duplicate_confirmed or duplicate_dismissed."
    )
    at: datetime
    actor_id: str | None = Field(default=None, description="Staff account that did it; None for the reporter.")
    text: str | None = Field(default=None, description="Opened text of a message or note.")


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
