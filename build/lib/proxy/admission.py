"""Admission control at the SMTP edge: how many sessions, how many message bytes at once.

Postfix's answers to the same problem: smtpd_client_connection_count_limit (sessions per
client address) and default_process_limit (sessions in all), refused with 421 (RFC 5321 §3.8:
the server may close a session it cannot serve, after a 421); and, for memory and disk,
a refusal with 452 4.3.1 ("insufficient system storage", RFC 5321 §4.2.3 and RFC 3463 §3.4)
at MAIL when the declared SIZE (RFC 1870) does not fit, which the client retries later.

A message is counted in the byte budget from the end of its data (or from DATA, when the
client declared its size) until its reply has been pushed. While the data is read it is not
counted: it goes to disk past a small buffer (proxy/spool.py), and the sessions that may read
at once are capped above.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import Counter, deque
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("guard.smtp")

TOO_MANY = b"421 4.7.0 Too many connections, try again later\r\n"
NO_STORAGE = "452 4.3.1 Insufficient system storage, try again later"
IDLE_CLOSED = b"421 4.4.2 Idle session closed to make room, try again later\r\n"


SMALL_MESSAGE = 256 << 10  # a message this small, known so, may use the lane ...
LANE_SHARE = 16  # ... which is this fraction of the budget, over it
EVICT_AFTER = 2.0  # seconds idle, outside a transaction, before a session may make room


class Idle(Protocol):
    """A session as the admission sees it when the total cap is reached."""

    @property
    def idle_since(self) -> float | None:
        """Monotonic time of its last command; None within a transaction."""

    def evict(self) -> None:
        """Say 421 and close, leaving the admission at once."""


@dataclass(frozen=True, kw_only=True)
class AdmissionLimits:
    max_sessions: int  # sessions in all
    max_sessions_per_client: int  # sessions from one client address
    max_inflight_bytes: int  # message bytes being inspected and forwarded at once
    budget_wait: float = 20.0  # how long a read message may wait for the budget


class Admission:
    """Counts sessions per client address and message bytes in flight, for one guard."""

    def __init__(self, limits: AdmissionLimits) -> None:
        self.limits = limits
        self.sessions = 0
        self._per_client: Counter[str] = Counter()
        self.inflight_bytes = 0
        self.small_bytes = 0  # in the small messages' lane, apart from inflight_bytes
        self.pledged: Counter[str] = Counter()  # client -> declared bytes held before the data
        self._waiting: deque[list[int]] = deque()  # read messages waiting, oldest first: [size]
        self._open: weakref.WeakSet[Idle] = weakref.WeakSet()  # sessions that may be evicted
        self._freed = asyncio.Event()
        self._refusals: Counter[str] = Counter()
        self._logged = -1e9

    # --- sessions ----------------------------------------------------------------------
    def enter(self, client: str, session: Idle | None = None) -> bool:
        """Count a new session from `client`; False (and nothing counted) beyond a cap. At
        the total cap, the session idle longest outside a mail transaction is closed to make
        room (Postfix shortens its timeouts under stress for the same reason): connections
        that never send mail cannot keep the organisation's own MTA out for a session timeout."""
        if self._per_client[client] >= self.limits.max_sessions_per_client:
            self._refused("per_client")  # before making room: nobody is closed in vain
            return False
        if self.sessions >= self.limits.max_sessions and not self._evict_idle():
            self._refused("total")
            return False
        self.sessions += 1
        self._per_client[client] += 1
        if session is not None:
            self._open.add(session)
        return True

    def _evict_idle(self) -> bool:
        now = time.monotonic()
        idle = [
            (since, s)
            for s in self._open
            if (since := s.idle_since) is not None and now - since >= EVICT_AFTER
        ]
        if not idle:
            return False
        since, oldest = min(idle, key=lambda pair: pair[0])
        oldest.evict()  # leaves (and so frees its slot) before returning
        log.info("event=idle_session_closed idle_s=%.0f", now - since)
        return True

    def _refused(self, reason: str) -> None:
        # A flood of connections is one line a second, with the count, not one per connection.
        self._refusals[reason] += 1
        now = time.monotonic()
        if now - self._logged >= 1.0:
            self._logged = now
            log.warning(
                "event=sessions_refused total=%d per_client=%d sessions=%d",
                self._refusals["total"],
                self._refusals["per_client"],
                self.sessions,
            )
            self._refusals.clear()

    def leave(self, client: str, session: Idle | None = None) -> None:
        if session is not None:
            self._open.discard(session)
        self.sessions -= 1
        self._per_client[client] -= 1
        if self._per_client[client] <= 0:
            del self._per_client[client]

    # --- message bytes -------------------------------------------------------------------
    @property
    def lane(self) -> int:
        """Bytes set apart for small messages, over the budget: a burst of large ones, and
        the line they form, does not keep ordinary mail waiting."""
        return self.limits.max_inflight_bytes // LANE_SHARE

    def take_small(self, size: int) -> bool:
        """Take `size` bytes from the small messages' lane, if the message is known (declared
        or read) to be small and the lane has room."""
        if not self._lane_fits(size):
            return False
        self.small_bytes += size
        return True

    def _lane_fits(self, size: int) -> bool:
        return 0 < size <= min(SMALL_MESSAGE, self.lane) and self.small_bytes + size <= self.lane

    def fits(self, size: int = 0, *, first_in_line: bool = False) -> bool:
        """Whether `size` more bytes may come in now. One message is always let in when none
        is in flight, so that a message the size limit allows can never be refused forever.
        Newcomers leave room for the oldest message waiting (wait_for): steady mail cannot
        starve a large one that has been read. A small one may go by the lane instead."""
        if self._lane_fits(size):
            return True
        ahead = self._waiting[0][0] if self._waiting and not first_in_line else 0
        if self.inflight_bytes == 0 and not ahead:
            return True
        return (
            self.inflight_bytes + size + ahead <= self.limits.max_inflight_bytes
            and self.inflight_bytes < self.limits.max_inflight_bytes
        )

    def take(self, size: int, *, first_in_line: bool = False) -> bool:
        if not self.fits(size, first_in_line=first_in_line):
            return False
        self.inflight_bytes += size
        return True

    async def wait_for(self, size: int) -> bool:
        """Take `size` bytes as soon as they fit and every message waiting before it has
        had its turn, waiting up to budget_wait; False if not."""
        place = [size]
        self._waiting.append(place)
        try:
            async with asyncio.timeout(self.limits.budget_wait):
                while not (self._waiting[0] is place and self.take(size, first_in_line=True)):
                    self._freed.clear()
                    await self._freed.wait()
        except TimeoutError:
            log.warning("event=budget_exhausted bytes=%d inflight=%d", size, self.inflight_bytes)
            return False
        finally:
            self._waiting.remove(place)
            self._freed.set()  # the next in line looks again
        return True

    def give_back(self, size: int, *, small: bool = False) -> None:
        if small:
            self.small_bytes -= size
        elif size:
            self.inflight_bytes -= size
            self._freed.set()


class Reservation:
    """The bytes one message holds in the budget; given back once, whatever happens."""

    def __init__(self, admission: Admission | None, client: str = "") -> None:
        self.admission = admission
        self.client = client
        self.size = 0
        self.pledged = 0  # of `size`: declared, held before the data came
        self.small = False  # held in the small messages' lane

    def take(self, size: int) -> bool:
        """Hold `size` bytes in all; even 0 is refused while the budget is used up."""
        if self.admission is None:
            return True
        extra = max(size - self.size, 0)
        if not self.size and self.admission.take_small(extra):
            self.size, self.small = extra, True
            return True
        if self.small or not self.admission.take(extra):
            return False
        self.size += extra
        return True

    def pledge(self, declared: int) -> bool:
        """At DATA: hold the size the client declared (RFC 1870), so that it is not refused
        after sending it all. A declared size is only a promise, and the data may then come
        as slowly as the session allows: one client address holds at most half the budget
        that way (beyond, its message is counted when its data is in), so that a few slow
        sessions cannot keep everyone else at 452."""
        if self.admission is None:
            return True
        cap = self.admission.limits.max_inflight_bytes // 2
        if self.admission.pledged[self.client] + declared > cap:
            declared = 0
        if not self.take(declared):
            return False
        self.pledged = declared
        self.admission.pledged[self.client] += declared
        return True

    async def grow_to(self, size: int) -> bool:
        """Hold `size` bytes in all. What is held is given back while waiting, so that two
        messages that each hold part of the budget never wait for each other."""
        if self.admission is None or size <= self.size:
            return True
        self.release()
        if self.admission.take_small(size):
            self.size, self.small = size, True
            return True
        if not await self.admission.wait_for(size):
            return False
        self.size = size
        return True

    def release(self) -> None:
        if self.admission is not None:
            self.admission.give_back(self.size, small=self.small)
            if self.pledged:
                self.admission.pledged[self.client] -= self.pledged
                if self.admission.pledged[self.client] <= 0:
                    del self.admission.pledged[self.client]
        self.size = self.pledged = 0
        self.small = False
