"""`python -m triage.stats.rebuild`: recompute every statistics count and the annual report's casework counters from the cases.

Reads MONGODB_URI, TRIAGE_DATABASE and TRIAGE_STATISTICS_DATABASE like the service. Published months are not touched:
publications are snapshots; only the office's current figures change.
"""

import asyncio
import sys
import time

from meldestelle_shared.mongo import create_client
from triage.cases.ports import case_figures_port
from triage.settings import DatabaseSettings
from triage.stats.repository import StatisticsRepository
from triage.stats.casework import rebuild_casework
from triage.stats.service import rebuild


async def main() -> int:
    """Run the rebuild and print what it did."""
    settings = DatabaseSettings()
    client = create_client(settings.mongodb, app_name="triage-stats-rebuild")
    try:
        repository = StatisticsRepository(client[settings.statistics_database], case_figures_port(client[settings.database]))
        await repository.ensure_indexes()
        started = time.perf_counter()
        result = await rebuild(repository=repository)
        await rebuild_casework(store=repository.casework, cases=repository.cases)
        print(f"rebuilt statistics and casework counters of {result.cases} cases in {result.months} months in {time.perf_counter() - started:.1f}s")
    finally:
        await client.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
