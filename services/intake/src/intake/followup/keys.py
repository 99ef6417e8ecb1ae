"""The reporter's key pair: office messages are sealed to its public key; its private key is
stored only sealed under a key derived from the receipt (see intake.receipts), so nobody without the receipt can read them."""

import base64
from dataclasses import dataclass

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey
from nacl.secret import SecretBox


class WrongReceiptKey(ValueError):
    """The receipt does not open this reporter key."""


@dataclass(frozen=True)
class ReporterKeys:
    """A reporter key pair as it is stored: the public key, and the private key sealed under the receipt's key."""

    public_key: str
    sealed_private_key: str


def create_reporter_keys(receipt_key: bytes) -> ReporterKeys:
    """Make a new key pair and seal its private half under the key derived from the receipt."""
    private = PrivateKey.generate()
    return ReporterKeys(
        public_key=_b64(bytes(private.public_key)), sealed_private_key=_b64(SecretBox(receipt_key).encrypt(bytes(private)))
    )


def open_reporter_key(receipt_key: bytes, keys: ReporterKeys) -> PrivateKey:
    """Recover the private key with the receipt's key, or raise WrongReceiptKey."""
    try:
        return PrivateKey(SecretBox(receipt_key).decrypt(base64.b64decode(keys.sealed_private_key)))
    except CryptoError:
        raise WrongReceiptKey("the receipt does not open this key") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
