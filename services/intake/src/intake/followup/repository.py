"""The reporter read model in intake's own database: one inbox per report, and its messages.

Everything readable in it is ciphertext: messages are sealed to the reporter's public key, and
the reporter's private key is sealed under their receipt.
"""

from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

# Status changes are ordered by triage's clock only: a fresh inbox predates every case event.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class DuplicateReport(Exception):
    """An inbox for this report exists already (the same form was sent twice)."""


class InboxRepository:
    """Reads and writes the `inboxes` and `messages` collections."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._inboxes = database["inboxes"]
        self._messages = database["messages"]

    async def ensure_indexes(self) -> None:
        """Create the indexes lookups and idempotency rely on."""
        await self._inboxes.create_index([("receipt_hash", ASCENDING)], unique=True, name="receipt_hash_unique")
        await self._messages.create_index([("report_id", ASCENDING), ("sent_at", ASCENDING)], name="report_messages")

    async def insert(self, inbox: dict[str, Any]) -> None:
        """Store a new inbox; raise DuplicateReport if the report has one."""
        try:
            await self._inboxes.insert_one(inbox)
        except DuplicateKeyError:
            raise DuplicateReport(inbox["_id"]) from None

    async def delete(self, report_id: str) -> None:
        """Remove an inbox and its messages."""
        await self._messages.delete_many({"report_id": report_id})
        await self._inboxes.delete_one({"_id": report_id})

    async def evidence_ids(self, report_id: str) -> list[str]:
        """The ids of the files the report brought or the reporter added later."""
        inbox = await self._inboxes.find_one({"_id": report_id}, {"evidence_ids": 1})
        return list(inbox.get("evidence_ids", [])) if inbox else []

    async def add_evidence(self, report_id: str, evidence_ids: list[str]) -> None:
        """Record files the reporter added later, so erasing the report finds them."""
        await self._inboxes.update_one({"_id": report_id}, {"$push": {"evidence_ids": {"$each": evidence_ids}}})

    async def find_by_receipt_hash(self, receipt_hash: str) -> dict[str, Any] | None:
        """The inbox a receipt belongs to."""
        return await self._inboxes.find_one({"receipt_hash": receipt_hash})

    async def count(self, *, pepper_id: str | None = None, without_pepper_id: bool = False) -> int:
        """How many inboxes there are: all, those made under one pepper, or those from before pepper ids were recorded."""
        if without_pepper_id:
            return await self._inboxes.count_documents({"pepper_id": {"$exists": False}})
        return await self._inboxes.count_documents({"pepper_id": pepper_id} if pepper_id else {})

    async def exists(self, report_id: str) -> bool:
        """Whether the report has an inbox."""
        return await self._inboxes.count_documents({"_id": report_id}, limit=1) > 0

    async def messages(self, report_id: str) -> list[dict[str, Any]]:
        """A report's messages, oldest first."""
        cursor = self._messages.find({"report_id": report_id}, sort=[("sent_at", ASCENDING), ("_id", ASCENDING)])
        return [message async for message in cursor]

    async def add_message(self, message: dict[str, Any]) -> None:
        """Store a message once, however often it is delivered (its id is the key)."""
        fields = {key: value for key, value in message.items() if key != "_id"}
        await self._messages.update_one({"_id": message["_id"]}, {"$setOnInsert": fields}, upsert=True)

    async def link_case(self, report_id: str, case_id: str, status: str, at: datetime) -> None:
        """Record the case triage opened; a re-announced case changes nothing."""
        await self._inboxes.update_one(
            {"_id": report_id, "case_id": None}, {"$set": {"case_id": case_id, "status": status, "status_at": at}}
        )

    async def set_status(self, report_id: str, status: str, at: datetime) -> None:
        """Apply a status change unless a later one is already recorded (redelivery is harmless)."""
        await self._inboxes.update_one({"_id": report_id, "status_at": {"$lte": at}}, {"$set": {"status": status, "status_at": at}})

    async def delete_message(self, message_id: str) -> None:
        """Remove one message (a reply that could not be delivered)."""
        await self._messages.delete_one({"_id": message_id})
