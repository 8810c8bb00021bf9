"""AuthThrottle alone (issue 11, password guessing), with a clock the test moves."""
from __future__ import annotations

from proxy.auth_throttle import AuthLimits, AuthThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_delays_grow_then_block_then_forget():
    clock = Clock()
    throttle = AuthThrottle(AuthLimits(max_failures=6, block=600, max_delay=4), clock)
    attempts = [throttle.attempt("192.0.2.1", "taro") for _ in range(6)]
    assert [a.delay for a in attempts] == [0, 0, 1, 2, 4, 4]
    assert not any(a.blocked for a in attempts)
    clock.now += 599
    assert throttle.attempt("192.0.2.1", "someone else").blocked        # the address
    assert throttle.attempt("198.51.100.7", "taro").blocked             # the login
    assert not throttle.attempt("198.51.100.7", "hanako").blocked
    clock.now += 1   # refused attempts did not extend the block
    after = throttle.attempt("192.0.2.1", "taro")
    assert not after.blocked and after.address_failures == 1 and after.login_failures == 1


def test_throttle_success_forgives_only_that_login_from_that_address():
    clock = Clock()
    throttle = AuthThrottle(AuthLimits(max_failures=3), clock)
    throttle.attempt("192.0.2.1", "taro")
    throttle.attempt("192.0.2.1", "hanako")         # another login from the same address
    throttle.attempt("198.51.100.7", "taro")        # the same login from elsewhere
    throttle.attempt("192.0.2.1", "taro")           # counted before the check ...
    throttle.succeeded("192.0.2.1", "taro")         # ... which succeeded
    again = throttle.attempt("192.0.2.1", "taro")
    assert (again.address_failures, again.login_failures) == (2, 2)
    assert not again.blocked


def test_throttle_memory_is_bounded():
    clock = Clock()
    throttle = AuthThrottle(AuthLimits(max_keys=100), clock)
    for i in range(1000):
        throttle.attempt(f"10.0.{i // 250}.{i % 250}", f"user{i}")
    assert len(throttle) == 100
