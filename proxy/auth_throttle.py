"""How often a client address or a login may fail AUTH: growing delays, then a block.

Postfix leaves this to anvil and fail2ban and Dovecot to its auth_penalty; the guard keeps it
in memory, per process, so that a password guesser is slowed and then refused without any
other moving part. Every attempt is counted before its password is checked, so guesses sent
in parallel on many connections are counted as they arrive, not as they finish.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True, kw_only=True)
class AuthLimits:
    """The `smtp.auth_*` settings, and the shape of the delays."""
    per_connection: int = 3       # failures, then 421 and the connection is closed
    max_failures: int = 10        # failures of one address or one login, then a block
    block: float = 900.0          # seconds a block lasts; failures older than this are forgotten
    delay_after: int = 2          # failures answered at once before the delays begin
    first_delay: float = 1.0      # seconds, doubling with each further failure ...
    max_delay: float = 16.0       # ... up to this
    max_keys: int = 10_000        # addresses and logins remembered; the oldest go first


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """What the throttle says about one AUTH attempt, counted as a failure until it succeeds."""
    blocked: bool                 # refuse without checking the password
    delay: float                  # seconds to wait before answering, should it fail
    address_failures: int
    login_failures: int


class _Entry:
    __slots__ = ("failures", "last", "blocked_until")

    def __init__(self) -> None:
        self.failures, self.last, self.blocked_until = 0, 0.0, 0.0


class AuthThrottle:
    def __init__(self, limits: AuthLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def attempt(self, address: str, login: str) -> Attempt:
        """Count an attempt of `login` from `address`, before its password is checked."""
        now = self.clock()
        by_address, by_login = self._entry("a:" + address, now), self._entry("l:" + login, now)
        if by_address.blocked_until > now or by_login.blocked_until > now:
            # Refused attempts are not counted: a block ends when it was due to end, so a
            # guesser cannot keep a real user's login locked by knocking on it.
            return Attempt(blocked=True, delay=0.0, address_failures=by_address.failures,
                           login_failures=by_login.failures)
        for entry in (by_address, by_login, self._entry(_pair(address, login), now)):
            entry.failures += 1
            entry.last = now
            if entry.failures >= self.limits.max_failures:
                entry.blocked_until = now + self.limits.block
        return Attempt(blocked=False, delay=self._delay(max(by_address.failures, by_login.failures)),
                       address_failures=by_address.failures, login_failures=by_login.failures)

    def succeeded(self, address: str, login: str) -> None:
        """The password was right: the failures of this login from this address (the user's
        own typos, and this attempt) are forgiven; failures of other logins from here, or of
        this login from elsewhere, still count: a guesser's own valid account, or the real
        user logging in, must not wipe them."""
        pair = self._entries.pop(_pair(address, login), None)
        if pair is None:
            return
        for key in ("a:" + address, "l:" + login):
            entry = self._entries.get(key)
            if entry is not None:
                entry.failures = max(0, entry.failures - pair.failures)
                if entry.failures < self.limits.max_failures:
                    entry.blocked_until = 0.0

    def _delay(self, failures: int) -> float:
        extra = failures - self.limits.delay_after
        if extra <= 0:
            return 0.0
        return min(self.limits.first_delay * 2 ** min(extra - 1, 30), self.limits.max_delay)

    def _entry(self, key: str, now: float) -> _Entry:
        entry = self._entries.get(key)
        if entry is not None and entry.blocked_until <= now and now - entry.last >= self.limits.block:
            entry = None   # a quiet period, or a block that ended: forgotten
        if entry is None:
            entry = self._entries[key] = _Entry()
        self._entries.move_to_end(key)
        while len(self._entries) > self.limits.max_keys:
            self._entries.popitem(last=False)
        return entry

    def __len__(self) -> int:
        return len(self._entries)


def _pair(address: str, login: str) -> str:
    return f"p:{address}\0{login}"
