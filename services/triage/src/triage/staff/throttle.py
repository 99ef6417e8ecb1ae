"""Slowing down login guessing per client, without storing who guessed.

Clients are told apart by HMAC(salt, address), as intake's receipt throttle does: the salt is
random, lives only in memory and is replaced (with everything counted under it) every
`window_seconds`, so no address can be recovered or linked across windows. After `free_failures`
failed logins a client must wait `delay_seconds`, doubling with each further failure up to
`max_delay_seconds`; it is never locked out for good. A success forgives one failure only, so a
colleague's own valid logins cannot wash away their guesses at other accounts. The answer does
not depend on the username tried, so it reveals no account names.
"""

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Client:
    failures: int = 0
    not_before: float = 0.0


class LoginThrottle:
    """In-memory failure counter per (salted, hashed) client address."""

    MAX_CLIENTS = 100_000  # bounds memory; the oldest entries go first

    def __init__(
        self,
        *,
        free_failures: int,
        delay_seconds: float,
        max_delay_seconds: float,
        window_seconds: int = 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._free, self._delay, self._max_delay = free_failures, delay_seconds, max_delay_seconds
        self._window, self._clock = window_seconds, clock
        self._rotate(clock())

    def wait(self, address: str) -> float:
        """Seconds this client must still wait before its next login attempt (0 when it may try now)."""
        now = self._now()
        client = self._clients.get(self._key(address))
        return max(0.0, client.not_before - now) if client else 0.0

    def failed(self, address: str) -> None:
        """Count a failed login; past the free ones, the client waits twice as long as last time."""
        now = self._now()
        key = self._key(address)
        client = self._clients.pop(key, None) or _Client()
        self._clients[key] = client  # re-inserted: dict order is least recently failed first
        client.failures += 1
        if client.failures > self._free:
            client.not_before = now + min(self._max_delay, self._delay * 2 ** (client.failures - self._free - 1))
        if len(self._clients) > self.MAX_CLIENTS:
            del self._clients[next(iter(self._clients))]

    def succeeded(self, address: str) -> None:
        """A successful login forgives one failure, never all of them."""
        client = self._clients.get(self._key(address))
        if client and client.failures:
            client.failures -= 1

    def _now(self) -> float:
        now = self._clock()
        if now >= self._window_end:
            self._rotate(now)
        return now

    def _rotate(self, now: float) -> None:
        self._salt = secrets.token_bytes(32)
        self._clients: dict[bytes, _Client] = {}
        self._window_end = now + self._window

    def _key(self, address: str) -> bytes:
        return hmac.new(self._salt, address.encode(), hashlib.sha256).digest()
