"""What every throttle shares: clients known only by a keyed, rotating hash, counts kept in a small store.

A client's key is `HMAC-SHA256(salt, address)[:16]`; the salt is random, belongs to one fixed time
window, and is dropped together with everything counted under it when the next window begins, so no
address can be recovered or linked across windows. The store's interface is the few atomic steps a
database collection keyed by (scope, window, client key) offers too (`$setOnInsert`, `$inc`, `$max`),
so the counts can move there once several intake instances must share them; in memory for now.
"""

import hashlib
import hmac
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
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


NOTHING: Mapping[str, float] = MappingProxyType({})


class ThrottleStore(Protocol):
    """Counters per (scope, window, key); a scope keeps only its newest window."""

    async def window_salt(self, scope: str, window: int) -> bytes:
        """The random salt of `window`, made on first use; older windows of the scope are dropped."""

    async def update(
        self, scope: str, window: int, key: bytes, *, add: Mapping[str, int] = NOTHING, raise_to: Mapping[str, float] = NOTHING
    ) -> dict[str, float]:
        """Atomically add to counters and raise others to at least a value; return the counters after the change.

        An update for a window older than the scope's newest changes nothing and returns no counters.
        """


class MemoryThrottleStore:
    """The store in this process's memory (one intake instance); bounded in size."""

    MAX_KEYS = 100_000  # per scope; the oldest entries go first

    def __init__(self) -> None:
        self._windows: dict[str, int] = {}
        self._salts: dict[str, bytes] = {}
        self._counters: dict[str, dict[bytes, dict[str, float]]] = {}

    async def window_salt(self, scope: str, window: int) -> bytes:
        """The random salt of `window`, made on first use; older windows of the scope are dropped."""
        if window < self._windows.get(scope, window):
            return secrets.token_bytes(32)  # that window's salt is gone: nothing can be linked to it any more
        self._enter(scope, window)
        return self._salts[scope]

    async def update(
        self, scope: str, window: int, key: bytes, *, add: Mapping[str, int] = NOTHING, raise_to: Mapping[str, float] = NOTHING
    ) -> dict[str, float]:
        """Atomically add to counters and raise others to at least a value; return the counters after the change."""
        if window < self._windows.get(scope, window):
            return {}  # the window has ended: what was counted in it is gone
        self._enter(scope, window)
        counters = self._counters[scope]
        entry = counters.setdefault(key, {})
        for name, amount in add.items():
            entry[name] = entry.get(name, 0) + amount
        for name, value in raise_to.items():
            entry[name] = max(entry.get(name, value), value)
        if len(counters) > self.MAX_KEYS:
            del counters[next(iter(counters))]
        return dict(entry)

    def _enter(self, scope: str, window: int) -> None:
        if self._windows.get(scope) != window:
            self._windows[scope] = window
            self._salts[scope] = secrets.token_bytes(32)
            self._counters[scope] = {}


async def client_key(store: ThrottleStore, scope: str, window: int, address: str) -> bytes:
    """The client's name within one window: unlinkable to its address or to other windows once the salt is gone."""
    salt = await store.window_salt(scope, window)
    return hmac.new(salt, address.encode(), hashlib.sha256).digest()[:16]


def client_address(request: Request) -> str:
    """The address the ASGI server reports (behind a trusted proxy, the forwarded one); used only for client keys."""
    return request.client.host if request.client else "unknown"


def whole_seconds(value: float) -> int:
    """A wait as whole seconds for Retry-After, at least one."""
    return max(1, math.ceil(value))
