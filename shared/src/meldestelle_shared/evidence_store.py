"""The evidence store: sealed files in a GridFS bucket `evidence` (collections `evidence.files`, `evidence.chunks`).

The documents follow the GridFS layout, so MongoDB's tools read them, but they are written here rather
than through PyMongo's GridFS: its reader finds chunks by `files_id`, which FerretDB 1.24 answers only
by scanning the whole chunks collection. Here a file's `_id` is its evidence id (a string) and each
chunk's `_id` is `<evidence id>/<n>`, so writing, reading and deleting a file touch documents by `_id`
only. Files are never updated: intake inserts and deletes, triage reads (docs/evidence.md).
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.write_concern import WriteConcern

from meldestelle_shared.mongo import find_by_ids

BUCKET = "evidence"
CHUNK_BYTES = 255 * 1024  # GridFS's default chunk size
# A 201 promises the files are stored: acknowledged by the majority and written to the journal.
DURABLE = WriteConcern(w="majority", j=True)


class EvidenceMissing(LookupError):
    """No complete file is stored under this evidence id."""


@dataclass(frozen=True)
class StoredEvidence:
    """A stored file's sealed bytes and the metadata it was stored with."""

    evidence_id: UUID
    sealed: bytes
    metadata: dict[str, Any]


class EvidenceStore:
    """Sealed files by evidence id, in GridFS's two collections of one database."""

    def __init__(self, database: AsyncDatabase) -> None:
        database = database.with_options(write_concern=DURABLE)
        self._files = database[f"{BUCKET}.files"]
        self._chunks = database[f"{BUCKET}.chunks"]

    async def put(self, evidence_id: UUID, sealed: bytes, metadata: dict[str, Any]) -> str:
        """Store sealed bytes under `evidence_id` (chunks first, the file document last); returns their SHA-256 (hex).

        A file document exists only once all its chunks do, so a reader never sees half a file.
        """
        key = str(evidence_id)
        chunks = [
            {"_id": f"{key}/{n}", "files_id": key, "n": n, "data": sealed[start : start + CHUNK_BYTES]}
            for n, start in enumerate(range(0, len(sealed), CHUNK_BYTES))
        ]
        for chunk in chunks:  # one at a time: a batch of 10 MiB would exceed a command's size limit
            await self._chunks.insert_one(chunk)
        digest = hashlib.sha256(sealed).hexdigest()
        document = {
            "_id": key,
            "filename": key,  # never the resident's file name
            "length": len(sealed),
            "chunkSize": CHUNK_BYTES,
            "uploadDate": datetime.now(UTC),
            "metadata": {**metadata, "sealed_sha256": digest},
        }
        await self._files.insert_one(document)
        return digest

    async def read(self, evidence_id: UUID) -> StoredEvidence:
        """The sealed bytes of a file, checked against the stored hash; EvidenceMissing if incomplete or absent."""
        key = str(evidence_id)
        document = await self._files.find_one({"_id": key})
        if document is None:
            raise EvidenceMissing(key)
        count = -(-document["length"] // document["chunkSize"])
        found = {chunk["n"]: bytes(chunk["data"]) for chunk in await find_by_ids(self._chunks, [f"{key}/{n}" for n in range(count)])}
        if len(found) != count:
            raise EvidenceMissing(key)
        sealed = b"".join(found[n] for n in range(count))
        if hashlib.sha256(sealed).hexdigest() != document["metadata"].get("sealed_sha256"):
            raise EvidenceMissing(key)
        return StoredEvidence(evidence_id=UUID(key), sealed=sealed, metadata=document["metadata"])

    async def exists(self, evidence_id: UUID) -> bool:
        """Whether a complete file is stored under `evidence_id`."""
        return await self._files.count_documents({"_id": str(evidence_id)}, limit=1) > 0

    async def delete(self, evidence_id: UUID, *, sealed_length: int | None = None) -> None:
        """Delete a file: its document first (so readers stop finding it), then its chunks by `_id`."""
        key = str(evidence_id)
        document = await self._files.find_one({"_id": key}, {"length": 1})  # find + remove: intake's role has no update
        if document:
            await self._files.delete_one({"_id": key})
        length = document["length"] if document else sealed_length
        if length is None:
            # No document: a put that failed before the end. Its chunks are found by id, one after another.
            n = 0
            while (await self._chunks.delete_one({"_id": f"{key}/{n}"})).deleted_count:
                n += 1
            return
        for n in range(-(-length // CHUNK_BYTES)):
            await self._chunks.delete_one({"_id": f"{key}/{n}"})
