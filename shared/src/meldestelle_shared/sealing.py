"""Sealed boxes (libsodium via PyNaCl): anyone with the public key can seal, only the key holder opens."""

import base64

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox


class SealingError(ValueError):
    """A key or ciphertext is malformed, or the ciphertext was not sealed for this key."""


def generate_key_pair() -> tuple[str, str]:
    """Return a new (private, public) key pair, each base64-encoded."""
    private = PrivateKey.generate()
    return _b64(bytes(private)), _b64(bytes(private.public_key))


def load_public_key(encoded: str) -> PublicKey:
    """Decode a base64 public key."""
    try:
        return PublicKey(base64.b64decode(encoded.strip(), validate=True))
    except (ValueError, TypeError) as error:
        raise SealingError(f"invalid public key: {error}") from None


def load_private_key(encoded: str) -> PrivateKey:
    """Decode a base64 private key."""
    try:
        return PrivateKey(base64.b64decode(encoded.strip(), validate=True))
    except (ValueError, TypeError) as error:
        raise SealingError(f"invalid private key: {error}") from None


def seal(public_key: PublicKey, plaintext: str) -> str:
    """Seal text for the holder of the private key; returns base64."""
    return _b64(SealedBox(public_key).encrypt(plaintext.encode()))


def unseal(private_key: PrivateKey, ciphertext: str) -> str:
    """Open a sealed text."""
    try:
        return SealedBox(private_key).decrypt(base64.b64decode(ciphertext, validate=True)).decode()
    except (CryptoError, ValueError) as error:
        raise SealingError(f"cannot open sealed text: {error}") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
