"""Response bodies of the staff case API."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from meldestelle_shared.taxonomy import CaseStatus, District, Form, Ground, LifeArea, Priority, ReporterRole


class ReporterAnswers(BaseModel):
    """The reporter's own classification: their perception."""

    grounds: list[Ground] = Field(description="Perceived grounds.")
    forms: list[Form] = Field(description="Forms of discrimination.")
    life_area: LifeArea | None = None
    district: District | None = None
    reporter_role: ReporterRole | None = None
    incident_date: str | None = Field(default=None, description="YYYY-MM-DD or YYYY-MM.")
    language: str = Field(description="BCP 47 tag of the report's language.")


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


class CaseRead(CaseSummary):
    """One case with the reporter's text opened."""

    description: str = Field(description="The reporter's description, opened for this request only.")
    contact: str | None = Field(description="Contact data the reporter consented to give (JSON), if any.")


class CasePage(BaseModel):
    """A page of the case queue."""

    items: list[CaseSummary]
    total: int = Field(description="Number of cases in all.")
    page: int
    page_size: int
