"""The evidence of a case as the API and the workbench show it: never the bytes, only what each file is and where its safe copy stands."""

from pydantic import BaseModel, Field

from triage.evidence.model import SafeCopyState


class EvidenceRead(BaseModel):
    """One attached file."""

    id: str = Field(description="The file's id in the evidence store.")
    media_type: str = Field(description="The original's type, recognised from its content by intake.")
    size: int = Field(description="The original's size in bytes.")
    state: SafeCopyState = Field(description="pending, safe, or could_not_be_made_safe (then never opened in a browser).")
    reason: str | None = Field(default=None, description="Why no safe copy could be made (a short code).")
    safe_media_type: str | None = Field(default=None, description="The safe copy's type.")
    pages: int | None = Field(default=None, description="Pages of a PDF's safe copy.")
