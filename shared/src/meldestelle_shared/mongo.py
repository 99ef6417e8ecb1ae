"""Database client factory; only features MongoDB 7+ and FerretDB both support are used."""

from collections.abc import Awaitable, Callable

from pymongo import AsyncMongoClient

from meldestelle_shared.settings import MongoSettings


def create_client(settings: MongoSettings, *, app_name: str) -> AsyncMongoClient:
    """Build a client that fails fast when the server is away, so consumers can back off."""
    return AsyncMongoClient(
        settings.uri,
        appname=app_name,
        serverSelectionTimeoutMS=settings.timeout_ms,
        connectTimeoutMS=settings.timeout_ms,
        tz_aware=True,
    )


def mongo_check(client: AsyncMongoClient) -> Callable[[], Awaitable[bool]]:
    """A readiness check that pings the database server."""

    async def check() -> bool:
        await client.admin.command("ping")
        return True

    return check
