"""Start-up helpers: services wait for their dependencies instead of crashing while they boot."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def start_with_retry(start: Callable[[], Awaitable[object]], *, name: str, attempts: int = 60) -> None:
    """Call `start` until it succeeds, waiting up to a second between tries (about a minute in all)."""
    for attempt in range(1, attempts + 1):
        try:
            await start()
            return
        except Exception as error:  # noqa: BLE001 - any failure here is "not up yet"
            if attempt == attempts:
                raise
            log.warning("waiting for dependency", extra={"dependency": name, "error": type(error).__name__})
            await asyncio.sleep(min(1.0, 0.1 * attempt))
