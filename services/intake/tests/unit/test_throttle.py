"""Receipt guessing is slowed per client and locked out after too many failures; right receipts forgive only
themselves; every attempt counts toward a per-client cap; the global brake slows, never refuses."""

from intake.followup.throttle import Admission, ReceiptThrottle
from intake.reports.throttle import SubmissionThrottle
from intake.throttling import MemoryThrottleStore, RefusalReason


class Clock:
    def __init__(self) -> None:
        self.now = 3600.0 * 1000

    def __call__(self) -> float:
        return self.now


def throttle(clock: Clock, store: MemoryThrottleStore | None = None, **overrides) -> ReceiptThrottle:
    settings = dict(
        free_failures=3,
        max_failures=6,
        max_attempts=50,
        delay_seconds=2.0,
        window_seconds=3600,
        global_failures_per_minute=100,
        global_max_delay=30.0,
    )
    return ReceiptThrottle(store=store or MemoryThrottleStore(), **(settings | overrides), clock=clock)


async def guess(limiter: ReceiptThrottle, address: str):
    admission = await limiter.attempt(address)
    if isinstance(admission, Admission):
        await limiter.failed(admission)
    return admission


async def check(limiter: ReceiptThrottle, address: str):
    admission = await limiter.attempt(address)
    if isinstance(admission, Admission):
        await limiter.forgive(admission)
    return admission


async def test_free_attempts_then_a_doubling_wait():
    clock = Clock()
    limiter = throttle(clock)
    assert all([isinstance(await guess(limiter, "203.0.113.5"), Admission) for _ in range(3)])
    refusal = await guess(limiter, "203.0.113.5")
    assert refusal.reason is RefusalReason.SLOW_DOWN and refusal.retry_after == 2
    clock.now += 2
    assert isinstance(await guess(limiter, "203.0.113.5"), Admission)
    assert (await guess(limiter, "203.0.113.5")).retry_after == 4  # the wait doubles
    assert isinstance(await guess(limiter, "198.51.100.7"), Admission)  # other clients are not affected


async def test_a_right_receipt_forgives_only_its_own_attempt():
    clock = Clock()
    limiter = throttle(clock)
    for _ in range(3):
        await guess(limiter, "203.0.113.5")
    clock.now += 2
    assert isinstance(await check(limiter, "203.0.113.5"), Admission)
    refusal = await check(limiter, "203.0.113.5")  # the three failures still count
    assert refusal.reason is RefusalReason.SLOW_DOWN


async def test_guesses_between_right_receipts_are_locked_out_all_the_same():
    clock = Clock()
    limiter = throttle(clock, delay_seconds=0.001)
    guesses = 0
    for _ in range(40):
        clock.now += 1
        if isinstance(await guess(limiter, "203.0.113.5"), Admission):
            guesses += 1
        clock.now += 1
        await check(limiter, "203.0.113.5")
    assert guesses == 6


async def test_every_attempt_counts_toward_the_clients_cap():
    clock = Clock()
    limiter = throttle(clock, max_attempts=5)
    for _ in range(5):
        assert isinstance(await check(limiter, "203.0.113.5"), Admission)
    refusal = await check(limiter, "203.0.113.5")
    assert refusal.reason is RefusalReason.TOO_MANY and 0 < refusal.retry_after <= 3600
    assert isinstance(await check(limiter, "198.51.100.7"), Admission)


async def test_lockout_lasts_until_the_window_ends():
    clock = Clock()
    limiter = throttle(clock, delay_seconds=0.001)
    for _ in range(6):
        assert isinstance(await guess(limiter, "203.0.113.5"), Admission)
        clock.now += 1
    refusal = await guess(limiter, "203.0.113.5")
    assert refusal.reason is RefusalReason.LOCKED_OUT and 0 < refusal.retry_after <= 3600
    clock.now += 3600  # a new window: new salt, nothing remembered
    assert isinstance(await guess(limiter, "203.0.113.5"), Admission)


async def test_global_brake_counts_only_failures_and_slows_without_refusing():
    clock = Clock()
    limiter = throttle(clock, global_failures_per_minute=5, global_max_delay=100.0)
    for _ in range(20):
        assert (await check(limiter, "198.51.100.1")).delay == 0  # right receipts do not wear the ceiling down
    for n in range(8):
        await guess(limiter, f"203.0.113.{n}")
    admission = await check(limiter, "198.51.100.2")
    assert isinstance(admission, Admission) and admission.delay == 3 * 60 / 5  # three failures over the ceiling
    for n in range(100):
        await guess(limiter, f"192.0.2.{n}")
    assert (await check(limiter, "198.51.100.2")).delay == 100.0  # grows up to its limit, never a refusal
    clock.now += 60
    assert (await check(limiter, "198.51.100.2")).delay == 0


async def test_addresses_are_never_kept():
    store = MemoryThrottleStore()
    limiter = throttle(Clock(), store)
    await guess(limiter, "203.0.113.5")
    assert "203.0.113.5" not in repr(vars(store)) and b"203.0.113.5" not in repr(vars(store)).encode()


async def test_reports_are_limited_per_client_and_window():
    clock = Clock()
    limiter = SubmissionThrottle(store=MemoryThrottleStore(), max_reports=2, window_seconds=3600, clock=clock)
    assert [await limiter.attempt("203.0.113.5") for _ in range(2)] == [None, None]
    refusal = await limiter.attempt("203.0.113.5")
    assert refusal.reason is RefusalReason.TOO_MANY and refusal.retry_after == 3600
    assert await limiter.attempt("198.51.100.7") is None
    clock.now += 3600
    assert await limiter.attempt("203.0.113.5") is None
