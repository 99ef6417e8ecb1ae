"""Database client factory; only features MongoDB 7+ and FerretDB both support are used."""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from meldestelle_shared.settings import MongoSettings


def create_client(settings: MongoSettings, *, app_name: str) -> AsyncMongoClient:
    """Build a client, authenticated as the service's user when one is set, that fails fast when the server is away."""
    credentials = {}
    if settings.username:
        credentials = {
            "username": settings.username,
            "password": settings.password.get_secret_value(),
            "authSource": settings.auth_source,
            "authMechanism": "SCRAM-SHA-256",
        }
    return AsyncMongoClient(
        settings.uri,
        **credentials,
        appname=app_name,
        serverSelectionTimeoutMS=settings.timeout_ms,
        connectTimeoutMS=settings.timeout_ms,
        tz_aware=True,
    )


async def find_by_ids(collection: AsyncCollection, ids: Iterable[Any], projection: Any = None) -> list[dict[str, Any]]:
    """The documents with these `_id`s, each looked up on its own and concurrently; missing ones are left out.

    Not `{"_id": {"$in": ...}}`: FerretDB answers only `_id` equality from an index and scans for `$in`.
    Reads only: concurrent writes can deadlock FerretDB's connection pool (docs/architecture.md).
    """
    found = await asyncio.gather(*(collection.find_one({"_id": key}, projection) for key in ids))
    return [doc for doc in found if doc]


DUPLICATE_KEY = 11000


async def insert_new(collection: AsyncCollection, documents: list[dict[str, Any]]) -> list[int]:
    """Insert documents in bulk, unordered; returns the positions of those a unique key already held (left as they
    were: a redelivery or a concurrent writer). Any other write error raises."""
    if not documents:
        return []
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        errors = error.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        return [e["index"] for e in errors]
    return []


def mongo_check(client: AsyncMongoClient) -> Callable[[], Awaitable[bool]]:
    """A readiness check that pings the database server."""

    async def check() -> bool:
        await client.admin.command("ping")
        return True

    return check
