"""The per-client login throttle: growing delays, never a lockout; a success forgives one failure."""

from triage.staff.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_delays_grow_are_capped_and_belong_to_one_client():
    clock = Clock()
    throttle = LoginThrottle(free_failures=2, delay_seconds=1, max_delay_seconds=4, clock=clock)
    throttle.failed("127.0.0.2")
    throttle.failed("127.0.0.2")
    assert throttle.wait("127.0.0.2") == 0
    waits = []
    for _ in range(4):
        throttle.failed("127.0.0.2")
        waits.append(throttle.wait("127.0.0.2"))
    assert waits == [1, 2, 4, 4]  # doubling, never more than the cap
    assert throttle.wait("127.0.0.3") == 0
    clock.now += 4
    assert throttle.wait("127.0.0.2") == 0


def test_a_success_forgives_one_failure_only():
    throttle = LoginThrottle(free_failures=1, delay_seconds=1, max_delay_seconds=60, clock=Clock())
    for _ in range(3):
        throttle.failed("a")
    throttle.succeeded("a")
    throttle.failed("a")
    assert throttle.wait("a") == 2  # two of the three failures still count; a full reset would allow this one freely


def test_no_address_is_kept():
    throttle = LoginThrottle(free_failures=1, delay_seconds=1, max_delay_seconds=60, clock=Clock())
    throttle.failed("127.0.0.2")
    assert "127.0.0.2" not in repr(vars(throttle))
