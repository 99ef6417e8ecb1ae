"""Form drafts in intake's database, readable only with the browser's session cookie.

The document's `_id` is a hash of the cookie value and its content is sealed with a key derived from
that value (BLAKE2b, personalised per use), so the database holds ciphertext only and nobody without
the cookie can read or find a draft. FerretDB has no TTL indexes: idle drafts are dropped by the code,
when read and, for abandoned ones, in a sweep at most every `sweep_seconds` per process.
"""

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox
from pymongo.asynchronous.database import AsyncDatabase

from intake.site.drafts import Draft
from intake.site.report_form import Answers

COLLECTION = "form_drafts"


class SealedDraftStore:
    """Drafts by hashed session, sealed with a key only the session's cookie gives; idle ones expire."""

    def __init__(
        self,
        database: AsyncDatabase,
        *,
        idle_seconds: float = 3600,
        sweep_seconds: float = 600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._collection = database[COLLECTION]
        self._idle_seconds = idle_seconds
        self._sweep_seconds = sweep_seconds
        self._clock = clock
        self._swept_at = float("-inf")

    async def get(self, session: str) -> Draft | None:
        """The session's draft, if it has one that has not expired; reading counts as use."""
        now = self._clock()
        document = await self._collection.find_one({"_id": _document_id(session)})
        if document is None:
            return None
        if document["touched_at"] < now - self._idle_seconds:
            await self.forget(session)
            return None
        try:
            draft = _open(session, bytes(document["sealed"]))
        except (CryptoError, ValueError, TypeError, KeyError):
            return None  # not readable with this cookie: as if there were none
        await self._collection.update_one({"_id": document["_id"]}, {"$max": {"touched_at": now}})
        return draft

    async def put(self, session: str, draft: Draft) -> None:
        """Keep (or replace) the session's draft."""
        now = self._clock()
        await self._collection.replace_one(
            {"_id": _document_id(session)}, {"sealed": _seal(session, draft), "touched_at": now}, upsert=True
        )
        if now - self._swept_at >= self._sweep_seconds:
            self._swept_at = now
            await self._collection.delete_many({"touched_at": {"$lt": now - self._idle_seconds}})

    async def forget(self, session: str) -> None:
        """Drop the session's draft and receipt."""
        await self._collection.delete_one({"_id": _document_id(session)})


def _document_id(session: str) -> str:
    return hashlib.blake2b(session.encode(), digest_size=32, person=b"form-draft-id").hexdigest()


def _box(session: str) -> SecretBox:
    return SecretBox(hashlib.blake2b(session.encode(), digest_size=SecretBox.KEY_SIZE, person=b"form-draft").digest())


def _seal(session: str, draft: Draft) -> bytes:
    plain = {"form_id": draft.form_id, "answers": dataclasses.asdict(draft.answers), "receipt": draft.receipt}
    return bytes(_box(session).encrypt(json.dumps(plain).encode()))


def _open(session: str, sealed: bytes) -> Draft:
    plain = json.loads(_box(session).decrypt(sealed))
    return Draft(form_id=plain["form_id"], answers=Answers(**plain["answers"]), receipt=plain["receipt"])
