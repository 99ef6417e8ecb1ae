"""Benchmark 5: resident memory of every process of the local stack, idle and under the intake load of benchmark 1.

    .venv/bin/python -m bench.footprint                    # 20 s idle, 30 s under load
    .venv/bin/python -m bench.footprint --seconds 10

Proportional set size (PSS) of each process with its children, sampled once a second; the figure under
load is the peak. PSS, not RSS: a page shared by n processes counts 1/n in each, so PostgreSQL's shared buffers
(mapped by each of its backends) and intake's forked workers' shared pages count once in the stack's total; the
sum of RSS counted them once per process (a PostgreSQL cluster of 12 processes showed 1.4 GiB under load).
Kafka runs with the heap the stack configures (-Xmx512m). Baseline in the same
run: a bare FastAPI process (`bench/footprint/bare.py`) on the same uvicorn command line,
idle and under the same load, so each service's figure reads as a multiple of an empty Python web process.
"""

import argparse
import json
import threading
import time

from bench.harness import load, local_stack, machine, process_tree_pss, record_result, uvicorn_argv, wrk_post
from bench.limits import TimeLimitExceeded, exit_on_timeout, time_limit
from bench.synthetic import REPORT
from devstack.processes import ManagedProcess, free_port, wait_for_port

TARGET_BYTES = 2 * 2**30
MIB = 2**20


class Sampler:
    """Samples the PSS of named processes every second in a thread, keeping the peak of each."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.peak = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> dict[str, int]:
        """The current PSS of each process."""
        return {name: process_tree_pss(pid) for name, pid in self.pids.items()}

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            sample = self.now()
            self.peak = {name: max(self.peak[name], value) for name, value in sample.items()}
            self._stop.wait(1)


def main() -> None:
    """Print each process's PSS idle and at peak under load, the totals, and the bare-FastAPI baseline."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle-seconds", type=int, default=20, help="settling time before the idle sample")
    parser.add_argument("--seconds", type=int, default=30, help="length of the load")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections, as in the intake benchmark")
    parser.add_argument("--timeout", type=float, help="stop and fail (exit 3) after this many seconds in all (default: the run's length + 300 s)")
    args = parser.parse_args()
    try:
        with time_limit(args.timeout or args.idle_seconds + args.seconds + 300, "bench.footprint"):
            run(args)
    except TimeLimitExceeded as error:
        exit_on_timeout(error)


def run(args: argparse.Namespace) -> None:
    """The idle and loaded samples, the printed table and the results.json entry."""
    body = json.dumps(REPORT).encode()
    print(f"# footprint  ({machine()})")
    with local_stack() as stack:
        pids = {"kafka": stack.kafka.process.pid, "smtp sink": stack.smtp.process.pid}
        pids.update({f"{name} database": server.process.pid for name, server in stack.databases.items()})
        # FerretDB's PostgreSQL cluster, shared by the three servers: the postmaster and its backends.
        pids.update({"postgresql": cluster.process.pid for cluster in {server.postgresql for server in stack.databases.values() if server.postgresql}})
        pids.update({name: process.pid for name, process in stack.services.items()})
        port = free_port()
        bare = ManagedProcess("baseline", uvicorn_argv("bench.footprint.bare:create_app", port), log_path=stack.root / "logs" / "baseline.log")
        bare.start()
        try:
            wait_for_port("127.0.0.1", port, 30, bare)
            pids["bare FastAPI (baseline)"] = bare.pid
            time.sleep(args.idle_seconds)
            sampler = Sampler(pids)
            idle = sampler.now()
            with sampler:
                accepted = wrk_post(f"{stack.url('intake')}/api/v1/reports", body, seconds=args.seconds, connections=args.connections)
            print(f"  load: {accepted.line()}  [{load()}]")
            wrk_post(f"http://127.0.0.1:{port}/api/v1/reports", body, seconds=5, connections=args.connections)
            bare_loaded = process_tree_pss(bare.pid)
        finally:
            bare.stop()
    bare_idle = idle.pop("bare FastAPI (baseline)")
    sampler.peak.pop("bare FastAPI (baseline)")
    print(f"  {'process':24s} {'idle MiB':>9s} {'load MiB':>9s} {'idle / bare':>12s}")
    for name, value in idle.items():
        print(f"  {name:24s} {value / MIB:9.0f} {sampler.peak[name] / MIB:9.0f} {value / bare_idle:11.1f}x")
    stack_peak = sum(sampler.peak.values())
    print(f"  {'bare FastAPI (baseline)':24s} {bare_idle / MIB:9.0f} {bare_loaded / MIB:9.0f} {1:11.1f}x")
    print(f"  {'total (stack)':24s} {sum(idle.values()) / MIB:9.0f} {stack_peak / MIB:9.0f}   target <= {TARGET_BYTES / MIB:.0f} MiB "
          f"({'met' if stack_peak <= TARGET_BYTES else 'NOT met'}, sum of per-process peaks)")
    record_result(
        "footprint",
        target="≤ 2048 MiB for the whole stack",
        measured=stack_peak / MIB, baseline=bare_loaded / MIB, unit="MiB", met=stack_peak <= TARGET_BYTES,
        note=f"PSS; sum of per-process peaks under {args.seconds} s of intake load ({sum(idle.values()) / MIB:.0f} MiB idle); "
        f"baseline: one bare FastAPI process under the same load, so the ratio reads as a multiple of it",
    )  # fmt: skip


if __name__ == "__main__":
    main()
