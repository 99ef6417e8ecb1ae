"""What every benchmark shares: a stack of its own on free ports, wrk runs, percentiles and the machine line.

Benchmarks run as modules from the repository root (`.venv/bin/python -m bench.intake`), so
`bench` is a namespace package and this module is `bench.harness`.
"""

import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil

from devstack.probes import eventually
from devstack.processes import free_port
from devstack.stack import LocalStack, Ports

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "post_json.lua"
RESULTS_JSON = Path(__file__).resolve().parent / "results.json"


def machine() -> str:
    """Date, CPU, cores, memory and the current load, for the first line of every result."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    memory = psutil.virtual_memory().total / 2**30
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, {load()}"


def load() -> str:
    """The 1/5/15-minute load averages, printed beside each figure because the machine may be shared."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}/{fifteen:.2f}"


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(share / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def ratio(value: float, baseline: float) -> str:
    """value/baseline as text, guarding against an empty baseline."""
    return f"{value / baseline:.2f}" if baseline else "n/a"


def record_result(
    name: str, *, target: str, measured: float, baseline: float | None, unit: str, met: bool, ratio: float | None = None, note: str = ""
) -> dict:
    """Write one benchmark figure to bench/results.json (replacing an earlier figure of the same name) and return it.

    `ratio` defaults to measured/baseline; `target` is the issue's target as text ("p99 < 200 ms").
    The file is what tools read; RESULTS.md explains the figures.
    """
    entry = {
        "name": name,
        "target": target,
        "measured": round(measured, 3),
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": round(ratio if ratio is not None else measured / baseline, 4) if (ratio is not None or baseline) else None,
        "unit": unit,
        "met": bool(met),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "load": load(),
        "note": note,
    }
    entries = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else []
    entries = [e for e in entries if e["name"] != name] + [entry]
    RESULTS_JSON.write_text(json.dumps(sorted(entries, key=lambda e: e["name"]), indent=2, ensure_ascii=False) + "\n")
    print(f"results.json: {name}: {entry['measured']} {unit} (target {target}, baseline {entry['baseline']}, ratio {entry['ratio']}) met={entry['met']}")
    return entry


def _commit() -> str:
    """The checked-out commit, with '+changes' when the tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+changes" if dirty else head


@contextmanager
def local_stack(*, services: Sequence[str] = ("intake", "triage", "notify"), env: dict[str, dict[str, str]] | None = None) -> Iterator[LocalStack]:
    """Kafka, the database, the SMTP sink and the named services, on free ports in a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="meldestelle-bench-"))
    ports = Ports(**{name: free_port() for name in Ports.__dataclass_fields__})
    stack = LocalStack(folder, ports, mongodb_uri=os.environ.get("MONGODB_URI"), topic_prefix="bench", database_prefix="bench_")
    # Every benchmark report comes from 127.0.0.1: lift the per-client report limit, which is not what is measured.
    stack.services["intake"].env["INTAKE_REPORT_MAX_PER_WINDOW"] = "1000000"
    for name, extra in (env or {}).items():
        stack.services[name].env.update(extra)
    try:
        stack.start_infrastructure()
        for name in services:
            start_service(stack, name)
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)


def start_service(stack: LocalStack, name: str, timeout: float = 90) -> None:
    """Start one service of the stack and wait until its /readyz answers 200."""
    stack.services[name].start()
    eventually(lambda: is_ready(stack.url(name)), timeout=timeout, interval=0.2, what=f"{name} to be ready")


def is_ready(url: str) -> bool:
    """Whether a service answers its readiness check."""
    try:
        return httpx.get(f"{url}/readyz", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: accepted requests per second and latency percentiles in milliseconds.

    wrk counts non-2xx answers among its requests; socket errors (resets, timeouts) apart.
    """

    requests: int
    failed: int
    socket_errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def accepted_per_second(self) -> float:
        """Requests answered 2xx per second."""
        return (self.requests - self.failed) / self.seconds

    def line(self) -> str:
        """A one-line summary."""
        return (
            f"{self.accepted_per_second:8.1f} accepted/s  p50 {self.p50_ms:7.1f} ms  p99 {self.p99_ms:7.1f} ms  "
            f"max {self.max_ms:7.1f} ms  ({self.requests} requests, {self.failed} not 2xx, {self.socket_errors} socket errors, {self.seconds:.0f} s)"
        )


def wrk_post(url: str, body: bytes, *, seconds: int, connections: int) -> WrkResult:
    """POST `body` as JSON to `url` with wrk for `seconds` over `connections` keep-alive connections."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (Debian's package)")
    with tempfile.NamedTemporaryFile(suffix=".json") as file:
        file.write(body)
        file.flush()
        result = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(WRK_SCRIPT), url],
            env={**os.environ, "BENCH_BODY_FILE": file.name},
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
    summary = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("{")))
    return WrkResult(
        requests=summary["requests"],
        failed=summary["status_errors"],
        socket_errors=summary["socket_errors"],
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        max_ms=summary["max_us"] / 1000,
    )


def process_tree_pss(pid: int) -> int:
    """Proportional set size of a process and all its descendants: a page shared by n processes counts 1/n in each,
    so shared memory (PostgreSQL's shared buffers, forked workers' copy-on-write pages) is counted once in the sum."""
    try:
        tree = [psutil.Process(pid)]
        tree += tree[0].children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in tree:
        with contextlib.suppress(psutil.NoSuchProcess):  # a backend may end between the listing and the read
            total += process.memory_full_info().pss
    return total


def uvicorn_argv(app: str, port: int, *extra: str) -> list[str]:
    """The server command line the local stack uses for a service, for another app (a baseline)."""
    return [
        sys.executable, "-m", "uvicorn", app, "--factory", "--app-dir", str(ROOT),
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--timeout-graceful-shutdown", "8", *extra,
    ]  # fmt: skip


def wait_until(probe, *, timeout: float, interval: float = 0.5, what: str):
    """`eventually` with a longer default interval, for benchmarks that wait minutes."""
    return eventually(probe, timeout=timeout, interval=interval, what=what)

