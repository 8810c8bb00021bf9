"""The database engine: every wait bounded, SQLite set up for durability, and the health probe.

It exists apart from the store because it is about how a connection behaves, not what a
transaction does: the timeouts that turn a hanging database into a fast 451, SQLite's pragmas
and its one write lock, reads that wait for no writer, and whether a write goes through now.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from .schema import store_heartbeat

# PostgreSQL: how long to wait for a connection (TCP and start-up), for each statement, and
# for a free connection of the pool. A client times out the final dot after 10 minutes (RFC
# 5321 §4.5.3.2.6) but many give up after 30 s: a hold answers 451 well before that.
# A hold whose COMMIT reaches a server that wakes up after the guard gave up is refused there
# (migration v007, HOLD_COMMIT_WITHIN = 7 s after its INSERT): keep STATEMENT_TIMEOUT above it.
CONNECT_TIMEOUT = 5.0
STATEMENT_TIMEOUT = 8.0
POOL_TIMEOUT = 8.0
# The health check answers within this (a load balancer's probe gives up after a few seconds).
PROBE_WITHIN = 1.5

Writing = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A read: on SQLite a deferred transaction, which in WAL mode waits for no writer (any
    other transaction begins IMMEDIATE, taking SQLite's one write lock: see _sqlite_begin)."""
    async with engine.connect() as conn:
        yield await conn.execution_options(mdg_read_only=True)


class WriteProbe:
    """Whether the store takes a write now: a one-row committed update, so a full disk or a
    read-only database fails it as it would fail a hold."""

    def __init__(self, writing: Writing) -> None:
        self._writing = writing
        self._probe: asyncio.Future | None = None  # the health check's write in progress

    async def can_write(self, within: float = PROBE_WITHIN) -> str | None:
        """None when the write went through, else why not (an error class name, no
        traceback). Answers within `within` seconds however the database hangs; the probe
        itself goes on in the background, and one at a time."""
        probe = self._probe
        if probe is None or probe.done():
            probe = self._probe = asyncio.ensure_future(self._heartbeat())
            probe.add_done_callback(lambda task: task.cancelled() or task.exception())
        done, _ = await asyncio.wait({probe}, timeout=within)
        if not done:
            return "TimeoutError"
        error = None if probe.cancelled() else probe.exception()
        return None if error is None else type(error).__name__

    async def _heartbeat(self) -> None:
        async with self._writing() as conn:
            await conn.execute(
                update(store_heartbeat).where(store_heartbeat.c.id == 1).values(at=time.time())
            )


def make_engine(url: str) -> AsyncEngine:
    """The engine, with every wait bounded: a database that hangs must cost the client a fast
    451, not a commit that lands after the client gave up and retried (a second hold).
    hide_parameters: a database error's text would otherwise carry the statement's values
    (addresses, subjects, a message's bytes) into the log."""
    if url.startswith("sqlite"):
        _ensure_parent(url)
        # busy_timeout (below) bounds the wait for SQLite's write lock; a file does not hang.
        engine = create_async_engine(url, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        url,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT,
        connect_args={"timeout": CONNECT_TIMEOUT, "command_timeout": STATEMENT_TIMEOUT},
    )


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # The driver's own implicit BEGIN is deferred: a transaction that reads, then writes,
    # can then lose to another writer (SQLITE_BUSY_SNAPSHOT). We begin ourselves, below.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=10000")
    _wal(cur)
    cur.execute("PRAGMA synchronous=FULL")  # fsync at every commit: nothing is lost after 250
    cur.execute("PRAGMA foreign_keys=ON")
    # What is deleted or overwritten (a notice's text, a purged message) is zeroed, not left
    # readable in free pages of the file.
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


def _wal(cur, attempts: int = 100) -> None:
    """WAL mode, which the database file keeps once set. Switching takes an exclusive lock
    for which SQLite does not call its busy handler: connections opening a new database
    together (two guards, or one guard's pool) retry instead of failing."""
    for attempt in range(attempts):
        try:
            cur.execute("PRAGMA journal_mode")
            if str(cur.fetchone()[0]).lower() == "wal":
                return
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except Exception as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


def _sqlite_begin(conn) -> None:
    # SQLite has one writer at a time; taking the write lock at BEGIN makes a claim (read the
    # due jobs, then lease them) atomic, the way FOR UPDATE SKIP LOCKED does on PostgreSQL.
    # Reads (`reading`) begin deferred and never wait for a writer.
    read_only = conn.get_execution_options().get("mdg_read_only")
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _ensure_parent(url: str) -> None:
    path = url.split(":///", 1)[1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
