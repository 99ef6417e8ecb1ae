"""The case queue: filters, sort orders and paging, parsed once for the API and the workbench."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import QueryParams

from fastapi.exceptions import RequestValidationError
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
    reply_waiting: bool | None = Field(default=None, description="Only cases with a reporter reply no staff member has read yet.")
    sort: Literal["priority", "newest", "oldest"] = "priority"
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=25, ge=1, le=100)


def parse_case_query(params: QueryParams) -> CaseQuery:
    """Read the query string; empty values (an "any" choice in a form) mean no filter."""
    values = {key: value for key, value in params.items() if value != ""}
    try:
        return CaseQuery.model_validate(values)
    except ValidationError as error:
        raise RequestValidationError([{**e, "loc": ("query", *e["loc"])} for e in error.errors(include_url=False)]) from None


def build_filter(query: CaseQuery, *, me: str | None, with_status: bool = True) -> dict[str, Any]:
    """The database filter of a query; staff's classification counts where it exists (the effective codes)."""
    found: dict[str, Any] = {}
    if with_status and query.status:
        found["status"] = query.status.value
    if query.priority:
        found["priority"] = query.priority.value
    if query.assignee == "none":
        found["assignee_id"] = None
    elif query.assignee == "me":
        found["assignee_id"] = me
    elif query.assignee:
        found["assignee_id"] = query.assignee
    if query.life_area:
        found["effective.life_area"] = query.life_area.value
    if query.ground:
        found["effective.grounds"] = query.ground.value
    if query.district:
        found["reporter.district"] = query.district.value
    if query.month:
        found["received_month"] = query.month
    if query.retention_review is not None:
        found["retention_review"] = query.retention_review
    if query.reply_waiting is not None:
        found["reply_waiting"] = True if query.reply_waiting else {"$ne": True}
    return found
