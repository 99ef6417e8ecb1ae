"""Receipts: 16 random digits the reporter keeps; only a keyed, slow hash of them leaves intake."""

import hashlib
import re
import secrets

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


def stretch_receipt(receipt: str, salt: bytes, *, time_cost: int, memory_kib: int, length: int) -> bytes:
    """Argon2id over a receipt (any formatting): the one slow step behind its hash and its derived key."""
    return hash_secret_raw(
        secret=normalise_receipt(receipt).encode(),
        salt=salt,
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=1,
        hash_len=length,
        type=Type.ID,
    )


class ReceiptHasher:
    """Argon2id keyed by a server-side pepper: a leaked hash cannot be brute-forced without the key."""

    def __init__(self, pepper: str, *, time_cost: int, memory_kib: int) -> None:
        # The salt must be the same for every receipt so the hash can be looked up; the pepper keys it.
        self._salt = hashlib.sha256(b"meldestelle-receipt:" + pepper.encode()).digest()[:16]
        self._time_cost = time_cost
        self._memory_kib = memory_kib

    def hash(self, receipt: str) -> str:
        """Hash a receipt (any formatting) to hex."""
        return stretch_receipt(receipt, self._salt, time_cost=self._time_cost, memory_kib=self._memory_kib, length=32).hex()
