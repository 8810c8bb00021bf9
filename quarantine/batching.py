"""The background loop of the stores that write in batches (decision log, delivery history):
one transaction a second instead of one per message, which would cost an fsync each.

What a failed flush could not write is kept and written when the database is back: an
outage of minutes loses no statistics. The backlog is bounded (BACKLOG_LIMIT records, beyond
which the oldest are dropped and counted in a log event), since the guard keeps relaying
through the outage and memory is not a queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Generic, TypeVar

import sqlalchemy.exc
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("guard.batching")

T = TypeVar("T")

BACKLOG_LIMIT = 100_000  # records kept through an outage (a few hundred bytes each) ...
BACKLOG_BYTES = 96 << 20  # ... and their estimated size: a record can name 1,000 recipients
CHUNK = 500  # records a transaction: a failure keeps the rest, a retry is small
_REPORT_EVERY = 60  # consecutive failed flushes between two log lines about them

# What a database that is down, hanging or full raises: the records are kept for later. Any
# other error is the record's own (a value the database refuses) and is not retried forever.
OUTAGE = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    TimeoutError,
    OSError,
)


class BatchWriter:
    """What the stores that write in batches share: the engine they read from, the store's
    writer queue they write through (Store.writing, if it has one), how often they flush, and
    how many records they keep through an outage."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        interval: float = 1.0,
        writing: Callable[[], Any] | None = None,
        backlog: int = BACKLOG_LIMIT,
    ) -> None:
        self.engine = engine
        self._writing = writing
        self.interval = interval
        self.backlog = backlog

    def _transaction(self) -> Any:
        return (self._writing or self.engine.begin)()

    def _insert(self) -> Any:
        """INSERT with the dialect's ON CONFLICT (a batch written again must not count twice)."""
        return pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert


def is_outage(error: BaseException) -> bool:
    return isinstance(error, OUTAGE) or bool(getattr(error, "connection_invalidated", False))


class Backlog(Generic[T]):
    """Records waiting for their write, oldest first: at most `limit` of them, and at most
    `max_bytes` by `size`'s estimate of each (the count alone would let a backlog of wide
    messages take gigabytes)."""

    def __init__(
        self,
        what: str,
        limit: int = BACKLOG_LIMIT,
        *,
        max_bytes: int = BACKLOG_BYTES,
        size: Callable[[T], int] = lambda item: 0,
    ) -> None:
        self.what = what
        self.limit = limit
        self.max_bytes = max_bytes
        self._size = size
        self._items: deque[tuple[int, T]] = deque()  # (estimated bytes, record)
        self._bytes = 0
        self._dropped = 0  # since the last report: one log line a flush, not one a message

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: T) -> None:
        self._push(item)
        self._bound()

    def take(self, n: int) -> list[T]:
        taken = [self._items.popleft() for _ in range(min(n, len(self._items)))]
        self._bytes -= sum(size for size, _ in taken)
        return [item for _, item in taken]

    def put_back(self, items: Iterable[T]) -> None:
        """A chunk whose write failed goes back in front, in its order."""
        for item in reversed(list(items)):
            self._push(item, front=True)
        self._bound()

    def _push(self, item: T, front: bool = False) -> None:
        size = self._size(item)
        (self._items.appendleft if front else self._items.append)((size, item))
        self._bytes += size

    def _bound(self) -> None:
        while self._items and (len(self._items) > self.limit or self._bytes > self.max_bytes):
            self._bytes -= self._items.popleft()[0]
            self._dropped += 1

    def report(self) -> None:
        """Log how many records were dropped since the last report, if any."""
        if self._dropped:
            dropped(self.what, self._dropped, self.limit)
            self._dropped = 0


def dropped(what: str, count: int, limit: int = BACKLOG_LIMIT) -> None:
    log.warning("event=%s_dropped count=%d limit=%d", what, count, limit)


async def flush_every(
    interval: float, stop: asyncio.Event, flush: Callable[[], Awaitable[None]], what: str
) -> None:
    """Call `flush` every `interval` seconds until `stop`; a failed flush is logged (when it
    starts failing, then every _REPORT_EVERY attempts, and when it works again), the loop goes
    on (the caller flushes once more after `stop`)."""
    failures = 0
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except TimeoutError:
            pass
        try:
            await flush()
        except Exception as exc:
            if failures % _REPORT_EVERY == 0:
                log.warning(
                    "event=%s_flush_failed error=%s failures=%d",
                    what,
                    type(exc).__name__,
                    failures + 1,
                    exc_info=not is_outage(exc),
                )
            failures += 1
            continue
        if failures:
            log.info("event=%s_flush_recovered failures=%d", what, failures)
        failures = 0


async def refresh_every(
    interval: float, stop: asyncio.Event, refresh: Callable[[], Awaitable[None]], what: str
) -> None:
    """Call `refresh` every `interval` seconds until `stop`: an instance's copy of a table (the
    users, the org chart) kept in step with the database. While the database is out the last
    copy stays in force; that is logged once per outage, not every `interval` seconds."""
    failing = False
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
        if stop.is_set():
            return
        try:
            await refresh()
        except Exception as exc:
            if not failing:
                log.warning("event=%s_refresh_failed error=%s", what, type(exc).__name__)
            failing = True
        else:
            if failing:
                log.info("event=%s_refresh_recovered", what)
            failing = False
