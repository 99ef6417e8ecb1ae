"""The throttles' counts in intake's database, shared by all workers and instances.

One document per (scope, window) holds that window's random salt; one document per
(scope, window, client key) holds the counts, found by `_id` only. FerretDB has no TTL indexes, so
the code drops a scope's older windows (counts and salt) when it first sees a newer one. Writes are
made one after another, never gathered (see docs/architecture.md on FerretDB's connection pool).

FerretDB 1.24 applies `$inc` in find_one_and_update as read, change, write without isolation:
measured, eight parallel increments of one document returned the same "before" value several times
(lost updates). So each counter document is changed under a lock document: inserting an `_id` is
atomic on both databases, the only such step FerretDB offers. A lock left by a crashed worker
expires after `LOCK_EXPIRY` seconds.
"""

import asyncio
import random
import secrets
import time
from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from intake.throttling import NOTHING, ThrottleBusy

COLLECTION = "throttles"
LOCK_EXPIRY = 5.0  # seconds; far longer than the two steps a lock covers
LOCK_WAIT = 5.0  # seconds a request waits for a busy counter before it gives up


class DatabaseThrottleStore:
    """Counters per (scope, window, key) in one collection; a scope keeps only its newest window."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._collection = database[COLLECTION]
        self._salts: dict[str, tuple[int, bytes]] = {}  # this process's copy of each scope's current salt

    async def window_salt(self, scope: str, window: int) -> bytes:
        """The random salt of `window`, made on first use; older windows of the scope are dropped."""
        known = self._salts.get(scope)
        if known and known[0] == window:
            return known[1]
        current, salt = await self._enter(scope, window)
        if current != window:
            return secrets.token_bytes(32)  # that window's salt is gone: nothing can be linked to it any more
        return salt

    async def update(
        self,
        scope: str,
        window: int,
        key: bytes,
        *,
        add: Mapping[str, int] = NOTHING,
        raise_to: Mapping[str, float] = NOTHING,
        before: bool = False,
    ) -> dict[str, float]:
        """Atomically add to counters and raise others to at least a value; return the counters after the change
        (before it, with `before`)."""
        known = self._salts.get(scope)
        if known is None or known[0] < window:
            known = await self._enter(scope, window)
        if window < known[0]:
            return {}  # the window has ended: what was counted in it is gone
        counter_id = f"{scope}:{window}:{key.hex()}"
        if not (add or raise_to):
            document = await self._collection.find_one({"_id": counter_id})
            return _counts(document)
        lock_id = f"lock:{counter_id}"
        await self._lock(lock_id, scope, window)
        try:
            previous = _counts(await self._collection.find_one({"_id": counter_id}))
            counts = dict(previous)
            for name, amount in add.items():
                counts[name] = counts.get(name, 0) + amount
            for name, value in raise_to.items():
                counts[name] = max(counts.get(name, value), value)
            await self._collection.replace_one({"_id": counter_id}, {"scope": scope, "window": window, **counts}, upsert=True)
        finally:
            await self._collection.delete_one({"_id": lock_id})
        return previous if before else counts

    async def _lock(self, lock_id: str, scope: str, window: int) -> None:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                await self._collection.insert_one({"_id": lock_id, "scope": scope, "window": window, "at": time.time()})
                return
            except DuplicateKeyError:
                pass
            held = await self._collection.find_one({"_id": lock_id})
            if held and held["at"] < time.time() - LOCK_EXPIRY:
                await self._collection.delete_one({"_id": lock_id, "at": held["at"]})  # its holder died
                continue
            if time.monotonic() > deadline:
                raise ThrottleBusy(scope)
            await asyncio.sleep(random.uniform(0.002, 0.02))

    async def _enter(self, scope: str, window: int) -> tuple[int, bytes]:
        """Make `window` the scope's current one unless this process knows a newer one; return it and its salt."""
        known = self._salts.get(scope)
        if known and known[0] >= window:
            return known
        salt_id = f"salt:{scope}:{window}"
        salt = secrets.token_bytes(32)
        try:
            # Inserting is atomic on both databases: the first worker's salt is everyone's.
            await self._collection.insert_one({"_id": salt_id, "scope": scope, "window": window, "salt": salt})
        except DuplicateKeyError:
            salt = bytes((await self._collection.find_one({"_id": salt_id}))["salt"])
        else:
            # This worker opened the window: older windows' counts and salts go.
            await self._collection.delete_many({"scope": scope, "window": {"$lt": window}})
        self._salts[scope] = (window, salt)
        return window, salt

def _counts(document: Mapping[str, Any] | None) -> dict[str, float]:
    return {name: value for name, value in (document or {}).items() if name not in ("_id", "scope", "window")}
