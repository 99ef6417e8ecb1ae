"""What notify remembers: which e-mails were sent (so a redelivery sends nothing new) and,
for reporters who consented, their e-mail address, still sealed."""

from collections.abc import Sequence
from datetime import UTC, datetime

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from meldestelle_shared.mongo import find_by_ids


class DeliveryLog:
    """One document per delivery key: `sending` while the e-mail is in flight, `sent` once the server took it."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._deliveries = database["deliveries"]

    async def sent_among(self, keys: Sequence[str]) -> set[str]:
        """Which of these deliveries were already handed to the SMTP server (each looked up by `_id`)."""
        return {doc["_id"] for doc in await find_by_ids(self._deliveries, keys, {"status": 1}) if doc.get("status") == "sent"}

    async def mark_sending(self, kinds: dict[str, str]) -> None:
        """Record attempts (delivery key -> kind) before sending; a crash after sending then causes at most one repeat."""
        await self._deliveries.bulk_write(
            [
                UpdateOne({"_id": key}, {"$set": {"status": "sending", "kind": kind}, "$inc": {"attempts": 1}}, upsert=True)
                for key, kind in kinds.items()
            ],
            ordered=False,
        )

    async def mark_sent(self, key: str) -> None:
        """Record that the SMTP server accepted the e-mail."""
        await self._deliveries.update_one({"_id": key}, {"$set": {"status": "sent", "sent_at": datetime.now(UTC)}})


class ContactBook:
    """Reporters' e-mail addresses, sealed for notify, by report id; forgotten when the case is erased."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._contacts = database["contacts"]

    async def remember(self, report_id: str, sealed_email: str, language: str) -> None:
        """Keep a sealed address (idempotent)."""
        await self._contacts.update_one(
            {"_id": report_id}, {"$set": {"sealed_email": sealed_email, "language": language}}, upsert=True
        )

    async def find(self, report_id: str) -> dict | None:
        """The sealed address and language of a report's reporter, if they gave one."""
        return await self._contacts.find_one({"_id": report_id})

    async def forget(self, report_id: str) -> None:
        """Delete a reporter's address."""
        await self._contacts.delete_one({"_id": report_id})
