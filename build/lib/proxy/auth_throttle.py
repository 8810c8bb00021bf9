"""How often a client address or a login may fail AUTH: growing delays, then a block.

Postfix leaves this to anvil and fail2ban and Dovecot to its auth_penalty; the guard keeps it
in memory, per process, so that a password guesser is slowed and then refused without any
other moving part. Every attempt is counted before its password is checked, so guesses sent
in parallel on many connections are counted as they arrive, not as they finish.

Memory is bounded without forgetting what matters: only entries whose failures have aged out
are dropped to make room, a refused attempt adds no entry, and when the table is full of live
entries a new address or login is refused (454) rather than a block forgotten. IPv6 clients
are counted per /64, the block an end user is usually given. An address from which a login
succeeded within `known_for` is not refused because of that login's block (only because of
its own): guesses from elsewhere cannot keep a user out at his usual address.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class AuthLimits:
    """The `smtp.auth_*` settings, and the shape of the delays."""

    per_connection: int = 3  # failures, then 421 and the connection is closed
    max_failures: int = 10  # failures of one address or one login, then a block
    block: float = 900.0  # seconds a block lasts; failures older than this are forgotten
    delay_after: int = 2  # failures answered at once before the delays begin
    first_delay: float = 1.0  # seconds, doubling with each further failure ...
    max_delay: float = 16.0  # ... up to this
    max_keys: int = 100_000  # addresses and logins remembered (about 20 MB at most)
    known_for: float = 30 * 86400.0  # a success makes the address known for the login this long


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """What the throttle says about one AUTH attempt, counted as a failure until it succeeds."""

    blocked: bool  # refuse without checking the password
    full: bool = False  # refused because the table is full of live entries
    delay: float  # seconds to wait before answering, should it fail
    address_failures: int
    login_failures: int


class _Entry:
    __slots__ = ("blocked_until", "failures", "last")

    def __init__(self) -> None:
        self.failures, self.last, self.blocked_until = 0, 0.0, 0.0


class AuthThrottle:
    def __init__(self, limits: AuthLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._known_pairs: OrderedDict[str, float] = OrderedDict()  # pair -> last success

    def attempt(self, address: str, login: str) -> Attempt:
        """Count an attempt of `login` from `address`, before its password is checked."""
        now, address = self.clock(), _client(address)
        keys = ("a:" + address, "l:" + login, _pair(address, login))
        by_address, by_login = self._live(keys[0], now), self._live(keys[1], now)
        login_blocked = (
            by_login is not None and by_login.blocked_until > now and not self._known(address, login, now)
        )
        if (by_address is not None and by_address.blocked_until > now) or login_blocked:
            # Refused attempts are not counted and add no entry: a block ends when it was due
            # to end, and knocking cannot push other entries out.
            return Attempt(
                blocked=True,
                delay=0.0,
                address_failures=_failures(by_address),
                login_failures=_failures(by_login),
            )
        entries = [entry for key in keys if (entry := self._entry(key, now)) is not None]
        if len(entries) < len(keys):
            return Attempt(
                blocked=True,
                full=True,
                delay=0.0,
                address_failures=_failures(by_address),
                login_failures=_failures(by_login),
            )
        for entry in entries:
            entry.failures += 1
            entry.last = now
            if entry.failures >= self.limits.max_failures:
                entry.blocked_until = now + self.limits.block
        by_address, by_login = entries[0], entries[1]
        return Attempt(
            blocked=False,
            delay=self._delay(max(by_address.failures, by_login.failures)),
            address_failures=by_address.failures,
            login_failures=by_login.failures,
        )

    def succeeded(self, address: str, login: str) -> None:
        """The password was right: the failures of this login from this address (the user's
        own typos, and this attempt) are forgiven; failures of other logins from here, or of
        this login from elsewhere, still count: a guesser's own valid account, or the real
        user logging in, must not wipe them."""
        address = _client(address)
        self._known_pairs[_pair(address, login)] = self.clock()
        self._known_pairs.move_to_end(_pair(address, login))
        while len(self._known_pairs) > self.limits.max_keys:
            self._known_pairs.popitem(last=False)
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

    def _expired(self, entry: _Entry, now: float) -> bool:
        """A quiet period, or a block that ended: the entry may be forgotten."""
        return entry.blocked_until <= now and now - entry.last >= self.limits.block

    def _live(self, key: str, now: float) -> _Entry | None:
        entry = self._entries.get(key)
        return None if entry is None or self._expired(entry, now) else entry

    def _known(self, address: str, login: str, now: float) -> bool:
        at = self._known_pairs.get(_pair(address, login))
        return at is not None and now - at < self.limits.known_for

    def _entry(self, key: str, now: float) -> _Entry | None:
        """The live entry of `key`, made if need be; None when there is no room for it."""
        entry = self._live(key, now)
        if entry is None:
            self._entries.pop(key, None)
            # Entries are kept in the order they last failed: the oldest are the first to age out.
            while self._entries and self._expired(next(iter(self._entries.values())), now):
                self._entries.popitem(last=False)
            if len(self._entries) >= self.limits.max_keys:
                return None
            entry = self._entries[key] = _Entry()
            entry.last = now  # young: not to be dropped to make room for the next key
        self._entries.move_to_end(key)
        return entry

    def __len__(self) -> int:
        return len(self._entries)


def _pair(address: str, login: str) -> str:
    return f"p:{address}\0{login}"


def _failures(entry: _Entry | None) -> int:
    return entry.failures if entry is not None else 0


def _client(address: str) -> str:
    """The key of a client address: an IPv6 address by its /64, anything else as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
