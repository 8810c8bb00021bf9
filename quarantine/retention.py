"""The retention policy and its purge: personal data at rest is kept no longer than configured.

What is kept, and for how long after what (README, "Retention"):
- raw: a held message's bytes, after its final state (released, cancelled, rejected, expired,
  delivery_failed: an admin's retry is refused after that) and once nothing is pending for it
  (a release not yet delivered still needs them);
- outbound: sent and failed jobs (a notice's text is gone already: cleared when sent), after
  their last attempt;
- records: held-message rows (recipients, subject, masked findings, decision) with their
  links and jobs, the decision log and the audit log;
- history: recipient-history pairs not mailed since;
- shares (attachment links): their files, message and codes once expired or revoked (the
  download log stays with the held row, and goes with it after `records`).
Not configurable: admin login attempts go after a day (successes after 30 days, while the
login throttle reads them), admin sessions a day after their last use (they ended long before).

Every instance runs the purge. Its statements are conditional and idempotent, so two purges
over one database only ever remove what is due, once; each statement touches one bounded
batch in its own short transaction, so SQLite's one write lock is never held long. On
PostgreSQL an advisory lock lets one instance purge at a time; the others skip the round
(quarantine/cluster_lock.py).
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import delete, exists, func, select, tuple_, update

from .admin.throttle import KNOWN as LOGIN_FLOOR  # the throttle reads successes this old
from .cluster_lock import ClusterLock
from .records import HoldState
from .retention_policy import DAY, RetentionPolicy
from .schema import (
    admin_sessions,
    audit,
    decision_rules,
    decisions,
    held,
    held_approvers,
    links,
    login_attempts,
    outbound,
)
from .schema import recipient_history as history
from .schema import shares as share_table
from .share_rows import delete_shares
from .sso.logins import SsoLogins
from .store import Store

log = logging.getLogger("guard.retention")

FINAL = tuple(s for s in HoldState if s != HoldState.HELD)  # retried: RELEASED again
BATCH = 500  # rows per statement
RAW_BATCH = 50  # held messages whose bytes are cleared per statement: each may be 25 MB
DEAD_SESSION = DAY  # an admin session idle this long ended long ago (idle limit: 30 minutes)


def _nothing_pending():
    """No job of this hold is still to be sent: a release sends the held bytes themselves."""
    return ~exists().where(outbound.c.message_id == held.c.id, outbound.c.state == "pending")


def _final_before(cutoff: float):
    return (
        held.c.state.in_(FINAL),
        func.coalesce(held.c.acted_at, held.c.updated_at) < cutoff,
        _nothing_pending(),
    )


class Retention:
    def __init__(
        self, store: Store, policy: RetentionPolicy = RetentionPolicy(), *, batch: int = BATCH
    ) -> None:
        self.store = store
        self.policy = policy
        self.batch = batch
        self._stop = asyncio.Event()  # set: finish the batch in hand, start no other
        self.lock = ClusterLock(store.engine, "purge")  # one purge at a time in the cluster

    async def run(self, stop: asyncio.Event) -> None:
        """Purge now, then every `policy.every` seconds until `stop`; a failed round is logged."""
        self._stop = stop
        while not stop.is_set():
            try:
                await self.run_once(time.time())
            except Exception as exc:  # the class only: an error's text may name addresses
                log.error("event=purge_failed error=%s", type(exc).__name__)
            try:
                await asyncio.wait_for(stop.wait(), self.policy.every)
            except TimeoutError:
                pass

    async def run_once(self, now: float) -> dict[str, int] | None:
        """Remove what is due at `now`: rows (or bytes) per table; None when another instance
        was purging."""
        async with self.lock.round() as mine:
            return await self._purge(now) if mine else None

    async def _purge(self, now: float) -> dict[str, int]:
        started, p = time.monotonic(), self.policy
        counts = {
            "raw": await self._clear_raw(now - p.raw),
            "shares": await self.store.shares.purge(now),
            "outbound": await self._batches(
                outbound,
                [outbound.c.id],
                outbound.c.state.in_(("sent", "failed")),
                outbound.c.next_attempt_at < now - p.outbound,
            ),
            "held": await self._held_rows(now - p.records),
            "decisions": await self._batches(decisions, [decisions.c.id], decisions.c.at < now - p.records),
            "decision_rules": await self._batches(
                decision_rules, [decision_rules.c.id], decision_rules.c.at < now - p.records
            ),
            "audit": await self._batches(audit, [audit.c.id], audit.c.at < now - p.records),
            # The login typed may be a password typed into the wrong field: a failure is kept
            # a day (the throttle counts 15 minutes); a success as long as it marks a known
            # address for the throttle.
            "logins": await self._batches(
                login_attempts,
                [login_attempts.c.id],
                login_attempts.c.at < now - DAY,
                (login_attempts.c.outcome != "success") | (login_attempts.c.at < now - LOGIN_FLOOR),
            ),
            "sessions": await self._batches(
                admin_sessions, [admin_sessions.c.id_hash], admin_sessions.c.last_seen < now - DEAD_SESSION
            ),
            "history": await self._batches(
                history, [history.c.sender, history.c.address], history.c.last_at < now - p.history
            ),
            # sign-ons begun and abandoned at the provider's page: ten minutes, not until the
            # next person signs on (quarantine/sso/logins.py)
            "sso_logins": await SsoLogins(self.store).purge(now),
        }
        detail = " ".join(f"{k}={v}" for k, v in counts.items())
        if any(counts.values()):
            async with self.store.writing() as conn:
                await conn.execute(
                    audit.insert().values(
                        at=now,
                        message_id=None,
                        actor="system",
                        client_addr=None,
                        action="purged",
                        detail=detail,
                    )
                )
            await self._truncate_wal()
        log.info("event=purged %s ms=%d", detail, (time.monotonic() - started) * 1000)
        return counts

    async def _batches(self, table, key: list, *conds) -> int:
        """Delete the rows matching `conds`, a batch per transaction, until none is left."""
        column = key[0] if len(key) == 1 else tuple_(*key)
        total = 0
        while True:
            due = select(*key).where(*conds).limit(self.batch)
            async with self.store.writing() as conn:
                removed = (await conn.execute(delete(table).where(column.in_(due), *conds))).rowcount
            total += removed
            if removed < self.batch or not await self._next_batch():
                return total

    async def _clear_raw(self, cutoff: float) -> int:
        # raw is NOT NULL: a cleared message is b"" (the pages say it is no longer kept).
        conds = (*_final_before(cutoff), func.length(held.c.raw) > 0)
        batch, total = min(self.batch, RAW_BATCH), 0
        while True:
            due = select(held.c.id).where(*conds).limit(batch)
            async with self.store.writing() as conn:
                cleared = (
                    await conn.execute(update(held).where(held.c.id.in_(due), *conds).values(raw=b""))
                ).rowcount
            total += cleared
            if cleared < batch or not await self._next_batch():
                return total

    async def _held_rows(self, cutoff: float) -> int:
        """Held rows, with their links, finished jobs (outbound.message_id is a foreign key)
        and share rows. A share still active (an extended one) keeps its held row a while."""
        live_share = exists().where(share_table.c.id == held.c.id, share_table.c.state == "active")
        conds = (*_final_before(cutoff), ~live_share)
        total = 0
        while True:
            async with self.store.writing() as conn:
                ids = list((await conn.execute(select(held.c.id).where(*conds).limit(self.batch))).scalars())
                if ids:
                    await conn.execute(
                        delete(outbound).where(outbound.c.message_id.in_(ids), outbound.c.state != "pending")
                    )
                    await conn.execute(delete(links).where(links.c.message_id.in_(ids)))
                    await conn.execute(delete(held_approvers).where(held_approvers.c.hold_id.in_(ids)))
                    await delete_shares(conn, ids)
                    total += (await conn.execute(delete(held).where(held.c.id.in_(ids), *conds))).rowcount
            if len(ids) < self.batch or not await self._next_batch():
                return total

    async def _next_batch(self) -> bool:
        """Let the guard's own writers in between two batches; False when the guard stops."""
        await asyncio.sleep(0)
        return not self._stop.is_set()

    async def _truncate_wal(self) -> None:
        """SQLite: until a checkpoint the database file keeps the old pages (the zeroed ones
        are in the write-ahead log), and the log may keep older frames with the purged bytes:
        checkpoint, and cut the log to nothing. Best effort: a reader in progress leaves it
        for the next round."""
        if self.store.engine.dialect.name != "sqlite":
            return
        async with self.store.engine.connect() as conn:
            db = (await conn.get_raw_connection()).driver_connection
            if db is None:  # an open connection has its driver's; nothing to checkpoint otherwise
                raise RuntimeError("no driver connection")
            # While it waits, a checkpoint keeps writers out: it waits briefly or not at all.
            timeout = (await (await db.execute("PRAGMA busy_timeout")).fetchone())[0]
            await db.execute("PRAGMA busy_timeout=200")
            try:
                busy = (await (await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")).fetchone())[0]
            finally:
                await db.execute(f"PRAGMA busy_timeout={int(timeout)}")
        if busy:
            log.info("event=purge_wal_busy")
