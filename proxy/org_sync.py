"""The directory sync (issue 21): once per cluster, every `directory.refresh`, the company's
directory is read whole (proxy/org_ldap.py, in a thread) and the difference written to the
org tables in one transaction (quarantine/org_store.py); every instance's OrgCache follows.

A read that fails, or that finds nobody while the copy has people (a wrong filter, a service
account that lost its rights), is a `DirectoryError`: the last good copy stays in force, the
status says stale (/healthz, the console) and the next round tries again. The log says counts
and codes only, never a name or an address.

Once per cluster: the round takes quarantine/cluster_lock.py's advisory lock, and is due when
the last attempt (any instance's, from org_sync) is older than `refresh`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from quarantine.cluster_lock import ClusterLock
from quarantine.org_cache import OrgCache
from quarantine.org_chart import OrgSnapshot
from quarantine.org_store import OrgChange, OrgStore

from .directory_settings import DirectorySettings
from .org_ldap import DirectoryError, Reading, read_directory

log = logging.getLogger("guard.org")

TICK = 30.0  # seconds between looks at whether a round is due

Reader = Callable[[DirectorySettings, Reading], OrgSnapshot]


class OrgSync:
    def __init__(
        self,
        settings: DirectorySettings,
        org: OrgStore,
        *,
        lock: ClusterLock | None = None,
        cache: OrgCache | None = None,
        read: Reader = read_directory,
        clock: Callable[[], float] = time.time,
        tick: float = TICK,
    ) -> None:
        self.settings = settings
        self.org = org
        self.lock = lock
        self.cache = cache  # this instance's copy, refreshed at once after its own round
        self.read = read
        self.clock = clock
        self.tick = tick

    async def snapshot(self) -> OrgSnapshot:
        """A complete read, or DirectoryError; `empty_result` when it finds nobody while the
        copy has people (never mark everybody departed on one bad read)."""
        reading = Reading()
        snapshot = await asyncio.to_thread(self.read, self.settings, reading)
        if reading.rejected:
            log.warning("event=directory_entries_rejected count=%d reason=mail", reading.rejected)
        if reading.duplicates:
            log.warning("event=directory_entries_rejected count=%d reason=duplicate_mail", reading.duplicates)
        if reading.group_clashes:
            log.warning(
                "event=directory_groups_rejected count=%d reason=duplicate_name", reading.group_clashes
            )
        snapshot = await self.org.holding(snapshot, reading.held_back, reading.manager_held)
        if not snapshot.people and (await self.org.status()).people:
            raise DirectoryError("empty_result")
        return snapshot

    async def plan(self) -> OrgChange:
        """The dry run: what a sync now would change; writes nothing (not even the status)."""
        return await self.org.plan(await self.snapshot())

    async def once(self) -> OrgChange | None:
        """One sync now; None when it failed (logged, stored; the copy stays)."""
        started = time.monotonic()
        try:
            snapshot = await self.snapshot()
        except DirectoryError as exc:
            purged = await self.org.failed(exc.code, self.clock(), self.settings.keep_departed)
            log.warning("event=directory_sync_failed error=%s purged=%d", exc.code, purged)
            await self._refresh_cache()
            return None
        change = await self.org.apply(snapshot, self.clock(), self.settings.keep_departed)
        log.info(
            "event=directory_synced people=%d groups=%d added=%d departed=%d changed=%d "
            "purged=%d seconds=%.1f",
            len(snapshot.people),
            len(snapshot.groups),
            len(change.added),
            len(change.departed),
            len(change.changed),
            change.purged,
            time.monotonic() - started,
        )
        await self._refresh_cache()
        return change

    async def due(self) -> bool:
        last = (await self.org.status()).last_attempt_at
        return last is None or self.clock() - last >= self.settings.refresh

    async def round(self) -> None:
        """A round if one is due and no other instance runs it."""
        if not await self.due():
            return
        if self.lock is None:
            await self.once()
            return
        async with self.lock.round() as mine:
            if mine and await self.due():  # another instance may have finished one meanwhile
                await self.once()

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.round()
            except Exception as exc:  # the database is out: the next tick tries again
                log.warning("event=directory_round_failed error=%s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.tick)

    async def _refresh_cache(self) -> None:
        if self.cache is not None:
            with contextlib.suppress(Exception):  # its own poll retries
                await self.cache.refresh()
