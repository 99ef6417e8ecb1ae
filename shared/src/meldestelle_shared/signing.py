"""Reporter signatures (Ed25519 via PyNaCl): what the reporter asks for after submitting is signed with a key
only their receipt yields, so nobody else (not even a compromised intake without the receipt) can ask it."""

import base64

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey


class ForgedSignature(ValueError):
    """A signature is missing, malformed, or not made with the reporter's key."""


def signing_key(seed: bytes) -> SigningKey:
    """The reporter's signing key from its 32-byte seed (derived from the receipt)."""
    return SigningKey(seed)


def public_verify_key(key: SigningKey) -> str:
    """The verify key that travels with the report (base64)."""
    return base64.b64encode(bytes(key.verify_key)).decode()


def sign(key: SigningKey, content: bytes) -> str:
    """A detached signature of `content` (base64)."""
    return base64.b64encode(key.sign(content).signature).decode()


def verify(verify_key: str | None, content: bytes, signature: str | None) -> None:
    """Raise ForgedSignature unless `signature` is the verify key's holder's signature of `content`."""
    if not verify_key or not signature:
        raise ForgedSignature("no reporter key or no signature")
    try:
        VerifyKey(base64.b64decode(verify_key, validate=True)).verify(content, base64.b64decode(signature, validate=True))
    except (BadSignatureError, ValueError, TypeError):
        raise ForgedSignature("not signed with the reporter's key") from None
