"""API tokens for tools: off unless enabled, scoped, expiring, stored as hashes, each under an actor name.

A token is shown once when an admin creates it (`python -m triage.staff.cli create-token`); the
database keeps only its SHA-256, so a leaked collection opens nothing. It never bypasses per-case
rules: its scopes are permissions, checked like a staff member's.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from triage.staff.permissions import Permission

PREFIX = "mst_"
# What a token may be given: reading and working cases, assigning them, reading statistics; never accounts or the audit log.
SCOPES = frozenset({Permission.CASE_READ, Permission.CASE_WORK, Permission.CASE_ASSIGN, Permission.STATS_READ})
MAX_DAYS = 365
_ACTOR = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class InvalidToken(ValueError):
    """A new token's field is unacceptable; carries the field and reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field, self.reason = field, reason


class TokenRefused(Exception):
    """The token is unknown, expired or revoked; `reason` is for the audit log."""

    def __init__(self, reason: str, actor: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.actor = reason, actor


@dataclass(frozen=True)
class ApiToken:
    """A checked token: who it acts as and what it may do."""

    id: str
    actor: str
    scopes: frozenset[Permission]


def token_id(token: str) -> str:
    """How a token is stored and looked up: its SHA-256 (the token itself has 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(actor: str, scopes: list[str], days: int, *, created_by: str) -> tuple[str, dict[str, Any]]:
    """A fresh token and the document that stores its hash; the token itself is shown once."""
    actor = actor.strip().lower()
    if not _ACTOR.match(actor):
        raise InvalidToken("actor", "must be 3-64 characters: a-z, 0-9, dot, dash, underscore")
    try:
        parsed = sorted({Permission(scope) for scope in scopes})
    except ValueError:
        parsed = []
    if not parsed or not set(parsed) <= SCOPES:
        raise InvalidToken("scopes", f"must be one or more of {', '.join(sorted(SCOPES))}")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidToken("days", f"must be between 1 and {MAX_DAYS}")
    token = PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    document = {
        "_id": token_id(token),
        "actor": actor,
        "scopes": [scope.value for scope in parsed],
        "created_by": created_by,
        "created_at": now,
        "expires_at": now + timedelta(days=days),
        "revoked": False,
    }
    return token, document


class TokenRepository:
    """The `api_tokens` collection, keyed by the token's hash."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._tokens = database["api_tokens"]

    async def insert(self, document: dict[str, Any]) -> None:
        """Store a new token's document."""
        await self._tokens.insert_one(document)

    async def get(self, token_hash: str) -> dict[str, Any] | None:
        """A token's document by its hash."""
        return await self._tokens.find_one({"_id": token_hash})

    async def revoke(self, actor: str) -> int:
        """Revoke every token of an actor; returns how many."""
        return (await self._tokens.update_many({"actor": actor, "revoked": False}, {"$set": {"revoked": True}})).modified_count


async def check_token(token: str, *, tokens: TokenRepository) -> ApiToken:
    """The live token behind a bearer value, or TokenRefused."""
    document = await tokens.get(token_id(token.strip())) if token.strip().startswith(PREFIX) else None
    if document is None:
        raise TokenRefused("unknown_token")
    if document["revoked"]:
        raise TokenRefused("token_revoked", document["actor"])
    expires_at = document["expires_at"]
    if expires_at.tzinfo is None:  # stored as UTC; the driver may hand back naive datetimes
        expires_at = expires_at.replace(tzinfo=UTC)
    if expires_at <= datetime.now(UTC):
        raise TokenRefused("token_expired", document["actor"])
    return ApiToken(document["_id"], document["actor"], frozenset(Permission(scope) for scope in document["scopes"]) & SCOPES)
