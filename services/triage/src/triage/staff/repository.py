"""Storage of staff accounts and their server-side sessions."""

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError


class UsernameTaken(ValueError):
    """Another account already has this username."""


class StaffRepository:
    """Reads and writes the `staff` collection."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._staff = database["staff"]

    async def ensure_indexes(self) -> None:
        """Usernames are unique."""
        await self._staff.create_index([("username", ASCENDING)], unique=True, name="username_unique")

    async def insert(self, account: dict[str, Any]) -> None:
        """Store a new account, or raise UsernameTaken."""
        try:
            await self._staff.insert_one(account)
        except DuplicateKeyError:
            raise UsernameTaken(account["username"]) from None

    async def by_username(self, username: str) -> dict[str, Any] | None:
        """An account by its (lower-case) username."""
        return await self._staff.find_one({"username": username})

    async def get(self, staff_id: str) -> dict[str, Any] | None:
        """An account by id."""
        return await self._staff.find_one({"_id": staff_id})

    async def all(self) -> list[dict[str, Any]]:
        """Every account, by username."""
        return [account async for account in self._staff.find({}, sort=[("username", ASCENDING)])]

    async def update(self, staff_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Set fields of an account; returns it as changed, or None when it does not exist."""
        return await self._staff.find_one_and_update(
            {"_id": staff_id}, {"$set": changes}, return_document=ReturnDocument.AFTER
        )

    async def record_failure(self, staff_id: str) -> int:
        """Count one more failed login in a row; returns the new count."""
        account = await self._staff.find_one_and_update(
            {"_id": staff_id}, {"$inc": {"failed_logins": 1}}, return_document=ReturnDocument.AFTER
        )
        return account["failed_logins"] if account else 0

    async def use_totp_step(self, staff_id: str, step: int) -> bool:
        """Mark a TOTP step as used unless it (or a later one) already was: a code works once."""
        result = await self._staff.update_one(
            {"_id": staff_id, "$or": [{"totp_last_step": None}, {"totp_last_step": {"$lt": step}}]},
            {"$set": {"totp_last_step": step}},
        )
        return result.modified_count == 1


class SessionRepository:
    """Server-side sessions, stored under the SHA-256 of the cookie's token."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._sessions = database["sessions"]

    async def ensure_indexes(self) -> None:
        """Sessions are found by account (logout everywhere) and purged by age."""
        await self._sessions.create_index([("staff_id", ASCENDING)], name="by_staff")
        await self._sessions.create_index([("last_seen_at", ASCENDING)], name="by_last_seen")

    async def insert(self, session: dict[str, Any]) -> None:
        """Store a new session."""
        await self._sessions.insert_one(session)

    async def get(self, token_hash: str) -> dict[str, Any] | None:
        """A session by the hash of its token."""
        return await self._sessions.find_one({"_id": token_hash})

    async def touch(self, token_hash: str, at: datetime) -> None:
        """Record use of a session, which pushes its idle timeout back."""
        await self._sessions.update_one({"_id": token_hash}, {"$set": {"last_seen_at": at}})

    async def delete(self, token_hash: str) -> None:
        """End one session."""
        await self._sessions.delete_one({"_id": token_hash})

    async def delete_for_staff(self, staff_id: str) -> None:
        """End every session of an account (after a reset or deactivation)."""
        await self._sessions.delete_many({"staff_id": staff_id})

    async def delete_idle_since(self, cutoff: datetime) -> int:
        """Purge sessions unused since `cutoff` (no TTL indexes on FerretDB); returns how many."""
        return (await self._sessions.delete_many({"last_seen_at": {"$lt": cutoff}})).deleted_count
