"""Form drafts in intake's database, readable only by intake and only with the browser's session cookie.

The document's `_id` and the key its content is sealed with are keyed hashes of the cookie value
(BLAKE2b keyed with a secret only intake has, personalised per use), so the database holds ciphertext
only: whoever reads the database cannot open or find a draft without both the secret and the cookie.
FerretDB has no TTL indexes: idle drafts are dropped by the code, when read and, for abandoned ones, in
a sweep at most every `sweep_seconds` per process.
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
from meldestelle_shared.events import EvidenceFile

COLLECTION = "form_drafts"


class SealedDraftStore:
    """Drafts by keyed hash of the session, sealed with a key only intake's secret and the cookie give; idle ones expire."""

    def __init__(
        self,
        database: AsyncDatabase,
        secret: bytes,
        *,
        idle_seconds: float = 3600,
        sweep_seconds: float = 600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._collection = database[COLLECTION]
        self._secret = hashlib.sha256(b"form-draft|" + secret).digest()  # BLAKE2b keys are at most 64 bytes
        self._idle_seconds = idle_seconds
        self._sweep_seconds = sweep_seconds
        self._clock = clock
        self._swept_at = float("-inf")

    async def get(self, session: str) -> Draft | None:
        """The session's draft, if it has one that has not expired; reading counts as use."""
        now = self._clock()
        document = await self._collection.find_one({"_id": self._document_id(session)})
        if document is None:
            return None
        if document["touched_at"] < now - self._idle_seconds:
            await self.forget(session)
            return None
        try:
            draft = self._open(session, bytes(document["sealed"]))
        except (CryptoError, ValueError, TypeError, KeyError):
            return None  # not readable with this cookie: as if there were none
        await self._collection.update_one({"_id": document["_id"]}, {"$max": {"touched_at": now}})
        return draft

    async def put(self, session: str, draft: Draft) -> None:
        """Keep (or replace) the session's draft."""
        now = self._clock()
        await self._collection.replace_one(
            {"_id": self._document_id(session)}, {"sealed": self._seal(session, draft), "touched_at": now}, upsert=True
        )
        if now - self._swept_at >= self._sweep_seconds:
            self._swept_at = now
            await self._collection.delete_many({"touched_at": {"$lt": now - self._idle_seconds}})

    async def forget(self, session: str) -> None:
        """Drop the session's draft and receipt."""
        await self._collection.delete_one({"_id": self._document_id(session)})


    def _document_id(self, session: str) -> str:
        return hashlib.blake2b(session.encode(), key=self._secret, digest_size=32, person=b"form-draft-id").hexdigest()

    def _box(self, session: str) -> SecretBox:
        key = hashlib.blake2b(session.encode(), key=self._secret, digest_size=SecretBox.KEY_SIZE, person=b"form-draft")
        return SecretBox(key.digest())

    def _seal(self, session: str, draft: Draft) -> bytes:
        plain = {
            "form_id": draft.form_id,
            "answers": dataclasses.asdict(draft.answers),
            "receipt": draft.receipt,
            "evidence": [file.model_dump(mode="json") for file in draft.evidence],
        }
        return bytes(self._box(session).encrypt(json.dumps(plain).encode()))

    def _open(self, session: str, sealed: bytes) -> Draft:
        plain = json.loads(self._box(session).decrypt(sealed))
        evidence = [EvidenceFile.model_validate(file) for file in plain.get("evidence", [])]
        return Draft(form_id=plain["form_id"], answers=Answers(**plain["answers"]), receipt=plain["receipt"], evidence=evidence)
