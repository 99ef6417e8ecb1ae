"""Request and response bodies of the letter API."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from triage.letters.templates import MAX_TEMPLATE_LENGTH, LetterKind

LANGUAGE = r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$"


class LetterCreate(BaseModel):
    """A letter to make for a case."""

    template: LetterKind = Field(description="Which letter: complaint, statement_request or agg_confirmation.")
    language: str = Field(default="de", pattern=LANGUAGE, description="The template's language (BCP 47); German is built in.")
    text: str = Field(default="", max_length=5000, description="The caseworker's own text, placed where the template says.")
    recipient: str = Field(default="", max_length=1000, description="The recipient's name and postal address, one line each.")
    reply_by: date | None = Field(default=None, description="The reply date of a request for a statement (required there, refused elsewhere).")


class LetterMade(BaseModel):
    """A letter just made."""

    letter_id: UUID
    template: LetterKind
    language: str
    template_version: int = Field(description="The template version the letter was rendered with.")
    reply_by: date | None
    download: str = Field(description="Where its PDF is downloaded.")


class TemplateEdit(BaseModel):
    """A lead's new version of a template."""

    subject: str = Field(min_length=1, max_length=MAX_TEMPLATE_LENGTH, description="Jinja2 source of the subject line.")
    body: str = Field(
        min_length=1, max_length=MAX_TEMPLATE_LENGTH, description="Jinja2 source of the letter's body (plain text; a blank line starts a paragraph)."
    )


class TemplateRead(BaseModel):
    """One version of a template."""

    kind: LetterKind
    language: str
    version: int
    current_version: int = Field(description="The template's current version; older versions stay readable.")
    subject: str
    body: str
    created_at: datetime
    created_by: str | None = Field(description="Staff id of the lead who wrote this version; None for the built-in one.")


class TemplateHead(BaseModel):
    """A template and its current version."""

    kind: LetterKind
    language: str
    current_version: int
