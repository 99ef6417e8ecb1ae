"""The audit log: one insert-only collection. This module is its only writer and has no update or delete."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff account, an API token (by its actor name), the system's own jobs, or nobody known."""

    kind: str  # "staff" | "api_token" | "system" | "anonymous"
    id: str | None = None


SYSTEM = Actor("system")
ANONYMOUS = Actor("anonymous")


class AuditLog:
    """Appends entries (who, when, what, which case, outcome) and reads them page by page."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._entries = database["audit"]

    async def ensure_indexes(self) -> None:
        """Indexes for reading newest first, per case and per actor."""
        await self._entries.create_index([("at", DESCENDING), ("_id", DESCENDING)], name="newest_first")
        await self._entries.create_index([("case_id", ASCENDING), ("at", DESCENDING)], name="by_case")
        await self._entries.create_index([("actor_id", ASCENDING), ("at", DESCENDING)], name="by_actor")

    async def append(
        self, actor: Actor, action: str, *, case_id: str | None = None, outcome: str = "ok", reason: str | None = None
    ) -> None:
        """Record one event; ids and codes only, never case contents or addresses."""
        await self._entries.insert_one(
            {
                "_id": str(uuid4()),
                "at": datetime.now(UTC),
                "actor_kind": actor.kind,
                "actor_id": actor.id,
                "action": action,
                "case_id": case_id,
                "outcome": outcome,
                "reason": reason,
            }
        )

    async def page(self, *, filters: dict[str, str], skip: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """A page of entries matching exact field values, newest first, and the total count."""
        query = {key: value for key, value in filters.items() if value}
        cursor = self._entries.find(query, sort=[("at", DESCENDING), ("_id", DESCENDING)], skip=skip, limit=limit)
        return [entry async for entry in cursor], await self._entries.count_documents(query)
