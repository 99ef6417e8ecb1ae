"""Receipts: 16 random digits the reporter keeps; only a keyed hash derived by a slow Argon2id run leaves intake."""

import hashlib
import re
import secrets
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
    and the seed of the key that signs the reporter's requests."""

    lookup_hash: str
    key: bytes
    signing_seed: bytes


class ReceiptHasher:
    """Argon2id salted with a server-side pepper, run once per receipt and split into independent secrets.

    The salt must be the same for every receipt so the hash can be looked up; the pepper keys it, so a
    leaked hash cannot be brute-forced without it. The lookup hash, the key and the signing seed are
    BLAKE2b of the Argon2id output under different personalisations: none reveals another, and one slow
    run (not one per secret) is what a report and a follow-up login cost.
    """

    def __init__(self, pepper: str, *, time_cost: int, memory_kib: int) -> None:
        self._salt = hashlib.sha256(b"meldestelle-receipt:" + pepper.encode()).digest()[:16]
        self._time_cost = time_cost
        self._memory_kib = memory_kib

    def derive(self, receipt: str) -> ReceiptSecrets:
        """The secrets of a receipt (any formatting); deliberately slow."""
        stretched = hash_secret_raw(
            secret=normalise_receipt(receipt).encode(),
            salt=self._salt,
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
        )
