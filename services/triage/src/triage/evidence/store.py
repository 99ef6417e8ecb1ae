"""Where evidence rests, always sealed: intake's originals (GridFS bucket `evidence`, read and deleted here, never
written) and triage's safe copies and thumbnails (collection `evidence_safe`, in chunks read by `_id`)."""

import itertools
from collections.abc import Iterable

from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo.asynchronous.database import AsyncDatabase

# Safe copies are split like GridFS does, but every chunk is read by its `_id`: FerretDB answers nothing else
# from an index, and GridFS reads its chunks by `files_id`.
CHUNK_BYTES = 1024 * 1024
CONTENT, THUMBNAIL = "content", "thumbnail"


class OriginalStore:
    """The sealed originals intake stored: file `_id` is the evidence id as text."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._bucket = AsyncGridFSBucket(database, bucket_name="evidence")

    async def read(self, evidence_id: str) -> bytes | None:
        """A file's sealed bytes, or None if the store has no such file."""
        try:
            stream = await self._bucket.open_download_stream(evidence_id)
        except NoFile:
            return None
        return await stream.read()

    async def delete(self, evidence_id: str) -> None:
        """Delete a file; one already gone is fine."""
        try:
            await self._bucket.delete(evidence_id)
        except NoFile:
            pass


class SafeCopyStore:
    """Sealed safe copies and thumbnails, and which files each case has (so an erased case's files can be found)."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._chunks = database["evidence_safe"]
        self._cases = database["evidence_cases"]

    async def remember(self, case_id: str, evidence_ids: list[str]) -> None:
        """Record a case's files before anything else happens to them (idempotent)."""
        await self._cases.update_one({"_id": case_id}, {"$addToSet": {"evidence_ids": {"$each": evidence_ids}}}, upsert=True)

    async def files_of(self, case_id: str) -> list[str]:
        """The files recorded for a case."""
        doc = await self._cases.find_one({"_id": case_id})
        return list(doc["evidence_ids"]) if doc else []

    async def forget(self, case_id: str) -> None:
        """Drop a case's record, once its files are deleted."""
        await self._cases.delete_one({"_id": case_id})

    async def put(self, evidence_id: str, kind: str, sealed: bytes) -> None:
        """Store a sealed copy; its head is written last, so a copy is readable only once complete."""
        count = max(1, -(-len(sealed) // CHUNK_BYTES))
        for n in range(count):
            chunk = {"data": sealed[n * CHUNK_BYTES : (n + 1) * CHUNK_BYTES]}
            await self._chunks.replace_one({"_id": f"{evidence_id}:{kind}:{n}"}, chunk, upsert=True)
        await self._chunks.replace_one({"_id": f"{evidence_id}:{kind}"}, {"chunks": count, "size": len(sealed)}, upsert=True)

    async def get(self, evidence_id: str, kind: str) -> bytes | None:
        """A sealed copy, or None if there is none (yet)."""
        head = await self._chunks.find_one({"_id": f"{evidence_id}:{kind}"})
        if head is None:
            return None
        parts = [await self._chunks.find_one({"_id": f"{evidence_id}:{kind}:{n}"}) for n in range(head["chunks"])]
        return b"".join(bytes(part["data"]) for part in parts if part)

    async def delete(self, evidence_ids: Iterable[str]) -> None:
        """Delete the copies of these files: chunks first (also those of a copy whose head was never written), head last."""
        for evidence_id in evidence_ids:
            for kind in (CONTENT, THUMBNAIL):
                head = await self._chunks.find_one({"_id": f"{evidence_id}:{kind}"})
                known = head["chunks"] if head else 0
                for n in itertools.count():
                    gone = await self._chunks.delete_one({"_id": f"{evidence_id}:{kind}:{n}"})
                    if n >= known and gone.deleted_count == 0:
                        break
                await self._chunks.delete_one({"_id": f"{evidence_id}:{kind}"})
