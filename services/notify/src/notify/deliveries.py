"""What notify remembers: which e-mails were sent (so a redelivery sends nothing new) and,
for reporters who consented, their e-mail address, still sealed."""

from collections.abc import Sequence
from datetime import UTC, datetime

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from meldestelle_shared.mongo import find_by_ids


class DeliveryLog:
    """One document per delivery key: `sending` while the e-mail is in flight, `sent` once the server took it,
    `refused` when the server refused it for good (with the error type and SMTP code, never the address)."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._deliveries = database["deliveries"]

    async def done_among(self, keys: Sequence[str]) -> set[str]:
        """Which of these deliveries are settled: sent, or refused for good (each looked up by `_id`)."""
        found = await find_by_ids(self._deliveries, keys, {"status": 1})
        return {doc["_id"] for doc in found if doc.get("status") in ("sent", "refused")}

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

    async def mark_refused(self, key: str, error: str) -> None:
        """Record that the server refused the e-mail for good; `error` is the type and SMTP code only."""
        await self._deliveries.update_one({"_id": key}, {"$set": {"status": "refused", "error": error, "refused_at": datetime.now(UTC)}})


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

    async def record_notice(self, report_id: str, *, covered_until: datetime, sent_at: datetime) -> None:
        """Remember the last notice: news up to `covered_until` is told, and the next window starts at `sent_at`."""
        await self._contacts.update_one(
            {"_id": report_id}, {"$max": {"notified_until": covered_until}, "$set": {"last_notice_at": sent_at}}
        )
