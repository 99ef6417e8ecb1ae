"""What a scheduled job has already checked today, so that its rounds read only the new and the changed open cases.

The per-case jobs (priorities, first-response and deadline reminders) depend on a case's stored state and on the
day, nothing else. A round therefore skips an open case it checked earlier the same day in the same state: the
state is the queue entry's `stamp` (the case's last change), held in each process's copy of the open entries.
Each process keeps its own memory; after a restart, or on another instance, a job checks every open case once.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import date
from typing import Any

from meldestelle_shared.taxonomy import CaseStatus
from triage.cases.model import Case

Entry = dict[str, Any]

# Cases read by `_id` per round trip: bounded memory, whatever the size of the queue.
BATCH = 200


class SeenToday:
    """One job's memory of the open cases it checked today, each with the stamp it had then."""

    def __init__(self) -> None:
        self._day: date | None = None
        self._stamps: dict[str, Any] = {}

    def unseen(self, entries: Iterable[Entry], today: date) -> list[Entry]:
        """The entries not yet checked today in their present state (a new day forgets the last)."""
        if today != self._day:
            self._day, self._stamps = today, {}
        return [entry for entry in entries if entry["_id"] not in self._stamps or self._stamps[entry["_id"]] != entry["stamp"]]

    def saw(self, entry: Entry) -> None:
        """Remember that the job checked this entry's case in the state the entry shows."""
        self._stamps[entry["_id"]] = entry["stamp"]


class JobMemory:
    """The memories of the per-case jobs of one triage process."""

    def __init__(self) -> None:
        self.priorities = SeenToday()
        self.first_responses = SeenToday()
        self.deadlines = SeenToday()


async def unseen_cases(
    entries: Iterable[Entry], today: date, seen: SeenToday | None, *, read: Callable[[Sequence[str]], Awaitable[list[Case]]]
) -> AsyncIterator[Case]:
    """The open cases of `entries` that `seen` has not checked today as they are (all of them without a memory), read
    by `_id` in batches; each counts as checked once the caller has handled it and asks for the next."""
    fresh = seen.unseen(entries, today) if seen else list(entries)
    for start in range(0, len(fresh), BATCH):
        chunk = fresh[start : start + BATCH]
        found = {case.id: case for case in await read([entry["_id"] for entry in chunk])}
        for entry in chunk:
            case = found.get(entry["_id"])
            if case is None or case.status is CaseStatus.CLOSED:
                continue  # erased or closed since the copy was read
            yield case
            if seen:
                seen.saw(entry)
