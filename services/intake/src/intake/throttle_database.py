"""The throttles' counts in intake's database, shared by all workers and instances.

One document per scope holds its current window and that window's random salt; one document per
(scope, window, client key) holds the counts, found by `_id` only. FerretDB has no TTL indexes, so
the code drops a scope's older windows (counts and salt) when it first sees a newer one. Writes are
made one after another, never gathered (see docs/architecture.md on FerretDB's connection pool).
"""

import secrets
from collections.abc import Mapping
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from intake.throttling import NOTHING

COLLECTION = "throttles"


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
        change: dict[str, Any] = {"$setOnInsert": {"scope": scope, "window": window}}
        if add:
            change["$inc"] = dict(add)
        if raise_to:
            change["$max"] = dict(raise_to)
        if not (add or raise_to):
            document = await self._collection.find_one({"_id": counter_id})
        else:
            document = await self._collection.find_one_and_update(
                {"_id": counter_id},
                change,
                upsert=True,
                return_document=ReturnDocument.BEFORE if before else ReturnDocument.AFTER,
            )
        return {name: value for name, value in (document or {}).items() if name not in ("_id", "scope", "window")}

    async def _enter(self, scope: str, window: int) -> tuple[int, bytes]:
        """Make `window` the scope's current one unless a newer one is; return the current window and its salt."""
        scope_id = f"window:{scope}"
        try:
            document = await self._collection.find_one_and_update(
                {"_id": scope_id, "window": {"$lt": window}},
                {"$set": {"window": window, "salt": secrets.token_bytes(32)}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            document = None  # the scope is at this window or a newer one already
        if document is None:
            document = await self._collection.find_one({"_id": scope_id})
        else:
            # This process moved the scope on: what its older windows counted goes, with their salts.
            await self._collection.delete_many({"scope": scope, "window": {"$lt": window}})
        current = (document["window"], bytes(document["salt"]))
        self._salts[scope] = current
        return current
