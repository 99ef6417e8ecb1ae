"""Benchmark: intake's peak memory while residents upload files (issue 16).

    .venv/bin/python -m bench.evidence                          # 10 concurrent uploads of 10 MiB, 3 rounds
    .venv/bin/python -m bench.evidence --uploads 2 --mib 1 --rounds 1 --no-record   # a smoke run

intake alone runs on a local stack of its own (Kafka, its database); each upload is a multipart
report with one file of `--mib` MiB (random bytes behind a PNG signature, so nothing compresses).
The resident set size of intake's process tree (all its workers) is sampled once a second and
while the uploads run; the figure is the peak. Baseline in the same run: intake's idle RSS before
the first upload, so the ratio says how much the uploads add. Every answer must be 201.
"""

import argparse
import asyncio
import os
import time

import httpx

from bench.footprint.__main__ import Sampler
from bench.harness import load, local_stack, machine, record_result
from bench.limits import TimeLimitExceeded, exit_on_timeout, time_limit

MIB = 2**20
TARGET_BYTES = 1024 * MIB  # what a small server can give intake beside Kafka and the database


def main() -> None:
    """Print intake's idle and peak RSS under concurrent uploads and record the peak."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=10, help="concurrent uploads per round")
    parser.add_argument("--mib", type=int, default=10, help="size of each upload's file in MiB (at most the 10 MiB limit)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of concurrent uploads")
    parser.add_argument("--no-record", action="store_true", help="print only; leave bench/results.json alone (smoke runs)")
    parser.add_argument("--timeout", type=float, default=900, help="stop and fail (exit 3) after this many seconds in all")
    args = parser.parse_args()
    try:
        with time_limit(args.timeout, "bench.evidence"):
            asyncio.run(run(args))
    except TimeLimitExceeded as error:
        exit_on_timeout(error)


async def run(args: argparse.Namespace) -> None:
    """Start intake, measure idle RSS, run the rounds while sampling, print and record the peak."""
    print(f"# evidence uploads  ({machine()})")
    with local_stack(services=("intake",)) as stack:
        pid = stack.services["intake"].pid
        sampler = Sampler({"intake": pid})
        await asyncio.sleep(5)  # let the workers settle after start-up
        idle = sampler.now()["intake"]
        files = [b"\x89PNG\r\n\x1a\n" + os.urandom(args.mib * MIB - 8) for _ in range(args.uploads)]
        started = time.monotonic()
        with sampler:
            async with httpx.AsyncClient(base_url=stack.url("intake"), timeout=120) as client:
                for _ in range(args.rounds):
                    answers = await asyncio.gather(*(upload(client, data, sampler) for data in files))
                    refused = [status for status in answers if status != 201]
                    assert not refused, f"uploads refused: {refused}"
        seconds = time.monotonic() - started
        peak = sampler.peak["intake"]
    total = args.uploads * args.rounds
    print(f"intake idle {idle / MIB:7.1f} MiB   peak {peak / MIB:7.1f} MiB   ({total} uploads of {args.mib} MiB, "
          f"{args.uploads} at a time, {seconds:.1f} s, {load()})")  # fmt: skip
    if args.no_record:
        return
    record_result(
        "evidence.intake_peak_rss_10x10MiB",
        target=f"intake peak RSS < {TARGET_BYTES // MIB} MiB under {args.uploads} concurrent {args.mib} MiB uploads",
        measured=peak / MIB,
        baseline=idle / MIB,
        unit="MiB",
        met=peak < TARGET_BYTES,
        note=f"{args.rounds} rounds of {args.uploads} concurrent multipart reports with one {args.mib} MiB file; baseline: intake idle",
    )


async def upload(client: httpx.AsyncClient, data: bytes, sampler: Sampler) -> int:
    """One multipart report with one file; samples RSS while it is in flight, so short peaks are seen too."""
    task = asyncio.ensure_future(
        client.post("/api/v1/reports", data={"description": "Benchmark: ein Bericht mit Beleg."}, files=[("files", ("f.png", data, "image/png"))])
    )
    while not task.done():
        sample = sampler.now()["intake"]
        sampler.peak["intake"] = max(sampler.peak["intake"], sample)
        await asyncio.sleep(0.05)
    return (await task).status_code


if __name__ == "__main__":
    main()
