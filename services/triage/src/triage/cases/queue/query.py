"""The queue's query model: filters, sort orders and paging, validated once for the API and the workbench."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from meldestelle_shared.taxonomy import CaseStatus, District, Ground, LifeArea, Priority

# received_at is only the day (a resident's exact time is not kept); within a day the reference,
# numbered as triage took the reports in, keeps their order, and it is unique, so pages are stable.
SORTS: dict[str, list[tuple[str, int]]] = {
    # Urgent first, and within a priority the longest-waiting case first.
    "priority": [("priority_rank", 1), ("received_at", 1), ("reference", 1)],
    "newest": [("received_at", -1), ("reference", -1)],
    "oldest": [("received_at", 1), ("reference", 1)],
}


class CaseQuery(BaseModel):
    """Which cases to list, in which order, which page."""

    model_config = ConfigDict(extra="ignore")

    status: CaseStatus | None = None
    priority: Priority | None = None
    assignee: str | None = Field(default=None, max_length=64, description='A staff id, "me" or "none".')
    life_area: LifeArea | None = None
    ground: Ground | None = None
    district: District | None = None
    month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Received month, YYYY-MM.")
    retention_review: bool | None = Field(default=None, description="Only cases flagged for a retention review.")
    reference: str | None = Field(
        default=None, pattern=r"^[A-Za-z]{1,5}-\d{4}-\d{6,9}$", description="One case by its reference (open or archived), e.g. DU-2026-000123."
    )
    reply_waiting: bool | None = Field(default=None, description="Only cases with a reporter reply no staff member has read yet.")
    sort: Literal["priority", "newest", "oldest"] = "priority"
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=25, ge=1, le=100)
