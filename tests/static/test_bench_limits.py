"""Every benchmark is bounded: past its --timeout it stops with exit status 3 and says which bound it hit."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_a_run_past_its_bound_exits_3_within_the_bound():
    script = (
        "import time\n"
        "from bench.limits import TimeLimitExceeded, exit_on_timeout, time_limit\n"
        "try:\n"
        "    with time_limit(0.5, 'bench.sleepy'):\n"
        "        time.sleep(30)\n"
        "except TimeLimitExceeded as error:\n"
        "    exit_on_timeout(error)\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert "TIMED OUT: bench.sleepy took longer than --timeout 0.5 s" in done.stderr
    assert time.monotonic() - started < 20


def test_a_run_within_its_bound_is_left_alone_and_the_alarm_is_cleared():
    limits = pytest.importorskip("bench.limits")
    previous = signal.getsignal(signal.SIGALRM)
    with limits.time_limit(5, "bench.quick"):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == previous
