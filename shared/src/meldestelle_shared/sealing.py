"""Sealed boxes (libsodium via PyNaCl): anyone with the public key can seal, only the key holder opens.

Every sealed value names the key it was sealed to: `k:<key id>:<base64>`, the key id being the
start of the public key's SHA-256. So keys can be rotated: a `Keyring` holds the current private
key and retired ones, opens each value with the key it names, and re-seals old values to the
current key. Values sealed before key ids existed (plain base64) are still read: with every key
of the ring, current first.
"""

import base64
import hashlib
from collections.abc import Iterable

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

_PREFIX = "k:"


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


def key_id(key: PublicKey | PrivateKey) -> str:
    """A short, public name of a key pair: the first 16 hex digits of the public key's SHA-256."""
    public = key.public_key if isinstance(key, PrivateKey) else key
    return hashlib.sha256(bytes(public)).hexdigest()[:16]


def sealed_key_id(ciphertext: str) -> str | None:
    """The id of the key a value was sealed to, or None for a value sealed before key ids existed."""
    if ciphertext.startswith(_PREFIX):
        return ciphertext[len(_PREFIX) :].partition(":")[0]
    return None


def seal(public_key: PublicKey, plaintext: str) -> str:
    """Seal text for the holder of the private key; returns `k:<key id>:<base64>`."""
    return f"{_PREFIX}{key_id(public_key)}:{_b64(SealedBox(public_key).encrypt(plaintext.encode()))}"


def unseal(private_key: "PrivateKey | Keyring", ciphertext: str) -> str:
    """Open a sealed text with a key, or with the key of a ring that it names."""
    if isinstance(private_key, Keyring):
        return private_key.open(ciphertext)
    named = sealed_key_id(ciphertext)
    if named is not None and named != key_id(private_key):
        raise SealingError("cannot open sealed text: it was sealed to another key")
    body = ciphertext.rpartition(":")[2] if named is not None else ciphertext
    try:
        return SealedBox(private_key).decrypt(base64.b64decode(body, validate=True)).decode()
    except (CryptoError, ValueError) as error:
        raise SealingError(f"cannot open sealed text: {error}") from None


# Sealed files are bytes, not text: a magic, the key id, then the sealed box (no base64, files are large).
_FILE_MAGIC = b"MSEAL1:"


def seal_bytes(public_key: PublicKey, data: bytes) -> bytes:
    """Seal a file's bytes for the key holder; returns `MSEAL1:<key id>:<sealed box>`."""
    return _FILE_MAGIC + key_id(public_key).encode() + b":" + SealedBox(public_key).encrypt(data)


def sealed_bytes_key_id(sealed: bytes) -> str:
    """The id of the key a sealed file was sealed to."""
    if not sealed.startswith(_FILE_MAGIC) or sealed[len(_FILE_MAGIC) + 16 : len(_FILE_MAGIC) + 17] != b":":
        raise SealingError("not a sealed file")
    return sealed[len(_FILE_MAGIC) : len(_FILE_MAGIC) + 16].decode("ascii", errors="replace")


def unseal_bytes(private_key: "PrivateKey | Keyring", sealed: bytes) -> bytes:
    """Open a sealed file with a key, or with the key of a ring that it names."""
    named = sealed_bytes_key_id(sealed)
    if isinstance(private_key, Keyring):
        private_key = private_key.key_named(named)
    elif named != key_id(private_key):
        raise SealingError("cannot open sealed file: it was sealed to another key")
    try:
        return SealedBox(private_key).decrypt(sealed[len(_FILE_MAGIC) + 17 :])
    except CryptoError as error:
        raise SealingError(f"cannot open sealed file: {error}") from None


class Keyring:
    """The current private key and retired ones: opens values sealed to any of them, seals to the current one."""

    def __init__(self, current: PrivateKey, retired: Iterable[PrivateKey] = ()) -> None:
        self.current = current
        self._by_id = {key_id(key): key for key in (*retired, current)}

    @property
    def public_key(self) -> PublicKey:
        """The current public key, which new values are sealed to."""
        return self.current.public_key

    @property
    def keys(self) -> list[PrivateKey]:
        """Every key of the ring, current first."""
        return [self.current, *(key for key in self._by_id.values() if key is not self.current)]

    @property
    def current_id(self) -> str:
        """The current key's id."""
        return key_id(self.current)

    def key_named(self, named: str) -> PrivateKey:
        """The ring's key with this id."""
        if named not in self._by_id:
            raise SealingError("cannot open sealed value: its key is not in the keyring")
        return self._by_id[named]

    def open(self, ciphertext: str) -> str:
        """Open a value sealed to any key of the ring; a value without key id is tried with each, current first."""
        named = sealed_key_id(ciphertext)
        if named is not None:
            return unseal(self.key_named(named), ciphertext)
        for key in self.keys:
            try:
                return unseal(key, ciphertext)
            except SealingError:
                continue
        raise SealingError("cannot open sealed text: no key of the keyring opens it")

    def is_current(self, ciphertext: str) -> bool:
        """Whether a value is sealed to the current key (and so needs no re-sealing)."""
        return sealed_key_id(ciphertext) == self.current_id

    def reseal(self, ciphertext: str) -> str:
        """The same text sealed to the current key."""
        return seal(self.public_key, self.open(ciphertext))


def load_keyring(current: str, retired: str = "") -> Keyring:
    """A keyring from a base64 private key and a comma-separated list of retired ones."""
    return Keyring(load_private_key(current), [load_private_key(key) for key in retired.split(",") if key.strip()])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
