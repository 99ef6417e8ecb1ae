"""Sealing files in memory and storing them, all or nothing: a file counts only once its report is acknowledged.

Before a file is stored, a marker `{_id: evidence id, report_id, stored_at}` goes into intake's own
`evidence_pending` collection; it is removed once Kafka acknowledged the event that carries the file.
A failed submission deletes its files at once; whatever a crash leaves behind (a marker older than
`pending_seconds`) is deleted by the sweep, which runs at most every `sweep_seconds` per process when
files are stored, and at start-up. The evidence store itself is never updated (docs/evidence.md).
"""

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from uuid import UUID, uuid4

from nacl.public import PublicKey
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from intake.evidence.files import Upload
from meldestelle_shared.events import EvidenceFile
from meldestelle_shared.evidence_store import DURABLE, EvidenceStore
from meldestelle_shared.sealing import seal_bytes

log = logging.getLogger(__name__)
PENDING = "evidence_pending"


class EvidenceNotStored(Exception):
    """The database did not take a file; nothing of it was kept."""


class EvidenceLocker:
    """Seals uploads to the office key, stores them with a pending marker, and confirms or discards them."""

    def __init__(
        self,
        store: EvidenceStore,
        database: AsyncDatabase,
        office_key: PublicKey,
        *,
        pending_seconds: float = 3600,
        sweep_seconds: float = 600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._pending = database.with_options(write_concern=DURABLE)[PENDING]
        self._office_key = office_key
        self._pending_seconds = pending_seconds
        self._sweep_seconds = sweep_seconds
        self._clock = clock
        self._swept_at = float("-inf")

    async def store(self, uploads: Iterable[Upload], *, report_id: UUID) -> list[EvidenceFile]:
        """Seal and store each upload as pending for `report_id`; on any failure delete what was stored and raise EvidenceNotStored."""
        uploads = list(uploads)
        if not uploads:
            return []
        await self._sweep_now_and_then()
        stored: list[EvidenceFile] = []
        try:
            for upload in uploads:
                stored.append(await self._store_one(upload, report_id))
        except PyMongoError as error:
            await self.discard(stored)
            raise EvidenceNotStored(type(error).__name__) from error
        return stored

    async def confirm(self, files: Iterable[EvidenceFile]) -> None:
        """The event carrying these files was acknowledged: they are no longer swept."""
        for file in files:
            try:
                await self._pending.delete_one({"_id": str(file.evidence_id)})
            except PyMongoError as error:
                # The report is accepted; a marker left behind would get its files swept. Say so loudly.
                log.error("evidence marker not removed", extra={"error": type(error).__name__})

    async def discard(self, files: Iterable[EvidenceFile | UUID]) -> None:
        """Delete files and their markers (a submission that failed, a file removed from a draft, an erased report)."""
        for file in files:
            evidence_id = file.evidence_id if isinstance(file, EvidenceFile) else file
            try:
                await self._store.delete(evidence_id)
                await self._pending.delete_one({"_id": str(evidence_id)})
            except PyMongoError as error:
                # The marker (if any) stays, so the sweep deletes it later.
                log.warning("evidence not deleted", extra={"error": type(error).__name__})

    async def is_stored(self, file: EvidenceFile) -> bool:
        """Whether the file is still stored (a draft's file may have been swept)."""
        return await self._store.exists(file.evidence_id)

    async def sweep(self) -> int:
        """Delete the files whose marker is older than `pending_seconds`; returns how many."""
        self._swept_at = now = self._clock()
        cursor = self._pending.find({"stored_at": {"$lt": now - self._pending_seconds}}, {"_id": 1})
        stale = [UUID(marker["_id"]) async for marker in cursor]  # a small collection: only files in flight
        await self.discard(stale)
        return len(stale)

    async def _store_one(self, upload: Upload, report_id: UUID) -> EvidenceFile:
        evidence_id = uuid4()
        await self._pending.insert_one({"_id": str(evidence_id), "report_id": str(report_id), "stored_at": self._clock()})
        sealed = await asyncio.to_thread(seal_bytes, self._office_key, upload.data)
        metadata = {"report_id": str(report_id), "media_type": upload.media_type, "size": len(upload.data)}
        try:
            digest = await self._store.put(evidence_id, sealed, metadata)
        except PyMongoError:
            await self.discard([evidence_id])
            raise
        return EvidenceFile(evidence_id=evidence_id, media_type=upload.media_type, size=len(upload.data), sealed_sha256=digest)

    async def sweep_quietly(self) -> None:
        """Sweep, logging a database failure instead of raising it (the next sweep tries again)."""
        try:
            await self.sweep()
        except PyMongoError as error:
            log.warning("evidence sweep failed", extra={"error": type(error).__name__})

    async def _sweep_now_and_then(self) -> None:
        if self._clock() - self._swept_at >= self._sweep_seconds:
            await self.sweep_quietly()
