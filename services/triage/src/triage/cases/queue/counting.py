"""The queue's counters as pure functions: which counters an open entry is in, and what a change does to them.

A counter is a plain integer per writer instance (`<counter>|<instance>`), changed by `$inc` with the difference
between an entry before and after a write; readers add up the instances' documents. Why per instance: FerretDB 1.24
does not isolate concurrent updates of one document, so two triage processes incrementing one document lose updates.
"""

from collections import Counter
from collections.abc import Iterable
from typing import Any

Document = dict[str, Any]

TOTAL = "total"  # every case, closed ones included: closed = total - open
REPLY_WAITING = "reply_waiting"


def memberships_of(entry: Document | None) -> set[str]:
    """The counters an open entry counts in (none for a missing entry: a closed or erased case)."""
    if entry is None:
        return set()
    keys = {f"status:{entry['status']}", f"assignee:{entry.get('assignee_id') or 'none'}"}
    return keys | ({REPLY_WAITING} if entry.get("reply_waiting") else set())


def membership_delta(before: Document | None, after: Document | None) -> Counter[str]:
    """What replacing `before` by `after` adds to each counter (+1, -1; the same state twice adds nothing)."""
    old, new = memberships_of(before), memberships_of(after)
    return Counter({**{key: -1 for key in old - new}, **{key: 1 for key in new - old}})


def counter_id(key: str, instance: str) -> str:
    """The `_id` of one instance's document of a counter."""
    return f"{key}|{instance}"


def summed(documents: Iterable[Document]) -> dict[str, int]:
    """Each counter's value: the sum over the instances' documents (instance ids never contain '|')."""
    totals: Counter[str] = Counter()
    for doc in documents:
        totals[doc["_id"].rpartition("|")[0]] += doc.get("n", 0)
    return dict(totals)


def queue_counts(counters: dict[str, int]) -> tuple[dict[str, int], int]:
    """Cases per status (closed = total - open) and replies waiting, from summed counters; zero counts are left out."""
    counts = {key.removeprefix("status:"): value for key, value in counters.items() if key.startswith("status:") and value}
    if closed := counters.get(TOTAL, 0) - sum(counts.values()):
        counts["closed"] = closed
    return counts, counters.get(REPLY_WAITING, 0)


def per_assignee(counters: dict[str, int]) -> dict[str, int]:
    """Open cases per assignee ("none" for unassigned), from summed counters."""
    return {key.removeprefix("assignee:"): value for key, value in counters.items() if key.startswith("assignee:") and value}
