"""What every throttle shares: clients known only by a keyed, rotating hash, attempts counted as slots in a small store.

A client's key is `HMAC-SHA256(salt, address)[:16]`; the salt is random, belongs to one fixed time
window, and is dropped together with everything counted under it once the window has ended, so no
address can be recovered or linked across windows.

An attempt is counted by taking a numbered slot (0, 1, 2, …) of (scope, window, client key); a client
has as many slots as its limit, and an attempt that finds none free is refused. Taking a slot is the
one step that is atomic on every database intake runs on, FerretDB 1.24 included: inserting a unique
`_id` (FerretDB does not isolate parallel updates of one document, so counters would lose counts).
intake keeps the slots in its database (intake.throttle_database), shared by all workers and replicas;
the store in memory serves unit tests.
"""

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from starlette.requests import Request


class RefusalReason(StrEnum):
    """Why an attempt was refused."""

    SLOW_DOWN = "slow_down"
    LOCKED_OUT = "locked_out"
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class Refusal:
    """An attempt that may not be made now, and after how many seconds it may."""

    reason: RefusalReason
    retry_after: int


@dataclass(frozen=True)
class Window:
    """One fixed time window of a throttle: its number and when everything counted in it may be dropped."""

    number: int
    ends_at: float

    @classmethod
    def at(cls, now: float, seconds: float) -> "Window":
        """The window of `seconds` length that `now` falls into."""
        number = int(now // seconds)
        return cls(number, (number + 1) * seconds)


@dataclass(frozen=True)
class Slot:
    """One counted attempt: slot `number` of a client's slots in a scope and window."""

    scope: str
    window: int
    key: bytes
    number: int


class ThrottleStore(Protocol):
    """Numbered slots per (scope, window, key), taken atomically; a scope keeps only its newest window."""

    async def window_salt(self, scope: str, window: Window) -> bytes:
        """The random salt of `window`, made on first use; an ended window's salt is gone."""

    async def take(self, scope: str, window: Window, key: bytes, *, limit: int, at: float) -> Slot | None:
        """Take a free slot below `limit`, stamped with `at`; None when all are taken."""

    async def give_back(self, slot: Slot) -> None:
        """Free a slot this attempt took."""

    async def stamp_before(self, slot: Slot) -> float | None:
        """The stamp of the highest taken slot below `slot` (the client's previous attempt), if any."""

    async def taken(self, scope: str, window: Window, key: bytes) -> int:
        """How many slots are taken, as far as this store has seen (exact in memory, a lower bound in the database)."""


class MemoryThrottleStore:
    """The store in this process's memory (one intake process); bounded in size."""

    MAX_KEYS = 100_000  # per scope; the oldest entries go first

    def __init__(self) -> None:
        self._windows: dict[str, int] = {}
        self._salts: dict[str, bytes] = {}
        self._slots: dict[str, dict[bytes, dict[int, float]]] = {}

    async def window_salt(self, scope: str, window: Window) -> bytes:
        """The random salt of `window`, made on first use; an ended window's salt is gone."""
        if not self._enter(scope, window.number):
            return secrets.token_bytes(32)  # that window's salt is gone: nothing can be linked to it any more
        return self._salts[scope]

    async def take(self, scope: str, window: Window, key: bytes, *, limit: int, at: float) -> Slot | None:
        """Take the lowest free slot below `limit`, stamped with `at`; None when all are taken."""
        if not self._enter(scope, window.number):
            return None
        slots = self._slots[scope].setdefault(key, {})
        number = next((number for number in range(limit) if number not in slots), None)
        if number is None:
            return None
        slots[number] = at
        if len(self._slots[scope]) > self.MAX_KEYS:
            del self._slots[scope][next(iter(self._slots[scope]))]
        return Slot(scope, window.number, key, number)

    async def give_back(self, slot: Slot) -> None:
        """Free a slot this attempt took."""
        if self._windows.get(slot.scope) == slot.window:
            self._slots[slot.scope].get(slot.key, {}).pop(slot.number, None)

    async def stamp_before(self, slot: Slot) -> float | None:
        """The stamp of the highest taken slot below `slot`, if any."""
        slots = self._slots.get(slot.scope, {}).get(slot.key, {}) if self._windows.get(slot.scope) == slot.window else {}
        below = [number for number in slots if number < slot.number]
        return slots[max(below)] if below else None

    async def taken(self, scope: str, window: Window, key: bytes) -> int:
        """How many slots are taken."""
        return len(self._slots.get(scope, {}).get(key, {})) if self._windows.get(scope) == window.number else 0

    def _enter(self, scope: str, window: int) -> bool:
        """Make `window` the scope's current one unless a newer one is; False for an ended window."""
        current = self._windows.get(scope)
        if current is not None and window < current:
            return False
        if current != window:
            self._windows[scope] = window
            self._salts[scope] = secrets.token_bytes(32)
            self._slots[scope] = {}
        return True


async def client_key(store: ThrottleStore, scope: str, window: Window, address: str) -> bytes:
    """The client's name within one window: unlinkable to its address or to other windows once the salt is gone."""
    salt = await store.window_salt(scope, window)
    return hmac.new(salt, address.encode(), hashlib.sha256).digest()[:16]


def client_address(request: Request) -> str:
    """The address the ASGI server reports (behind a trusted proxy, the forwarded one); used only for client keys."""
    return request.client.host if request.client else "unknown"


def whole_seconds(value: float) -> int:
    """A wait as whole seconds for Retry-After, at least one."""
    return max(1, math.ceil(value))
