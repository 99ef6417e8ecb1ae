"""`python -m triage.stats.rebuild`: recompute every statistics count from the cases.

Reads MONGODB_URI and TRIAGE_DATABASE like the service. Published months are not touched:
publications are snapshots; only the office's current figures change.
"""

import asyncio
import sys
import time

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from meldestelle_shared.mongo import create_client
from meldestelle_shared.settings import MongoSettings
from triage.stats.repository import StatisticsRepository
from triage.stats.service import rebuild


class RebuildSettings(BaseSettings):
    """The part of triage's settings the rebuild needs: no secrets."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_")

    database: str = Field(default="triage", description="Database name on the MongoDB server.")
    mongodb: MongoSettings = Field(default_factory=MongoSettings.from_environment)


async def main() -> int:
    """Run the rebuild and print what it did."""
    settings = RebuildSettings()
    client = create_client(settings.mongodb, app_name="triage-stats-rebuild")
    try:
        repository = StatisticsRepository(client[settings.database])
        await repository.ensure_indexes()
        started = time.perf_counter()
        result = await rebuild(repository=repository)
        print(f"rebuilt statistics of {result.cases} cases in {result.months} months in {time.perf_counter() - started:.1f}s")
    finally:
        await client.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
