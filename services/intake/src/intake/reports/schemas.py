"""Request and response bodies of the report API."""

import re
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from meldestelle_shared.taxonomy import District, Form, Ground, LifeArea, ReporterRole, Wish
from meldestelle_shared.validation import IncidentDate, LanguageTag

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=10_000)]


class ContactCreate(BaseModel):
    """How the office may reach the reporter; only with explicit consent."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254, description="E-mail address for content-free notices and replies.")

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str) -> str:
        value = value.strip()
        if not _EMAIL.match(value):
            raise ValueError("is not an e-mail address")
        return value


class ReportCreate(BaseModel):
    """A report as the resident submits it."""

    model_config = ConfigDict(extra="forbid")

    description: Description = Field(description="What happened, in the reporter's words (10-10,000 characters).")
    grounds: list[Ground] = Field(default_factory=list, max_length=len(Ground), description="Perceived grounds.")
    forms: list[Form] = Field(default_factory=list, max_length=len(Form), description="What kind of incident.")
    life_area: LifeArea | None = Field(default=None, description="Area of life.")
    district: District | None = Field(default=None, description="Coarse location; never an address.")
    reporter_role: ReporterRole | None = Field(default=None, description="Who the reporter is in the incident.")
    incident_date: IncidentDate | None = Field(default=None, description="YYYY-MM-DD or YYYY-MM, not in the future.")
    language: LanguageTag = Field(default="de", description="BCP 47 tag of the reporter's language.")
    wishes: list[Wish] = Field(
        default_factory=list, max_length=len(Wish), description="What the reporter wants the office to do (optional, several)."
    )
    referral_consent: bool = Field(
        default=False, description="The office may pass the case, without contact data, to a specialised counselling service."
    )
    evidence_original_consent: bool = Field(
        default=False,
        description="With files (multipart only): the office may open the originals; otherwise staff see only cleaned copies.",
    )
    consent_contact: bool = Field(default=False, description="The reporter agrees to be contacted.")
    contact: ContactCreate | None = Field(default=None, description="Contact data; requires consent_contact.")

    @field_validator("grounds", "forms", "wishes")
    @classmethod
    def _no_repeats(cls, values: list) -> list:
        if len(set(values)) != len(values):
            raise ValueError("lists a code twice")
        return values

    @field_validator("contact")
    @classmethod
    def _contact_needs_consent(cls, value: ContactCreate | None, info: ValidationInfo) -> ContactCreate | None:
        if value is not None and info.data.get("consent_contact") is not True:
            raise ValueError("may only be given together with consent_contact: true")
        return value


class ReportReceipt(BaseModel):
    """What the reporter gets back: keep the receipt, it cannot be recovered."""

    report_id: UUID = Field(description="The report's id.")
    receipt: str = Field(description="16 digits in groups of four; the only key to follow up.")
