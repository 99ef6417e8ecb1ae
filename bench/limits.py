"""A wall-clock bound for a whole benchmark run, so a stuck run fails cleanly instead of hanging the machine."""

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager


class TimeLimitExceeded(Exception):
    """The benchmark ran past its --timeout."""


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Raise TimeLimitExceeded in the main thread after `seconds`; the stack's own `finally` still stops every process."""

    def expire(signum: int, frame: object) -> None:
        raise TimeLimitExceeded(f"{what} took longer than --timeout {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def exit_on_timeout(error: TimeLimitExceeded) -> None:
    """End the run with exit status 3 and one line saying which bound was hit; no figure is recorded."""
    print(f"TIMED OUT: {error}", file=sys.stderr)
    sys.exit(3)
