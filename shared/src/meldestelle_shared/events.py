"""Versioned event contracts: every message on Kafka is one of these, named in the past tense.

Readers are tolerant: unknown fields are ignored, so a producer may add optional fields
without breaking older consumers. A change that breaks readers raises `schema_version`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, ClassVar, Literal, Union
from uuid import UUID, uuid4, uuid5

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

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
from meldestelle_shared.validation import IncidentDate, LanguageTag

# Namespace for event ids derived from other ids, so a retried step emits the same event id.
_DERIVED_EVENT_IDS = UUID("6f1c2a4e-8d5b-4c1e-9a57-0b3e6d2f9c81")


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Fields every event carries."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    SCHEMA_VERSION: ClassVar[int] = 1

    event_id: UUID = Field(default_factory=uuid4, description="Unique id; consumers deduplicate by it.")
    event_type: str = Field(description="The event's name, in the past tense.")
    schema_version: int = Field(default=1, ge=1, description="Major version of this event's schema.")
    occurred_at: AwareDatetime = Field(default_factory=_now, description="When it happened (UTC).")
    correlation_id: UUID = Field(description="Id shared by all events that stem from one report.")

    def partition_key(self) -> bytes:
        """The Kafka key: events about one report stay in order on one partition."""
        return str(self.correlation_id).encode()


EvidenceMediaType = Literal["image/jpeg", "image/png", "image/webp", "application/pdf", "text/plain"]


class EvidenceFile(BaseModel):
    """A file the reporter attached, sealed and stored by intake; events carry this reference, never the bytes."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    evidence_id: UUID = Field(description="The file's id: its `_id` in the evidence store (GridFS bucket `evidence`).")
    media_type: EvidenceMediaType = Field(description="The type recognised from the content (never from the name).")
    size: int = Field(ge=1, description="The original file's size in bytes.")
    sealed_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the sealed bytes as stored.")


class ReportSubmitted(Event):
    """A resident submitted a report; intake has sealed everything sensitive in it.

    Version 2 dropped `receipt_hash` (no reader used it; it linked Kafka to intake's inboxes) and added
    `reporter_verify_key`. Readers of version 2 still read version 1 (the extra field is ignored).
    `wishes` and `referral_consent` were added later as optional fields; events without them read as none and false.
    `evidence` was added later too: events without it read as no files; so was `evidence_original_consent` (false).
    """

    SCHEMA_VERSION: ClassVar[int] = 2

    event_type: Literal["ReportSubmitted"] = "ReportSubmitted"
    schema_version: int = Field(default=2, ge=1, description="Major version of this event's schema.")
    report_id: UUID = Field(description="The report's id, also the correlation id of what follows.")
    grounds: list[Ground] = Field(default_factory=list, description="Grounds as perceived by the reporter.")
    forms: list[Form] = Field(default_factory=list, description="Forms of discrimination reported.")
    life_area: LifeArea | None = Field(default=None, description="Area of life where it happened.")
    district: District | None = Field(default=None, description="Coarse location.")
    reporter_role: ReporterRole | None = Field(default=None, description="Affected, witness or on behalf.")
    incident_date: IncidentDate | None = Field(default=None, description="YYYY-MM-DD or YYYY-MM.")
    language: LanguageTag = Field(default="de", description="BCP 47 tag of the language the reporter used.")
    wishes: list[Wish] = Field(default_factory=list, description="What the reporter wants the office to do; empty if not asked.")
    referral_consent: bool = Field(
        default=False, description="The reporter lets the office pass the case, without contact data, to a counselling service."
    )
    sealed_description: str = Field(description="The description, sealed for the office (base64).")
    sealed_contact: str | None = Field(default=None, description="Contact data sealed for the office, if consented.")
    sealed_contact_for_notify: str | None = Field(
        default=None, description="The e-mail address alone, sealed for notify, which opens it only to send notices."
    )
    reporter_public_key: str | None = Field(
        default=None, description="The reporter's public key (base64); office messages are sealed to it."
    )
    reporter_verify_key: str | None = Field(
        default=None,
        description="The reporter's Ed25519 verify key (base64); replies and erasure requests must be signed with its key.",
    )
    evidence: list[EvidenceFile] = Field(default_factory=list, max_length=5, description="Files attached, sealed and stored.")
    evidence_original_consent: bool = Field(
        default=False,
        description="The reporter lets the office open the original files; without it staff see only the safe copies.",
    )


class ReporterSigned(Event):
    """An event only the holder of the report's receipt may cause: it carries the reporter's signature."""

    report_id: UUID = Field(description="The report it is about.")
    signature: str = Field(description="Ed25519 signature (base64) of signed_content(), by the reporter's key.")

    def signed_content(self) -> bytes:
        """What the signature covers: the event's type and the fields that say what is asked."""
        return "\n".join([self.event_type, str(self.report_id), *self._signed_fields()]).encode()

    def _signed_fields(self) -> list[str]:
        return []


class ReporterReplied(ReporterSigned):
    """The reporter wrote to the office through the follow-up page."""

    event_type: Literal["ReporterReplied"] = "ReporterReplied"
    message_id: UUID = Field(description="Id of the message; consumers deduplicate by it.")
    sealed_text: str = Field(description="The message, sealed for the office (base64).")

    def _signed_fields(self) -> list[str]:
        return [str(self.message_id), self.sealed_text]


class ReportErasureRequested(ReporterSigned):
    """The reporter asked, with their receipt, that the report be deleted (GDPR Art. 17)."""

    event_type: Literal["ReportErasureRequested"] = "ReportErasureRequested"


class ReporterEvidenceAdded(ReporterSigned):
    """The reporter added files to their report through the follow-up page; the files are sealed and stored."""

    event_type: Literal["ReporterEvidenceAdded"] = "ReporterEvidenceAdded"
    evidence: list[EvidenceFile] = Field(min_length=1, max_length=5, description="The files added, sealed and stored.")

    def _signed_fields(self) -> list[str]:
        return [f"{file.evidence_id}:{file.media_type}:{file.size}:{file.sealed_sha256}" for file in self.evidence]


class ReportAbandoned(Event):
    """intake told the reporter their report was NOT saved (Kafka was too slow to confirm it).

    Published behind the report on the same partition, so if the report reaches Kafka after
    all, triage drops it instead of opening a case nobody holds a receipt for.
    """

    event_type: Literal["ReportAbandoned"] = "ReportAbandoned"
    report_id: UUID = Field(description="The report that was not acknowledged.")


class CaseCreated(Event):
    """Triage stored a new case for a report."""

    event_type: Literal["CaseCreated"] = "CaseCreated"
    case_id: UUID = Field(description="The case's id.")
    report_id: UUID = Field(description="The report the case was made from.")
    reference: str = Field(description="Human-friendly reference, e.g. DU-2026-000123.")
    priority: Priority = Field(description="Priority the triage rules gave the case.")
    status: CaseStatus = Field(default=CaseStatus.NEW, description="Status at creation.")

    @classmethod
    def for_case(
        cls, *, case_id: UUID, report_id: UUID, reference: str, priority: Priority, created_at: datetime | None = None
    ) -> CaseCreated:
        """Build the event with an id derived from the report, so a re-emission is identical."""
        return cls(
            event_id=uuid5(_DERIVED_EVENT_IDS, f"CaseCreated:{report_id}"),
            occurred_at=created_at or _now(),
            correlation_id=report_id,
            case_id=case_id,
            report_id=report_id,
            reference=reference,
            priority=priority,
        )


class CaseEvent(Event):
    """Fields every event about an existing case carries."""

    case_id: UUID = Field(description="The case's id.")
    report_id: UUID = Field(description="The report the case was made from.")


class CaseStatusChanged(CaseEvent):
    """A case moved in the workflow (closing has its own event, CaseClosed)."""

    event_type: Literal["CaseStatusChanged"] = "CaseStatusChanged"
    status: CaseStatus = Field(description="The new status.")
    previous_status: CaseStatus = Field(description="The status before.")


class CaseClosed(CaseEvent):
    """A case was closed, with the reason."""

    event_type: Literal["CaseClosed"] = "CaseClosed"
    previous_status: CaseStatus = Field(description="The status before closing.")
    closure_reason: ClosureReason = Field(description="Why the case was closed.")


class CaseReopened(CaseEvent):
    """A lead reopened a closed case."""

    event_type: Literal["CaseReopened"] = "CaseReopened"
    status: CaseStatus = Field(description="The status the case was reopened to.")


class CaseAssigned(CaseEvent):
    """A case was given to a caseworker (or taken back: assignee None)."""

    event_type: Literal["CaseAssigned"] = "CaseAssigned"
    assignee_id: str | None = Field(description="Staff account id of the assignee, or None.")


class CaseClassified(CaseEvent):
    """Staff classified a case; this stands beside, never over, the reporter's answers."""

    event_type: Literal["CaseClassified"] = "CaseClassified"
    grounds: list[Ground] = Field(description="Grounds as classified by staff.")
    forms: list[Form] = Field(description="Forms as classified by staff.")
    life_area: LifeArea | None = Field(description="Life area as classified by staff.")


class CaseDocumented(CaseEvent):
    """Staff documented a case after the ADS/DeZIM minimum standards: level, consequences, other side, source."""

    event_type: Literal["CaseDocumented"] = "CaseDocumented"
    level: Level | None = Field(description="Individual, institutional or structural; None if not yet known.")
    consequences: list[Consequence] = Field(description="What the discrimination did to the person.")
    other_side: OtherSide | None = Field(description="The other side, as a category only.")
    source: CaseSource | None = Field(description="How the office learned of the case.")


class ConsultationLogged(CaseEvent):
    """A caseworker recorded a contact with the person; the note stays sealed in triage and never travels."""

    event_type: Literal["ConsultationLogged"] = "ConsultationLogged"
    consultation_id: UUID = Field(description="Id of the consultation; consumers deduplicate by it.")
    held_on: date = Field(description="The day of the contact.")
    channel: ConsultationChannel = Field(description="How the contact took place.")
    minutes: int = Field(ge=1, description="Minutes spent.")


class InterventionRecorded(CaseEvent):
    """The office recorded an intervention (a complaint letter, a statement request, mediation, ...)."""

    event_type: Literal["InterventionRecorded"] = "InterventionRecorded"
    intervention_id: UUID = Field(description="Id of the intervention.")
    kind: InterventionKind = Field(description="What the office did.")
    started_on: date = Field(description="The day of the intervention.")
    outcome: InterventionOutcome = Field(description="How it ended, or open.")
    due_on: date | None = Field(description="Its due date (a statement request's reply date), if any.")


class InterventionUpdated(CaseEvent):
    """An intervention's outcome or due date changed; the event carries its whole state after the change."""

    event_type: Literal["InterventionUpdated"] = "InterventionUpdated"
    intervention_id: UUID = Field(description="Id of the intervention.")
    kind: InterventionKind = Field(description="What the office did.")
    started_on: date = Field(description="The day of the intervention.")
    outcome: InterventionOutcome = Field(description="How it ended, or open.")
    due_on: date | None = Field(description="Its due date, if any.")


class CaseReferred(CaseEvent):
    """With the person's consent, the office referred the case to a counselling service of the directory."""

    event_type: Literal["CaseReferred"] = "CaseReferred"
    referral_id: UUID = Field(description="Id of the referral.")
    service_id: str = Field(description="The service's id in the referral directory.")
    referred_on: date = Field(description="The day of the referral.")
    passed_on: list[ReferralContent] = Field(description="What the office passed on; contact_data only at the person's request.")


class ReferralTakenUp(CaseEvent):
    """Staff recorded whether the service took the referred case up."""

    event_type: Literal["ReferralTakenUp"] = "ReferralTakenUp"
    referral_id: UUID = Field(description="Id of the referral.")
    service_id: str = Field(description="The service's id in the referral directory.")
    taken_up: bool = Field(description="True: the service took it up; False: it did not (declined, or the person did not go).")


class OfficeMessageSent(CaseEvent):
    """Staff wrote to the reporter; only the reporter's receipt can open the message."""

    event_type: Literal["OfficeMessageSent"] = "OfficeMessageSent"
    message_id: UUID = Field(description="Id of the message; consumers deduplicate by it.")
    sealed_for_reporter: str = Field(description="The message, sealed to the reporter's public key (base64).")


class CaseErased(CaseEvent):
    """A case was deleted: at the reporter's request or when its retention period ended."""

    event_type: Literal["CaseErased"] = "CaseErased"
    reason: Literal["reporter_request", "retention", "abandoned"] = Field(description="Why it was erased.")


class FirstResponseOverdue(CaseEvent):
    """A case is still new after the configured number of working days; leads get a reminder."""

    event_type: Literal["FirstResponseOverdue"] = "FirstResponseOverdue"
    reference: str = Field(description="The case reference, for the reminder.")
    working_days: int = Field(description="Working days the case has been waiting.")


DeadlineKindCode = Literal["agg_15_4", "agg_21_5", "arbgg_61b", "statement_reply", "intervention"]


class DeadlineReminderDue(CaseEvent):
    """A case's deadline came within a reminder lead time; the assignee (or the leads, if unassigned) get a reminder saying why.

    Ids, codes and dates only: never the case's texts or anyone's name or address.
    """

    event_type: Literal["DeadlineReminderDue"] = "DeadlineReminderDue"
    reference: str = Field(description="The case reference, for the reminder.")
    reminder_key: str = Field(description="Identifies the reminder (kind, source, due date, lead time); sent once per case and key.")
    deadline_kind: DeadlineKindCode = Field(description="What the deadline is for.")
    legal_basis: str = Field(description="Text key of the legal basis, e.g. legal_basis_agg_15_4.")
    runs_from: date = Field(description="The date the deadline runs from.")
    counted_from: str = Field(description="Which fact runs_from is (learned, incident_date, written_claim, ...).")
    estimated: bool = Field(description="True when runs_from is only the report's arrival, so the real deadline may be earlier.")
    due: date = Field(description="The last day of the deadline.")
    working_days_before: int = Field(ge=0, description="The lead time, in NRW working days before the due date.")
    assignee_id: str | None = Field(description="Staff account id of the assignee; None: the case is unassigned and the leads are reminded.")


StatisticsDimension = Literal["grounds", "forms", "life_area", "district", "reporter_role"]


class MonthlyStatisticsPublished(Event):
    """triage published one closed month's figures after disclosure control; they may be shown to anyone."""

    event_type: Literal["MonthlyStatisticsPublished"] = "MonthlyStatisticsPublished"
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="The month of receipt (Europe/Berlin), YYYY-MM.")
    total: int | None = Field(ge=0, description="Reports received in the month; None when suppressed.")
    tables: dict[StatisticsDimension, dict[str, int | None]] = Field(
        description=(
            "One-way table per dimension: code -> count, None where suppressed (shown as \".\"). "
            "grounds and forms are multi-valued (a report may count in several cells); the others add up to the total. "
            "'not_stated' counts reports without an answer."
        )
    )
    threshold: int = Field(ge=1, description="Counts below this were suppressed, with whatever would reveal them.")
    classification: str = Field(description="Which classification the figures use, as a note for readers.")
    generated_at: AwareDatetime = Field(description="When the figures were computed (UTC).")

    def partition_key(self) -> bytes:
        """Keyed by month: a month's publications stay in order."""
        return self.month.encode()

    @classmethod
    def for_month(cls, month: str, **fields: object) -> MonthlyStatisticsPublished:
        """Build the event with ids derived from the month, so a repeated publication is recognisable."""
        derived = uuid5(_DERIVED_EVENT_IDS, f"MonthlyStatisticsPublished:{month}")
        return cls(event_id=derived, correlation_id=derived, month=month, **fields)


class LetterCreated(CaseEvent):
    """Staff made a letter for a case; its text and PDF stay sealed in triage, so this carries ids only."""

    event_type: Literal["LetterCreated"] = "LetterCreated"
    letter_id: UUID = Field(description="The letter's id.")
    template: str = Field(description="The template's kind: complaint, statement_request or agg_confirmation.")
    template_version: int = Field(ge=1, description="The template version the letter was rendered with.")


AnyEvent = Annotated[
    Union[
        ReportSubmitted,
        ReportAbandoned,
        ReporterReplied,
        ReportErasureRequested,
        ReporterEvidenceAdded,
        CaseCreated,
        CaseStatusChanged,
        CaseClosed,
        CaseReopened,
        CaseAssigned,
        CaseClassified,
        CaseDocumented,
        ConsultationLogged,
        InterventionRecorded,
        InterventionUpdated,
        CaseReferred,
        ReferralTakenUp,
        OfficeMessageSent,
        CaseErased,
        FirstResponseOverdue,
        DeadlineReminderDue,
        MonthlyStatisticsPublished,
        LetterCreated,
    ],
    Field(discriminator="event_type"),
]
_any_event = TypeAdapter(AnyEvent)


class UndecodableEvent(ValueError):
    """A message that can never become an event: not JSON, an unknown type or version, invalid fields."""


def encode_event(event: Event) -> bytes:
    """Serialise an event as UTF-8 JSON."""
    return event.model_dump_json().encode()


def decode_event(data: bytes) -> Event:
    """Parse a message into its event, or raise UndecodableEvent saying why."""
    try:
        event = _any_event.validate_json(data)
    except ValidationError as error:
        raise UndecodableEvent(_describe(error)) from None
    if event.schema_version > event.SCHEMA_VERSION:
        raise UndecodableEvent(f"{event.event_type} schema_version {event.schema_version} is newer than supported")
    return event


def _describe(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "message"
    return f"{where}: {first['msg']}"
