"""Slowing down receipt guessing without storing who guessed, and without locking residents out.

Clients are known only by their keyed, rotating hash (intake.throttling). Per client and window:
- every attempt counts, successful ones too, up to `max_attempts` (one client cannot use up a
  shared resource, nor hide guesses between valid checks);
- each attempt counts as a failure until it turns out right, so parallel guesses cannot slip
  through; a right receipt forgives only that one attempt, never earlier failures;
- after `free_failures` the client waits `delay_seconds`, doubling with each further failure,
  and after `max_failures` it is locked out until the window ends.
Across all clients only failures count: beyond `global_failures_per_minute` every check is
slowed by a growing delay (at most `global_max_delay`), never refused, so a resident holding a
real receipt always gets through.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from intake.throttling import Refusal, RefusalReason, Slot, ThrottleStore, Window, client_key, whole_seconds

_CLIENTS = "receipt-clients"  # the salt of the client keys
_ATTEMPTS = "receipt-attempts"  # a slot per attempt of a client
_MISSES = "receipt-misses"  # a slot per failure of a client, given back when its receipt was right
_FAILURES = "receipt-failures"  # a slot per failure in a minute, for all clients together
_EVERYONE = b""
_UNLIMITED = 2**31


@dataclass(frozen=True)
class Admission:
    """An attempt that may go ahead after `delay` seconds; its outcome is reported back with it."""

    failure: Slot
    delay: float


class ReceiptThrottle:
    """Attempt and failure slots per client, plus a global brake on failures."""

    def __init__(
        self,
        *,
        store: ThrottleStore,
        free_failures: int,
        max_failures: int,
        max_attempts: int,
        delay_seconds: float,
        window_seconds: int,
        global_failures_per_minute: int,
        global_max_delay: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._free = free_failures
        self._max_failures = max_failures
        self._max_attempts = max_attempts
        self._delay = delay_seconds
        self._window = window_seconds
        self._global = global_failures_per_minute
        self._global_max_delay = global_max_delay
        self._clock = clock

    async def attempt(self, address: str) -> Admission | Refusal:
        """Register an attempt from `address`: an Admission (with the global brake's delay) or a Refusal."""
        now = self._clock()
        window = Window.at(now, self._window)
        window_left = window.ends_at - now
        key = await client_key(self._store, _CLIENTS, window, address)
        # The attempt takes its slots before it is judged: parallel attempts (other requests, workers or
        # instances) each hold their own, so none slips past the caps. A refused attempt gives them back.
        attempt = await self._store.take(_ATTEMPTS, window, key, limit=self._max_attempts, at=now)
        if attempt is None:
            return Refusal(RefusalReason.TOO_MANY, whole_seconds(window_left))
        failure = await self._store.take(_MISSES, window, key, limit=self._max_failures, at=now)
        if failure is None:
            await self._store.give_back(attempt)
            return Refusal(RefusalReason.LOCKED_OUT, whole_seconds(window_left))
        # Only admitted attempts keep their slot, so refreshing during a wait does not prolong it.
        wait = self._wait_after(failure.number)
        not_before = ((await self._store.stamp_before(attempt)) or 0.0) + wait if wait else 0.0  # a read only when a wait applies
        if not_before > now:
            await self._store.give_back(failure)
            await self._store.give_back(attempt)
            return Refusal(RefusalReason.SLOW_DOWN, whole_seconds(not_before - now))
        return Admission(failure, await self._global_delay(now))

    async def forgive(self, admission: Admission) -> None:
        """The receipt was right (or could not be checked): take back this attempt's failure, and only it."""
        await self._store.give_back(admission.failure)

    async def failed(self, admission: Admission) -> None:
        """The receipt was wrong: it stays a failure of the client's and counts toward the global brake."""
        now = self._clock()
        await self._store.take(_FAILURES, Window.at(now, 60), _EVERYONE, limit=_UNLIMITED, at=now)

    def _wait_after(self, failures: int) -> float:
        if failures < self._free:
            return 0.0
        return min(self._delay * 2 ** (failures - self._free), self._window)

    async def _global_delay(self, now: float) -> float:
        failures = await self._store.taken(_FAILURES, Window.at(now, 60), _EVERYONE)
        excess = failures - self._global
        # Each failure beyond the ceiling adds the time the ceiling would take to absorb it.
        return min(self._global_max_delay, excess * 60 / self._global) if excess > 0 else 0.0
