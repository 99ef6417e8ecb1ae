"""The delivery log: which events already produced their e-mail, so a redelivery sends nothing new."""

from datetime import UTC, datetime
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase


class DeliveryLog:
    """One document per event id: `sending` while the e-mail is in flight, `sent` once the server took it."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._deliveries = database["deliveries"]

    async def was_sent(self, event_id: UUID) -> bool:
        """Whether this event's e-mail was already handed to the SMTP server."""
        return await self._deliveries.find_one({"_id": str(event_id), "status": "sent"}) is not None

    async def mark_sending(self, event_id: UUID, kind: str) -> None:
        """Record an attempt before sending; a crash after sending then causes at most one repeat."""
        await self._deliveries.update_one(
            {"_id": str(event_id)},
            {"$set": {"status": "sending", "kind": kind}, "$inc": {"attempts": 1}},
            upsert=True,
        )

    async def mark_sent(self, event_id: UUID) -> None:
        """Record that the SMTP server accepted the e-mail."""
        await self._deliveries.update_one(
            {"_id": str(event_id)}, {"$set": {"status": "sent", "sent_at": datetime.now(UTC)}}
        )
