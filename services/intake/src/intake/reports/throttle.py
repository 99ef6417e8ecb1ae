"""At most so many reports per client and window, the client known only by its keyed, rotating hash.

Each report costs an Argon2id run, opens a case and reaches the office; a flood from one address
is cut off while everyone else still reports.
"""

import time
from collections.abc import Callable

from intake.throttling import Refusal, RefusalReason, ThrottleStore, Window, client_key, whole_seconds

_CLIENTS = "report-clients"


class SubmissionThrottle:
    """Counts report submissions per client and window."""

    def __init__(
        self, *, store: ThrottleStore, max_reports: int, window_seconds: int, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._max = max_reports
        self._window = window_seconds
        self._clock = clock

    async def attempt(self, address: str) -> Refusal | None:
        """Count a submission from `address`; a Refusal once the client has sent its reports for this window."""
        now = self._clock()
        window = Window.at(now, self._window)
        key = await client_key(self._store, _CLIENTS, window, address)
        if await self._store.take(_CLIENTS, window, key, limit=self._max, at=now) is None:
            return Refusal(RefusalReason.TOO_MANY, whole_seconds(window.ends_at - now))
        return None
