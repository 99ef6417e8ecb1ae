"""An in-process copy of the open entries, kept current through the writers' change logs.

FerretDB decodes every document a find scans, in Go (about 250 µs per thin entry on PostgreSQL here), so a queue
page that scanned all open entries cost half a second at 2,000 open cases. Instead each triage process keeps the open
entries in memory and, before each read, asks what changed: every writer process numbers its writes in a version
document of its own (`queue_versions`, `_id` = writer) and logs the case ids of each write (`queue_changes`,
`_id` = `<writer>|<number>`). A reader compares the versions with those it has seen and reads the logged changes
and then the changed entries, all by `_id`. It scans again only at start, after a write that changed many entries at
once (the retention flag), when it is further behind than the logs keep, when more cases changed than a scan costs,
and, off the request path, every `RELOAD_AFTER` seconds.
"""

import asyncio
import logging
import time
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from meldestelle_shared.mongo import find_by_ids

Document = dict[str, Any]
logger = logging.getLogger(__name__)

KEPT = 1_000  # change documents each writer keeps; a reader further behind scans again
RESCAN_ABOVE = 300  # changed cases beyond which one scan costs less than reading each by `_id`
# A writer that crashed between an entry and its log entry leaves that change unlogged: scan at least this often (s).
RELOAD_AFTER = 300


class ChangeLog:
    """One writer's numbered log of the case ids its writes changed."""

    def __init__(self, database: AsyncDatabase, instance: str) -> None:
        self.changes = database["queue_changes"]
        self.versions = database["queue_versions"]
        self.instance = instance
        self._number: int | None = None

    async def record(self, case_ids: list[str] | None) -> None:
        """Log one write's changed case ids (None: any entry may have changed), then publish its number."""
        if self._number is None:  # a restarted writer on the same host and process id continues its numbers
            found = await self.versions.find_one({"_id": self.instance})
            self._number = found["number"] if found else 0
        self._number += 1
        log_id = f"{self.instance}|{self._number}"
        # A replace, not an insert: a crash between a log entry and its version leaves the number to be written again.
        await self.changes.replace_one({"_id": log_id}, {"ids": case_ids}, upsert=True)
        await self.versions.update_one({"_id": self.instance}, {"$set": {"number": self._number}}, upsert=True)
        if self._number > KEPT:
            await self.changes.delete_one({"_id": f"{self.instance}|{self._number - KEPT}"})


class OpenEntries:
    """This process's copy of the open entries; `current()` brings it up to date first."""

    def __init__(self, open_entries: AsyncCollection, log: ChangeLog) -> None:
        self.open = open_entries
        self.changes = log.changes  # every writer's logs and versions, not only this process's
        self.versions = log.versions
        self.entries: dict[str, Document] = {}
        self.seen: dict[str, int] | None = None
        self.scans = 0  # how often the copy was loaded by a scan (tests read it)
        self._loaded_at = 0.0
        self.reloading: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # one refresh at a time; concurrent readers wait for it

    async def current(self) -> list[Document]:
        """The open entries as the database has them now."""
        async with self._lock:
            versions = await self._versions()
            changed = None if self.seen is None else await self._changed_since(versions)
            if changed is None:
                self.entries = await self._scan()
            elif changed:
                found = {doc["_id"]: doc for doc in await find_by_ids(self.open, changed)}
                for case_id in changed:
                    if case_id in found:
                        self.entries[case_id] = found[case_id]
                    else:  # closed or erased
                        self.entries.pop(case_id, None)
            self.seen = versions  # read before the entries: a write in between is read again next time
            if time.monotonic() - self._loaded_at > RELOAD_AFTER and self.reloading is None:
                self.reloading = asyncio.create_task(self._reload())
            return list(self.entries.values())

    async def _reload(self) -> None:
        """Scan again off the request path: finds a change a crashed writer left unlogged."""
        try:
            versions = await self._versions()
            entries = await self._scan()
            async with self._lock:
                self.entries, self.seen = entries, versions  # changes logged since `versions` are read again next time
        except Exception:  # the next read tries again
            logger.warning("reloading the open queue entries failed", exc_info=True)
        finally:
            self.reloading = None

    async def _versions(self) -> dict[str, int]:
        return {doc["_id"]: doc["number"] async for doc in self.versions.find({})}

    async def _scan(self) -> dict[str, Document]:
        entries = {doc["_id"]: doc async for doc in self.open.find({})}
        self.scans += 1
        self._loaded_at = time.monotonic()
        return entries

    async def _changed_since(self, versions: dict[str, int]) -> list[str] | None:
        """The case ids written since the versions last seen; None when only a scan can tell."""
        assert self.seen is not None
        if any(versions.get(writer, -1) < number for writer, number in self.seen.items()):
            return None  # the logs were reset (a rebuild)
        wanted = [f"{writer}|{n}" for writer, number in versions.items() for n in range(self.seen.get(writer, 0) + 1, number + 1)]
        if len(wanted) > RESCAN_ABOVE:
            return None
        logged = await find_by_ids(self.changes, wanted)
        if len(logged) < len(wanted) or any(doc["ids"] is None for doc in logged):
            return None  # trimmed away, or a write that may have changed any entry
        changed = list(dict.fromkeys(case_id for doc in logged for case_id in doc["ids"]))
        return None if len(changed) > RESCAN_ABOVE else changed
