"""The database filter of a queue query: the same field names in the cases and in the open-cases read model."""

from typing import Any

from triage.cases.queue.archive import group_of_filters
from triage.cases.queue.query import CaseQuery


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


def archive_group(query: CaseQuery) -> str | None:
    """The archive list that answers a query for closed cases by month, district or life area; None if no list does."""
    if query.status is None or query.status.value != "closed":
        return None
    if query.priority or query.assignee or query.ground or query.retention_review is not None or query.reply_waiting is not None:
        return None
    return group_of_filters(
        month=query.month,
        district=query.district.value if query.district else None,
        area=query.life_area.value if query.life_area else None,
    )


def matches(document: dict[str, Any], found: dict[str, Any]) -> bool:
    """Whether a document meets a filter `build_filter` made, as the database decides it (for entries held in memory)."""
    return all(_meets(_value_at(document, path), condition) for path, condition in found.items())


def _value_at(document: Any, path: str) -> Any:
    for part in path.split("."):
        document = document.get(part) if isinstance(document, dict) else None
    return document


def _meets(value: Any, condition: Any) -> bool:
    if isinstance(condition, dict):
        if set(condition) != {"$ne"}:
            raise ValueError(f"unsupported condition {condition!r}")
        return not _meets(value, condition["$ne"])
    # Equality as MongoDB has it: None also matches a missing field, and a scalar matches an array holding it.
    return value == condition or (isinstance(value, list) and condition in value)
