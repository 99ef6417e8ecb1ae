"""Receipt guessing is slowed per client, locked out after too many failures, and capped globally."""

from intake.followup.throttle import ReceiptThrottle, RefusalReason


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def throttle(clock: Clock, **overrides) -> ReceiptThrottle:
    settings = dict(free_failures=3, max_failures=6, delay_seconds=2.0, window_seconds=3600, global_per_minute=100)
    return ReceiptThrottle(**(settings | overrides), clock=clock)


def test_free_attempts_then_a_doubling_wait():
    clock = Clock()
    limiter = throttle(clock)
    assert [limiter.attempt("203.0.113.5") for _ in range(3)] == [None, None, None]
    refusal = limiter.attempt("203.0.113.5")
    assert refusal.reason is RefusalReason.SLOW_DOWN and refusal.retry_after == 2
    clock.now += 2
    assert limiter.attempt("203.0.113.5") is None
    assert limiter.attempt("203.0.113.5").retry_after == 4  # the wait doubles
    assert limiter.attempt("198.51.100.7") is None  # other clients are not affected


def test_success_forgets_the_failures():
    clock = Clock()
    limiter = throttle(clock)
    for _ in range(3):
        limiter.attempt("203.0.113.5")
    limiter.succeeded("203.0.113.5")
    assert limiter.attempt("203.0.113.5") is None


def test_lockout_lasts_until_the_window_ends():
    clock = Clock()
    limiter = throttle(clock, delay_seconds=0.001)
    for _ in range(6):
        assert limiter.attempt("203.0.113.5") is None
        clock.now += 1
    refusal = limiter.attempt("203.0.113.5")
    assert refusal.reason is RefusalReason.LOCKED_OUT and 3000 < refusal.retry_after <= 3600
    clock.now += 3600  # a new window: new salt, nothing remembered
    assert limiter.attempt("203.0.113.5") is None


def test_global_ceiling_applies_to_everyone():
    clock = Clock()
    limiter = throttle(clock, global_per_minute=5)
    for n in range(5):
        assert limiter.attempt(f"203.0.113.{n}") is None
    refusal = limiter.attempt("198.51.100.1")
    assert refusal.reason is RefusalReason.BUSY and refusal.retry_after == 60
    clock.now += 60
    assert limiter.attempt("198.51.100.1") is None


def test_addresses_are_never_kept():
    limiter = throttle(Clock())
    limiter.attempt("203.0.113.5")
    assert "203.0.113.5" not in repr(vars(limiter)) and b"203.0.113.5" not in b"".join(limiter._clients)
