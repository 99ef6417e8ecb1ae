"""Sampling profiles of a running service with py-spy, summarised as the functions that burn the most CPU."""

import collections
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROFILES = Path(__file__).resolve().parent.parent / "var" / "bench-profiles"


@contextmanager
def py_spy(pid: int, name: str, *, seconds: int) -> Iterator[None]:
    """Sample `pid` (all threads, on-CPU only) while the block runs; print the top functions afterwards."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    PROFILES.mkdir(parents=True, exist_ok=True)
    raw = PROFILES / f"{name}.txt"
    process = subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "100", "--format", "raw", "--output", str(raw), "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        try:
            process.wait(timeout=seconds + 30)
        except subprocess.TimeoutExpired:  # a starved machine: ask py-spy to write what it has, then give up on it
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    if raw.exists():
        print(summarise(raw))
        print(f"  collapsed stacks: {raw} (feed to flamegraph.pl or speedscope)")


def summarise(raw: Path, top: int = 12) -> str:
    """The functions with the most samples, inclusive (anywhere on the stack) and by own time (on top)."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [_short(frame) for frame in stack.split(";")]
        samples = int(count)
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    if not total:
        return "  (no samples)"
    lines = [f"  profile: {total} on-CPU samples"]
    lines += ["  own time:"] + [f"    {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    lines += ["  inclusive (project code):"] + [
        f"    {100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common() if _is_project(f)
    ][:top]
    return "\n".join(lines)


def stage_shares(raw: Path, stages: dict[str, tuple[str, ...]]) -> str:
    """The share of on-CPU samples spent in each named stage: a stage counts a stack when any of its function names is on it."""
    if not raw.exists():
        return "  (no profile)"
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        names = {frame.partition(" (")[0] for frame in stack.split(";")}
        total += int(count)
        for stage, functions in stages.items():
            if any(name in names for name in functions):
                counts[stage] += int(count)
    if not total:
        return "  (no samples)"
    lines = [f"  time per stage ({total} on-CPU samples of the whole process; stages may overlap):"]
    lines += [f"    {100 * counts[stage] / total:5.1f}%  {stage}" for stage in stages]
    return "\n".join(lines)


def _short(frame: str) -> str:
    """`func (path/to/file.py:12)` shortened to `func (file.py)`, so lines of one function add up."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    parts = Path(path).parts
    tail = "/".join(parts[-2:]) if parts else path
    return f"{name} ({tail})"


def _is_project(frame: str) -> bool:
    return any(f"{package}/" in frame for package in ("intake", "triage", "notify", "meldestelle_shared", "cases", "reports", "followup"))
