"""The report form's draft between requests, per browser session.

Each step is posted, kept here, and shown again by its own address (Post/Redirect/Get), so the
browser's Back and Forward, a reload and the language switch find the answers. intake keeps drafts
in its database, sealed (intake.site.sealed_drafts), so every worker and instance finds them; the
store in memory serves unit tests. A draft is keyed by a hash of the form-protection session cookie
and forgotten when it is idle for `idle_seconds` or when the report is sent. Every post still
carries all answers in hidden fields, so a draft that is gone never loses what the page sent.

After sending, the draft is replaced by the receipt for the same idle time, so the receipt page
can be shown again in another language; the receipt is never stored anywhere else.
"""

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Protocol

from intake.site.report_form import Answers
from meldestelle_shared.events import EvidenceFile


@dataclass
class Draft:
    """One session's report in progress (with the references of the files it has stored so far), or its receipt once sent."""

    form_id: str
    answers: Answers = field(default_factory=Answers)
    receipt: str | None = None
    evidence: list[EvidenceFile] = field(default_factory=list)


class Drafts(Protocol):
    """Where drafts are kept between requests."""

    async def get(self, session: str) -> Draft | None:
        """The session's draft, if it has one that has not expired."""

    async def put(self, session: str, draft: Draft) -> None:
        """Keep (or replace) the session's draft."""

    async def forget(self, session: str) -> None:
        """Drop the session's draft and receipt."""


class DraftStore:
    """Drafts by session in this process's memory, oldest dropped first when full; idle ones expire."""

    def __init__(self, *, idle_seconds: float = 3600, max_sessions: int = 10_000) -> None:
        self._idle_seconds = idle_seconds
        self._max_sessions = max_sessions
        self._drafts: OrderedDict[str, tuple[float, Draft]] = OrderedDict()

    async def get(self, session: str) -> Draft | None:
        """The session's draft, if it has one that has not expired."""
        self._expire()
        key = _key(session)
        if key not in self._drafts:
            return None
        _, draft = self._drafts.pop(key)
        self._drafts[key] = (time.monotonic(), draft)
        return draft

    async def put(self, session: str, draft: Draft) -> None:
        """Keep (or replace) the session's draft."""
        self._expire()
        key = _key(session)
        self._drafts.pop(key, None)
        self._drafts[key] = (time.monotonic(), draft)
        while len(self._drafts) > self._max_sessions:
            self._drafts.popitem(last=False)

    async def forget(self, session: str) -> None:
        """Drop the session's draft and receipt."""
        self._drafts.pop(_key(session), None)

    def _expire(self) -> None:
        oldest_allowed = time.monotonic() - self._idle_seconds
        while self._drafts:
            key, (touched, _) = next(iter(self._drafts.items()))
            if touched >= oldest_allowed:
                break
            del self._drafts[key]


def _key(session: str) -> str:
    # The session value is the form-token secret; the table holds only its hash.
    return hashlib.sha256(session.encode()).hexdigest()
