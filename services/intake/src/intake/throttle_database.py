"""The throttles' slots in intake's database, shared by all workers and instances.

Every document is found by `_id` only. A slot is `<scope>|<window>|<client key>|<n>`, taken by
inserting it: the unique `_id` is the one step FerretDB 1.24 makes atomic (it does not isolate
parallel updates of one document; measured, parallel `$inc` lost counts), so two attempts never hold
the same slot. Each process remembers the next slot to try per client, so the usual attempt costs
one insert; a duplicate means another worker took that slot, and the next one is tried. When the
limit is reached the lower slots are tried once more (a slot given back elsewhere may be free); if
none is, the client is refused without touching the database for `RECHECK_SECONDS`, so a flood of
refused requests costs no writes.

A window's salt is `salt|<scope>|<window>`, inserted by the first worker that enters the window and
read by the others. FerretDB has no TTL indexes: every document carries `until` (its window's end),
and each process deletes ended documents at most every `sweep_seconds`, in the background.
"""

import asyncio
import contextlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from intake.throttling import Slot, Window

COLLECTION = "throttles"
RECHECK_SECONDS = 1.0


class DatabaseThrottleStore:
    """Slots per (scope, window, key) in one collection, by `_id`; ended windows are swept away."""

    MAX_HINTS = 100_000  # clients whose next slot this process remembers; the oldest go first

    def __init__(self, database: AsyncDatabase, *, sweep_seconds: float = 60, clock: Callable[[], float] = time.time) -> None:
        self._collection = database[COLLECTION]
        self._salts: dict[str, tuple[int, bytes]] = {}  # this process's copy of each scope's newest salt
        self._hints: OrderedDict[str, int] = OrderedDict()  # the next slot to try, per client
        self._full: dict[str, float] = {}  # clients found without a free slot, and when
        self._sweep_seconds = sweep_seconds
        self._clock = clock
        self._swept_at = float("-inf")
        self._sweeping: asyncio.Task | None = None

    async def window_salt(self, scope: str, window: Window) -> bytes:
        """The random salt of `window`, made by the first worker that needs it; an ended window's salt is gone."""
        known = self._salts.get(scope)
        if known and known[0] == window.number:
            return known[1]
        if known and known[0] > window.number:
            return secrets.token_bytes(32)  # that window's salt is gone: nothing can be linked to it any more
        salt_id = f"salt|{scope}|{window.number}"
        salt = secrets.token_bytes(32)
        try:
            await self._collection.insert_one({"_id": salt_id, "salt": salt, "until": window.ends_at})
        except DuplicateKeyError:
            salt = bytes((await self._collection.find_one({"_id": salt_id}))["salt"])
        self._salts[scope] = (window.number, salt)
        self._sweep_now_and_then()
        return salt

    async def take(self, scope: str, window: Window, key: bytes, *, limit: int, at: float) -> Slot | None:
        """Take a free slot below `limit`, stamped with `at`; None when all are taken."""
        self._sweep_now_and_then()
        client = _client_id(scope, window.number, key)
        if self._full.get(client, float("-inf")) > time.monotonic() - RECHECK_SECONDS:
            return None
        number = self._hints.get(client, 0)
        tried_lower = number == 0
        while True:
            if number >= limit:
                if tried_lower:
                    self._full[client] = time.monotonic()
                    return None
                number, tried_lower = 0, True
            # Claimed in this process before the insert (no await in between), so this process's parallel
            # attempts of one client try different slots instead of all colliding on the same one.
            self._remember(client, max(number + 1, self._hints.get(client, 0)))
            try:
                await self._collection.insert_one({"_id": f"{client}|{number}", "at": at, "until": window.ends_at})
            except DuplicateKeyError:
                number = max(number + 1, self._hints.get(client, 0)) if not tried_lower else number + 1
                continue
            self._full.pop(client, None)
            return Slot(scope, window.number, key, number)

    async def give_back(self, slot: Slot) -> None:
        """Free a slot this attempt took; this process tries it first next time."""
        client = _client_id(slot.scope, slot.window, slot.key)
        await self._collection.delete_one({"_id": f"{client}|{slot.number}"})
        self._full.pop(client, None)
        if self._hints.get(client, 0) > slot.number:
            self._hints[client] = slot.number

    async def stamp_before(self, slot: Slot) -> float | None:
        """The stamp of the highest taken slot below `slot`, read by `_id` downwards (usually one read)."""
        client = _client_id(slot.scope, slot.window, slot.key)
        for number in range(slot.number - 1, -1, -1):
            document = await self._collection.find_one({"_id": f"{client}|{number}"})
            if document is not None:
                return document["at"]
        return None

    async def taken(self, scope: str, window: Window, key: bytes) -> int:
        """How many slots this process has seen taken (it walks past the others' slots when it takes one)."""
        return self._hints.get(_client_id(scope, window.number, key), 0)

    def _remember(self, client: str, hint: int) -> None:
        self._hints[client] = hint
        self._hints.move_to_end(client)
        while len(self._hints) > self.MAX_HINTS:
            self._full.pop(self._hints.popitem(last=False)[0], None)

    def _sweep_now_and_then(self) -> None:
        now = self._clock()
        if now - self._swept_at < self._sweep_seconds or (self._sweeping and not self._sweeping.done()):
            return
        self._swept_at = now
        self._sweeping = asyncio.get_running_loop().create_task(self._sweep_quietly(now))

    async def _sweep_quietly(self, now: float) -> None:
        with contextlib.suppress(PyMongoError):  # the next sweep tries again
            await self.sweep(now)

    async def sweep(self, now: float) -> int:
        """Delete the documents of windows that ended before `now`; how many went."""
        deleted = await self._collection.delete_many({"until": {"$lte": now}})
        return deleted.deleted_count


def _client_id(scope: str, window: int, key: bytes) -> str:
    return f"{scope}|{window}|{key.hex()}"
