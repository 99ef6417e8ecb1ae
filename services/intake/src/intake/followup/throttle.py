"""Slowing down receipt guessing without storing who guessed.

Clients are told apart by HMAC(salt, address); the salt is random, lives only in memory, and is
replaced (with everything counted under it) every `window_seconds`, so no address can be
recovered or linked across windows. Each attempt counts as a failure until it succeeds: after
`free_failures` the client must wait `delay_seconds`, doubling with each further failure; after
`max_failures` it is locked out until the window ends. A global ceiling per minute caps what
many addresses together can try.
"""

import hashlib
import hmac
import math
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class RefusalReason(StrEnum):
    """Why an attempt was refused."""

    SLOW_DOWN = "slow_down"
    LOCKED_OUT = "locked_out"
    BUSY = "busy"


@dataclass(frozen=True)
class Refusal:
    """An attempt that may not be made now, and after how many seconds it may."""

    reason: RefusalReason
    retry_after: int


@dataclass
class _Client:
    failures: int = 0
    not_before: float = 0.0


class ReceiptThrottle:
    """In-memory attempt counter per (salted, hashed) client address, plus a global ceiling."""

    MAX_CLIENTS = 100_000  # bounds memory; the oldest entries go first

    def __init__(
        self,
        *,
        free_failures: int,
        max_failures: int,
        delay_seconds: float,
        window_seconds: int,
        global_per_minute: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._free = free_failures
        self._max = max_failures
        self._delay = delay_seconds
        self._window = window_seconds
        self._global = global_per_minute
        self._clock = clock
        self._recent: deque[float] = deque()
        self._rotate(clock())

    def attempt(self, address: str) -> Refusal | None:
        """Register an attempt from `address`; return a Refusal if it must not go ahead."""
        now = self._clock()
        if now >= self._window_end:
            self._rotate(now)
        while self._recent and self._recent[0] <= now - 60:
            self._recent.popleft()
        if len(self._recent) >= self._global:
            return Refusal(RefusalReason.BUSY, _seconds(self._recent[0] + 60 - now))
        client = self._clients.setdefault(self._key(address), _Client())
        if client.failures >= self._max:
            return Refusal(RefusalReason.LOCKED_OUT, _seconds(self._window_end - now))
        if client.not_before > now:
            return Refusal(RefusalReason.SLOW_DOWN, _seconds(client.not_before - now))
        self._recent.append(now)
        client.failures += 1  # undone by succeeded(): concurrent guesses cannot slip past the count
        if client.failures >= self._free:
            client.not_before = now + min(self._delay * 2 ** (client.failures - self._free), self._window)
        if len(self._clients) > self.MAX_CLIENTS:
            del self._clients[next(iter(self._clients))]
        return None

    def succeeded(self, address: str) -> None:
        """Forget the client's failures: it holds a real receipt."""
        self._clients.pop(self._key(address), None)

    def _key(self, address: str) -> bytes:
        return hmac.new(self._salt, address.encode(), hashlib.sha256).digest()[:16]

    def _rotate(self, now: float) -> None:
        self._salt = secrets.token_bytes(32)
        self._clients: dict[bytes, _Client] = {}
        self._window_end = now + self._window


def _seconds(value: float) -> int:
    return max(1, math.ceil(value))
