"""The reporter's key pair: office messages are sealed to its public key; its private key is
stored only sealed under a key derived from the receipt, so nobody without the receipt can read them."""

import base64
import secrets
from dataclasses import dataclass

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey
from nacl.secret import SecretBox

from intake.receipts import stretch_receipt


class WrongReceiptKey(ValueError):
    """The receipt does not open this reporter key."""


@dataclass(frozen=True)
class ReporterKeys:
    """A reporter key pair as it is stored: the public key, and the private key sealed under the receipt."""

    public_key: str
    key_salt: str
    sealed_private_key: str


@dataclass(frozen=True)
class KeyDerivation:
    """Argon2id parameters of the receipt-derived key."""

    time_cost: int
    memory_kib: int

    def derive(self, receipt: str, salt: bytes) -> bytes:
        """A 32-byte secret-box key from the receipt and a per-report random salt."""
        return stretch_receipt(
            receipt, salt, time_cost=self.time_cost, memory_kib=self.memory_kib, length=SecretBox.KEY_SIZE
        )

    def create(self, receipt: str) -> ReporterKeys:
        """Make a new key pair and seal its private half under the receipt."""
        private = PrivateKey.generate()
        salt = secrets.token_bytes(16)
        box = SecretBox(self.derive(receipt, salt))
        return ReporterKeys(
            public_key=_b64(bytes(private.public_key)),
            key_salt=_b64(salt),
            sealed_private_key=_b64(box.encrypt(bytes(private))),
        )

    def open(self, receipt: str, keys: ReporterKeys) -> PrivateKey:
        """Recover the private key with the receipt, or raise WrongReceiptKey."""
        box = SecretBox(self.derive(receipt, base64.b64decode(keys.key_salt)))
        try:
            return PrivateKey(box.decrypt(base64.b64decode(keys.sealed_private_key)))
        except CryptoError:
            raise WrongReceiptKey("the receipt does not open this key") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
