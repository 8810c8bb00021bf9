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
    assert throttle.attempt("192.0.2.1", "someone else").blocked  # the address
    assert throttle.attempt("198.51.100.7", "taro").blocked  # the login
    assert not throttle.attempt("198.51.100.7", "hanako").blocked
    clock.now += 1  # refused attempts did not extend the block
    after = throttle.attempt("192.0.2.1", "taro")
    assert not after.blocked and after.address_failures == 1 and after.login_failures == 1


def test_throttle_success_forgives_only_that_login_from_that_address():
    clock = Clock()
    throttle = AuthThrottle(AuthLimits(max_failures=3), clock)
    throttle.attempt("192.0.2.1", "taro")
    throttle.attempt("192.0.2.1", "hanako")  # another login from the same address
    throttle.attempt("198.51.100.7", "taro")  # the same login from elsewhere
    throttle.attempt("192.0.2.1", "taro")  # counted before the check ...
    throttle.succeeded("192.0.2.1", "taro")  # ... which succeeded
    again = throttle.attempt("192.0.2.1", "taro")
    assert (again.address_failures, again.login_failures) == (2, 2)
    assert not again.blocked


def test_throttle_memory_is_bounded_and_a_flood_forgets_no_block():
    clock = Clock()
    throttle = AuthThrottle(AuthLimits(max_keys=100, max_failures=3, block=600), clock)
    for _ in range(3):
        throttle.attempt("192.0.2.1", "taro")  # the guesser's address and the victim
    assert throttle.attempt("192.0.2.1", "taro").blocked
    # A flood of fresh addresses and logins: refused once the table is full, never by
    # pushing the block out (on a152f7c the oldest keys went first, blocks included).
    flood = [throttle.attempt(f"10.0.{i // 250}.{i % 250}", f"user{i}") for i in range(1000)]
    assert len(throttle) <= 100
    assert any(a.full and a.blocked for a in flood)
    assert throttle.attempt("192.0.2.1", "taro").blocked
    assert throttle.attempt("198.51.100.9", "taro").blocked  # the login, from elsewhere
    clock.now += 601  # everything aged out
    assert not throttle.attempt("10.9.9.9", "newcomer").blocked  # room again


def test_refused_attempts_add_no_entries():
    clock = Clock()
    throttle = AuthThrottle(AuthLimits(max_failures=2, block=600), clock)
    throttle.attempt("192.0.2.1", "a")
    throttle.attempt("192.0.2.1", "b")
    size = len(throttle)
    for i in range(50):
        assert throttle.attempt("192.0.2.1", f"other{i}").blocked
    assert len(throttle) == size


def test_a_blocked_login_stays_open_at_its_usual_address():
    clock = Clock()
    throttle = AuthThrottle(AuthLimits(max_failures=3, block=600), clock)
    throttle.attempt("192.0.2.10", "taro")
    throttle.succeeded("192.0.2.10", "taro")  # the user's own address
    for i in range(3):
        throttle.attempt(f"203.0.113.{i}", "taro")  # guesses from elsewhere block the login
    assert throttle.attempt("198.51.100.1", "taro").blocked
    assert not throttle.attempt("192.0.2.10", "taro").blocked


def test_ipv6_clients_are_counted_per_64():
    clock = Clock()
    throttle = AuthThrottle(AuthLimits(max_failures=3, block=600), clock)
    for i in range(3):
        throttle.attempt(f"2001:db8:1:2::{i + 1}", f"user{i}")
    assert throttle.attempt("2001:db8:1:2:ffff::9", "someone").blocked
    assert not throttle.attempt("2001:db8:1:3::1", "someone").blocked
