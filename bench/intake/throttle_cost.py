"""What the throttles in the database cost per request, on the stack's own database server.

    .venv/bin/python -m bench.intake.throttle_cost [--rounds 300]

Times, one after the other from one process: a report's submission throttle (one slot insert), a
right receipt's check (attempt and failure slots, the previous attempt's stamp, the failure given
back), and a wrong one's (the same, plus a slot of the global brake). Each round uses a new client
address, as distinct residents do, plus one client that keeps coming back (its hint is warm).
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.harness import machine, percentile
from devstack.processes import free_port
from devstack.stack import LocalStack, Ports
from intake.followup.throttle import Admission, ReceiptThrottle
from intake.reports.throttle import SubmissionThrottle
from intake.throttle_database import DatabaseThrottleStore
from meldestelle_shared.mongo import create_client
from meldestelle_shared.settings import MongoSettings


async def timed(rounds: int, step) -> list[float]:
    """Milliseconds of `step(n)` for n in range(rounds), after ten warm-up rounds."""
    for number in range(10):
        await step(-1 - number)
    times = []
    for number in range(rounds):
        started = time.perf_counter()
        await step(number)
        times.append(1000 * (time.perf_counter() - started))
    return times


async def measure(uri: str, rounds: int) -> None:
    """Print p50/p99 of each throttle step against the database at `uri`."""
    client = create_client(MongoSettings(uri=uri), app_name="bench")
    try:
        store = DatabaseThrottleStore(client["intake"])  # intake's own database on a server of its own
        reports = SubmissionThrottle(store=store, max_reports=10**6, window_seconds=3600)
        receipts = ReceiptThrottle(
            store=store, free_failures=10**6, max_failures=10**6, max_attempts=10**6, delay_seconds=1,
            window_seconds=3600, global_failures_per_minute=10**6, global_max_delay=0,
        )  # fmt: skip

        async def right(number: int) -> None:
            admission = await receipts.attempt(f"10.1.{number // 250 % 250}.{number % 250}")
            assert isinstance(admission, Admission)
            await receipts.forgive(admission)

        async def wrong(number: int) -> None:
            admission = await receipts.attempt(f"10.2.{number // 250 % 250}.{number % 250}")
            assert isinstance(admission, Admission)
            await receipts.failed(admission)

        async def returning(number: int) -> None:
            assert isinstance(await receipts.attempt("10.3.0.1"), Admission)

        steps = {
            "report (submission throttle)": lambda number: reports.attempt(f"10.0.{number // 250 % 250}.{number % 250}"),
            "right receipt (attempt + forgive)": right,
            "wrong receipt (attempt + failed)": wrong,
            "the same client again (warm hint)": returning,
        }
        for name, step in steps.items():
            times = await timed(rounds, step)
            print(f"  {name:36s} p50 {percentile(times, 50):5.2f} ms  p99 {percentile(times, 99):5.2f} ms")
    finally:
        await client.close()


def main() -> None:
    """Start a database server of its own and time the throttle steps against it."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    print(f"# throttle cost  ({machine()})")
    stack = LocalStack(Path(tempfile.mkdtemp(prefix="meldestelle-bench-")), Ports(**{name: free_port() for name in Ports.__dataclass_fields__}))
    database = stack.databases["intake"]
    database.start()
    try:
        database.wait_ready()
        asyncio.run(measure(stack.database_uri("intake"), args.rounds))
    finally:
        database.stop()


if __name__ == "__main__":
    main()
