"""Benchmark 1: intake's sustained accepted reports per second, against its hashing ceiling and a bare baseline.

    .venv/bin/python -m bench.intake                       # 30 s per run, 16 connections, a worker per core
    .venv/bin/python -m bench.intake --seconds 10 --profile
    .venv/bin/python -m bench.intake --workers 1 --linger 0,5,10

Runs, one after the other on the same machine and stack, with the same uvicorn worker count:
intake with production settings (real Kafka with acks=all, FerretDB, sealing, Argon2id t=2 m=19 MiB,
throttles in the database); intake without the deliberate cost (Argon2id swapped for BLAKE2b by
`without_argon2/sitecustomize.py`, bench only), once per producer linger; and the baseline
(`baseline.py`: bare FastAPI, one insert into the same database, one Kafka send with acks=all).
Load: wrk, one thread, keep-alive connections, POSTing one report body.

Targets (issue 14), written to bench/results.json:
- production: accepted/s >= 0.85 x ceiling, the ceiling being cores / Argon2id CPU time per report,
  measured in this run (before and after the load; the smaller cost, so the higher ceiling, counts);
- without the deliberate cost: accepted/s >= 0.5 x the baseline's.
"""

import argparse
import json
import os
import time
from contextlib import nullcontext
from pathlib import Path

from bench.harness import WrkResult, load, local_stack, machine, ratio, record_result, start_service, uvicorn_argv, wrk_post
from bench.limits import TimeLimitExceeded, exit_on_timeout, time_limit
from bench.profiling import py_spy
from bench.synthetic import REPORT
from devstack.processes import ManagedProcess, free_port, wait_for_port
from intake.receipts import ReceiptHasher, new_receipt

PRODUCTION_HASH = {"time_cost": 2, "memory_kib": 19456}
CHEAPEST_HASH = {"time_cost": 1, "memory_kib": 8192}  # the lowest the settings accept; the shim replaces it anyway
WITHOUT_ARGON2 = Path(__file__).parent / "without_argon2"


def hash_cost(params: dict[str, int], rounds: int = 20) -> float:
    """Milliseconds of CPU of the one Argon2id run a report costs (receipt hash and reporter key)."""
    hasher = ReceiptHasher("bench-pepper-0123456789", **params)
    receipts = [new_receipt() for _ in range(rounds)]
    started = time.process_time()
    for receipt in receipts:
        hasher.derive(receipt)
    return 1000 * (time.process_time() - started) / rounds


def main() -> None:
    """Measure intake against its ceiling and the baseline; print the figures and record them."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30, help="length of each measured run")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="uvicorn workers of intake and the baseline alike")
    parser.add_argument("--linger", default="0", help="comma-separated producer linger_ms values to measure without the deliberate cost")
    parser.add_argument("--intake-src", help="a folder put first on intake's PYTHONPATH, to measure a changed copy of intake")
    parser.add_argument("--profile", action="store_true", help="sample intake with py-spy during the intake runs")
    parser.add_argument("--timeout", type=float, help="stop and fail (exit 3) after this many seconds in all (default: 120 s per run + 300 s)")
    args = parser.parse_args()
    runs = 2 + len(args.linger.split(","))
    try:
        with time_limit(args.timeout or runs * (args.seconds + 120) + 300, "bench.intake"):
            run(args)
    except TimeLimitExceeded as error:
        exit_on_timeout(error)


def run(args: argparse.Namespace) -> None:
    """The runs, the figures and their record."""
    lingers = [int(value) for value in args.linger.split(",")]
    body = json.dumps(REPORT).encode()
    cores = os.cpu_count() or 1
    print(f"# intake throughput  ({machine()})")
    print(f"  load: wrk -t1 -c{args.connections} -d{args.seconds}s, POST /api/v1/reports, {len(body)}-byte body; {args.workers} uvicorn worker(s)")
    hash_before = hash_cost(PRODUCTION_HASH)

    results: dict[str, WrkResult] = {}
    with local_stack(services=()) as stack:
        stack.intake_workers = args.workers
        intake = stack.services["intake"]
        intake.argv[intake.argv.index("--workers") + 1] = str(args.workers)
        url = f"{stack.url('intake')}/api/v1/reports"

        def measure(variant: str, params: dict[str, int], shim: list[str], linger: int) -> None:
            path = ([args.intake_src] if args.intake_src else []) + shim
            intake.env.pop("PYTHONPATH", None)
            if path:
                intake.env["PYTHONPATH"] = os.pathsep.join(path)
            intake.env.update(
                INTAKE_RECEIPT_HASH_TIME_COST=str(params["time_cost"]),
                INTAKE_RECEIPT_HASH_MEMORY_KIB=str(params["memory_kib"]),
                KAFKA_LINGER_MS=str(linger),
            )
            start_service(stack, "intake")
            try:
                wrk_post(url, body, seconds=3, connections=args.connections)  # warm-up: connections, topic metadata, first-use imports
                profile = py_spy(intake.pid, f"intake-{variant.replace(' ', '-')}", seconds=args.seconds) if args.profile else nullcontext()
                with profile:
                    results[variant] = wrk_post(url, body, seconds=args.seconds, connections=args.connections)
                print(f"  intake ({variant:22s}): {results[variant].line()}  [{load()}]")
            finally:
                intake.stop()

        measure("production", PRODUCTION_HASH, [], lingers[0])
        for linger in lingers:
            measure(f"no Argon2id, linger {linger} ms", CHEAPEST_HASH, [str(WITHOUT_ARGON2)], linger)

        port = free_port()
        argv = uvicorn_argv("bench.intake.baseline:create_app", port, "--workers", str(args.workers))
        environment = {**stack.service_env("intake"), "KAFKA_LINGER_MS": str(lingers[0])}
        baseline = ManagedProcess("baseline", argv, env=environment, log_path=stack.root / "logs" / "baseline.log")
        baseline.start()
        try:
            wait_for_port("127.0.0.1", port, 60, baseline)
            base_url = f"http://127.0.0.1:{port}/api/v1/reports"
            wrk_post(base_url, body, seconds=3, connections=args.connections)
            results["baseline"] = wrk_post(base_url, body, seconds=args.seconds, connections=args.connections)
            print(f"  baseline (FastAPI + insert + send): {results['baseline'].line()}  [{load()}]")
        finally:
            baseline.stop()
    hash_after = hash_cost(PRODUCTION_HASH)

    hash_ms = min(hash_before, hash_after)
    ceiling = 1000 * cores / hash_ms
    production = results["production"].accepted_per_second
    print(
        f"  Argon2id t={PRODUCTION_HASH['time_cost']}, m={PRODUCTION_HASH['memory_kib']} KiB, p=1 per report: "
        f"{hash_before:.1f} ms CPU before, {hash_after:.1f} ms after -> ceiling {ceiling:.0f} reports/s on {cores} cores"
    )
    print(f"  production / ceiling: {ratio(production, ceiling)}  (target >= 0.85)")
    record_result(
        "intake, production hash",
        target=">= 0.85 x (cores / Argon2id CPU time per report)",
        measured=production,
        baseline=ceiling,
        unit="reports/s",
        met=production >= 0.85 * ceiling,
        note=f"{args.workers} workers, {args.seconds} s, {args.connections} connections; Argon2id {hash_ms:.1f} ms CPU per report",
    )
    base = results["baseline"].accepted_per_second
    without = {linger: results[f"no Argon2id, linger {linger} ms"].accepted_per_second for linger in lingers}
    for linger, value in without.items():
        print(f"  without the deliberate cost, linger {linger} ms: {value:.0f}/s, ratio to baseline {ratio(value, base)}  (target >= 0.5)")
    record_result(
        "intake without the deliberate cost",
        target="ratio >= 0.5 against bare FastAPI + one insert + one Kafka send (acks=all)",
        measured=without[lingers[0]],
        baseline=base,
        unit="reports/s",
        met=bool(base) and without[lingers[0]] >= 0.5 * base,
        note=f"{args.workers} workers, {args.seconds} s, {args.connections} connections, linger {lingers[0]} ms"
        + (f"; other lingers: {', '.join(f'{k} ms {v:.0f}/s' for k, v in without.items() if k != lingers[0])}" if len(lingers) > 1 else ""),
    )


if __name__ == "__main__":
    main()
