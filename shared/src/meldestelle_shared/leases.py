"""Run-once claims for scheduled jobs shared by several instances of a service.

A job's time is cut into periods; the first instance to insert the document `<job>|<period number>`
runs that period's round, the others skip it. The document is a lease that expires with its period:
when its holder dies, the next period's round goes to whichever instance claims it first. Only an
insert with a unique `_id` decides, because FerretDB 1.24 does not isolate concurrent updates of one
document (a find-and-modify lease could be taken twice there); every round's work is idempotent, so
a holder that dies half-way only delays the rest to the next period.
"""

import os
import socket
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

# Claims older than this many periods are deleted by the next claim: the collection stays small.
KEPT_PERIODS = 12


def instance_name() -> str:
    """This process, as a lease holder: host and process id, nothing about any person."""
    return f"{socket.gethostname()}-{os.getpid()}"


class Leases:
    """One service's job leases, in a collection of its own database."""

    def __init__(self, collection: AsyncCollection, holder: str | None = None) -> None:
        self.collection = collection
        self.holder = holder or instance_name()

    async def claim(self, job: str, period: timedelta, now: datetime | None = None) -> bool:
        """Whether this instance runs `job` for the period `now` falls in (True for exactly one instance)."""
        now = now or datetime.now(UTC)
        number = int(now.timestamp() // period.total_seconds())
        expires_at = datetime.fromtimestamp((number + 1) * period.total_seconds(), UTC)
        try:
            await self.collection.insert_one({"_id": f"{job}|{number}", "job": job, "holder": self.holder, "expires_at": expires_at})
        except DuplicateKeyError:
            return False
        await self.collection.delete_many({"job": job, "expires_at": {"$lt": now - KEPT_PERIODS * period}})
        return True

    async def holder_of(self, job: str, period: timedelta, now: datetime | None = None) -> str | None:
        """Who holds `job`'s lease for the period `now` falls in, if anyone."""
        now = now or datetime.now(UTC)
        document = await self.collection.find_one({"_id": f"{job}|{int(now.timestamp() // period.total_seconds())}"})
        return document["holder"] if document else None
