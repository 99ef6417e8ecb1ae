"""The two factors: Argon2id password hashes and TOTP codes (RFC 6238)."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pyotp
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults follow RFC 9106's second recommendation (t=3, m=64 MiB, p=4).
_hasher = PasswordHasher(type=Type.ID)
MIN_PASSWORD_LENGTH = 12
TOTP_ISSUER = "Meldestelle"
# A code is accepted one 30-second step early or late: clocks drift, people type slowly.
TOTP_WINDOW = 1
# Verifying an unknown account costs as much as a known one, so timing reveals no account names.
_DUMMY_HASH = _hasher.hash("no account has this password")
# Argon2 runs off the event loop (64 MiB, a few hundred ms, four lanes of its own): one at a time
# bounds memory and leaves the loop a core; logins queue here instead of stalling every request.
_ARGON2 = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argon2")


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether the password fits the hash; a missing hash is checked against a dummy to keep timing even."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hash_password_off_loop(password: str) -> str:
    """hash_password in a worker thread, so the event loop keeps serving."""
    return await asyncio.get_running_loop().run_in_executor(_ARGON2, hash_password, password)


async def password_matches_off_loop(password_hash: str | None, password: str) -> bool:
    """password_matches in a worker thread, so the event loop keeps serving."""
    return await asyncio.get_running_loop().run_in_executor(_ARGON2, password_matches, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash uses weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def check_password_policy(password: str) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > 256:
        return "must be at most 256 characters long"
    return None


def new_totp_secret() -> str:
    """A random base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI authenticator apps read."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def totp_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step a valid code belongs to, or None when it is wrong; the caller refuses a step used before."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = totp.timecode(now)
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None
