"""Benchmark 1: intake's sustained accepted reports per second and p50/p99 latency, against a bare FastAPI baseline.

    .venv/bin/python -m bench.intake                       # 30 s per run, 16 connections
    .venv/bin/python -m bench.intake --seconds 10 --profile
    .venv/bin/python -m bench.intake --server-args="--workers 2"   # the same flags for intake and baseline

Runs, one after the other on the same machine and stack: intake with production settings (real
Kafka with acks=all, FerretDB, sealing, Argon2id t=2 m=19 MiB), intake with the cheapest receipt
hash its settings allow, intake without the deliberate cost (Argon2id swapped for BLAKE2b by
`without_argon2/sitecustomize.py`, bench only), and the baseline on the same uvicorn command line.
Load: wrk, one thread, keep-alive connections, POSTing one report body.
"""

import argparse
import json
import os
import shlex
import time
from contextlib import nullcontext
from pathlib import Path

from bench.harness import load, local_stack, machine, ratio, start_service, uvicorn_argv, wrk_post
from bench.profiling import py_spy
from bench.synthetic import REPORT
from devstack.processes import ManagedProcess, free_port, wait_for_port
from intake.receipts import ReceiptHasher, new_receipt

PRODUCTION_HASH = {"time_cost": 2, "memory_kib": 19456}
CHEAPEST_HASH = {"time_cost": 1, "memory_kib": 8192}  # the lowest the settings accept
WITHOUT_ARGON2 = Path(__file__).parent / "without_argon2"


def hash_cost(params: dict[str, int], rounds: int = 20) -> float:
    """Milliseconds of the one Argon2id run a report costs (receipt hash and reporter key), alone on one core."""
    hasher = ReceiptHasher("bench-pepper-0123456789", **params)
    receipts = [new_receipt() for _ in range(rounds)]
    started = time.perf_counter()
    for receipt in receipts:
        hasher.derive(receipt)
    return 1000 * (time.perf_counter() - started) / rounds


def main() -> None:
    """Measure intake, the cheap-hash variant and the baseline; print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30, help="length of each measured run")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--server-args", default="", help="extra uvicorn flags, applied to intake and baseline alike")
    parser.add_argument("--intake-src", help="a folder put first on intake's PYTHONPATH, to measure a changed copy of intake")
    parser.add_argument("--profile", action="store_true", help="sample intake with py-spy during both intake runs")
    args = parser.parse_args()
    extra = shlex.split(args.server_args)
    body = json.dumps(REPORT).encode()
    print(f"# intake throughput  ({machine()})")
    print(f"  load: wrk -t1 -c{args.connections} -d{args.seconds}s, POST /api/v1/reports, {len(body)}-byte body; server flags: {extra or 'stack defaults'}")

    hash_ms = hash_cost(PRODUCTION_HASH)
    cores = os.cpu_count() or 1
    print(
        f"  receipt cost per report (Argon2id t={PRODUCTION_HASH['time_cost']}, m={PRODUCTION_HASH['memory_kib']} KiB, p=1; "
        f"one run gives the receipt hash and the reporter key): {hash_ms:.1f} ms CPU -> ceiling {1000 * cores / hash_ms:.0f} reports/s on {cores} cores"
    )
    results = {}
    with local_stack(services=()) as stack:
        intake = stack.services["intake"]
        intake.argv += extra
        source_path = [args.intake_src] if args.intake_src else []
        url = f"{stack.url('intake')}/api/v1/reports"
        variants = (("production", PRODUCTION_HASH, []), ("cheapest hash", CHEAPEST_HASH, []), ("no Argon2id", CHEAPEST_HASH, [str(WITHOUT_ARGON2)]))
        for variant, params, shim in variants:
            intake.env.pop("PYTHONPATH", None)
            if source_path + shim:
                intake.env["PYTHONPATH"] = os.pathsep.join(source_path + shim)
            intake.env.update(INTAKE_RECEIPT_HASH_TIME_COST=str(params["time_cost"]), INTAKE_RECEIPT_HASH_MEMORY_KIB=str(params["memory_kib"]))
            start_service(stack, "intake")
            wrk_post(url, body, seconds=3, connections=args.connections)  # warm-up: connections, topic metadata, first-use imports
            profile = py_spy(intake.pid, f"intake-{variant.replace(' ', '-')}", seconds=args.seconds) if args.profile else nullcontext()
            with profile:
                results[variant] = wrk_post(url, body, seconds=args.seconds, connections=args.connections)
            print(f"  intake ({variant:13s}): {results[variant].line()}  [{load()}]")
            intake.stop()

        port = free_port()
        baseline = ManagedProcess("baseline", uvicorn_argv("bench.intake.baseline:create_app", port, *extra), log_path=stack.root / "logs" / "baseline.log")
        baseline.start()
        try:
            wait_for_port("127.0.0.1", port, 30, baseline)
            base_url = f"http://127.0.0.1:{port}/api/v1/reports"
            wrk_post(base_url, body, seconds=3, connections=args.connections)
            results["baseline"] = wrk_post(base_url, body, seconds=args.seconds, connections=args.connections)
            print(f"  baseline (bare FastAPI): {results['baseline'].line()}  [{load()}]")
        finally:
            baseline.stop()

    base = results["baseline"].accepted_per_second
    print(f"  ratio intake/baseline: production {ratio(results['production'].accepted_per_second, base)}, "
          f"cheapest hash {ratio(results['cheapest hash'].accepted_per_second, base)}, "
          f"without the deliberate cost {ratio(results['no Argon2id'].accepted_per_second, base)}  (target >= 0.5)")


if __name__ == "__main__":
    main()
