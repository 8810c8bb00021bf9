"""Work done once per cluster, not once per guard: the retention purge, the expiry sweep and
the reminders round.

Several guards share one PostgreSQL and nothing else (no other service to coordinate through).
Each round of such work takes a PostgreSQL session advisory lock with pg_try_advisory_lock:
the guard that gets it does the round, the others skip theirs (a log line
`event=<what>_skipped reason=another_instance`, and `skipped` counts them) and find the work
done at their next round. The rows themselves are still changed by conditional UPDATEs: a
lock lost mid-round (its connection cut) lets a second guard start the same round, and each
row is still changed once.

A session lock, not a transaction one: the round's own writes commit in their own
transactions. A guard killed mid-round closes its connection, and PostgreSQL drops the lock
with it. On SQLite there is one guard: no lock.

A guard cancelled at the unlock (its shutdown) closes the connection instead of handing it
back to the pool: pooled, the connection would keep the lock and every later round of the
cluster would be skipped. A guard whose host vanishes without closing its socket (power
loss, a network cut) keeps the lock until PostgreSQL notices the dead peer: set the server's
tcp_keepalives_idle / _interval / _count (postgresql.conf, e.g. 60 / 10 / 3) so that takes
about a minute rather than the kernel's default two hours; the rounds meanwhile are skipped,
and their work waits, it is not lost.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("guard.cluster")

# One key each ("MDG_" and a letter); migrations serialise on "MDG" (quarantine/migrate.py).
KEYS = {
    "purge": 0x4D44475F52,  # "MDG_R", the key retention.py took before this module
    "expiry": 0x4D44475F45,  # "MDG_E"
    "reminders": 0x4D44475F4D,  # "MDG_M"
    "directory": 0x4D44475F44,  # "MDG_D": the company directory's sync (proxy/org_sync.py)
}


class ClusterLock:
    """One kind of round, run by one guard of the cluster at a time."""

    def __init__(self, engine: AsyncEngine, what: str) -> None:
        self.engine = engine
        self.what = what
        self.key = KEYS[what]
        self.rounds = 0  # rounds this guard ran
        self.skipped = 0  # ... and skipped, another guard running its own

    @asynccontextmanager
    async def round(self) -> AsyncIterator[bool]:
        """True inside: this guard runs the round; False: another does, skip it."""
        if self.engine.dialect.name != "postgresql":
            self.rounds += 1
            yield True
            return
        async with self.engine.connect() as conn:
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})).scalar()
            await conn.commit()
            if not got:
                self.skipped += 1
                log.info("event=%s_skipped reason=another_instance", self.what)
                yield False
                return
            self.rounds += 1
            try:
                yield True
            finally:
                await _unlock(conn, self.key)


async def _unlock(conn, key: int) -> None:
    try:
        await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        await conn.commit()
    except BaseException as exc:  # CancelledError too: a shutdown cancelling the unlock
        # A connection that cannot unlock must not go back to the pool still holding the lock
        # (every later round of the cluster would be skipped): closed, it drops the lock.
        # invalidate() closes the socket at once (no round trip), so a second cancel cannot
        # leave it half done.
        log.warning("event=cluster_unlock_failed error=%s", type(exc).__name__)
        await conn.invalidate()
        if not isinstance(exc, Exception):
            raise
