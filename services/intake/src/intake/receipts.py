"""Receipts: 16 random digits the reporter keeps; only a keyed hash derived by a slow Argon2id run leaves intake."""

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

RECEIPT_DIGITS = 16
_SEPARATORS = re.compile(r"[\s\-]")


class MalformedReceipt(ValueError):
    """The text is not 16 digits."""


def new_receipt() -> str:
    """Draw a receipt from the CSPRNG, formatted in four groups of four digits."""
    digits = f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"
    return " ".join(digits[i : i + 4] for i in range(0, RECEIPT_DIGITS, 4))


def normalise_receipt(text: str) -> str:
    """Strip spaces and dashes; raise MalformedReceipt unless exactly 16 digits remain."""
    digits = _SEPARATORS.sub("", text)
    if len(digits) != RECEIPT_DIGITS or not digits.isascii() or not digits.isdigit():
        raise MalformedReceipt("a receipt is 16 digits")
    return digits


@dataclass(frozen=True)
class ReceiptSecrets:
    """What one Argon2id run over a receipt yields: the hash that finds its inbox, the key that seals its reporter key,
    and the seed of the key that signs the reporter's requests; `pepper_id` names the pepper of the run."""

    lookup_hash: str
    key: bytes
    signing_seed: bytes
    pepper_id: str


class ReceiptHasher:
    """Argon2id salted with a server-side pepper, run once per receipt and split into independent secrets.

    The salt must be the same for every receipt so the hash can be looked up; the pepper keys it, so a
    leaked hash cannot be brute-forced without it. The lookup hash, the key and the signing seed are
    BLAKE2b of the Argon2id output under different personalisations: none reveals another, and one slow
    run (not one per secret) is what a report and a follow-up login cost.

    The pepper can be rotated but an inbox cannot be re-hashed (its keys come from the same run), so
    new receipts use the current pepper and retired peppers stay for the receipts made under them:
    `pepper_ids` lists the current one first, then the retired ones, for a lookup to try in that order.
    """

    def __init__(self, pepper: str, *, retired_peppers: Sequence[str] = (), time_cost: int, memory_kib: int) -> None:
        salts = [_salt(pepper), *(_salt(retired) for retired in retired_peppers)]
        self._salts = {_pepper_id(salt): salt for salt in salts}  # ordered: current first; a repeated pepper counts once
        self._time_cost = time_cost
        self._memory_kib = memory_kib

    @property
    def pepper_id(self) -> str:
        """The current pepper's id, which new inboxes record."""
        return next(iter(self._salts))

    @property
    def pepper_ids(self) -> list[str]:
        """Every configured pepper's id: the current one first, then the retired ones in their given order."""
        return list(self._salts)

    def derive(self, receipt: str, pepper_id: str | None = None) -> ReceiptSecrets:
        """The secrets of a receipt (any formatting) under the current pepper or the one named; deliberately slow."""
        pepper_id = pepper_id or self.pepper_id
        stretched = hash_secret_raw(
            secret=normalise_receipt(receipt).encode(),
            salt=self._salts[pepper_id],
            time_cost=self._time_cost,
            memory_cost=self._memory_kib,
            parallelism=1,
            hash_len=32,
            type=Type.ID,
        )
        return ReceiptSecrets(
            lookup_hash=hashlib.blake2b(stretched, digest_size=32, person=b"receipt-lookup").hexdigest(),
            key=hashlib.blake2b(stretched, digest_size=32, person=b"reporter-key").digest(),
            signing_seed=hashlib.blake2b(stretched, digest_size=32, person=b"reporter-signing").digest(),
            pepper_id=pepper_id,
        )


def _salt(pepper: str) -> bytes:
    return hashlib.sha256(b"meldestelle-receipt:" + pepper.encode()).digest()[:16]


def _pepper_id(salt: bytes) -> str:
    """A short public name of a pepper: it tells an operator which inboxes need it, and reveals nothing of it."""
    return hashlib.sha256(b"meldestelle-pepper-id:" + salt).hexdigest()[:8]
