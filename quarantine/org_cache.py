"""The company's directory in force on this instance (issue 21): a copy of the org tables,
reloaded when the sync (run by whichever instance holds the cluster lock) changed them.

Every POLL seconds one small row is read (org_sync: the revision and the freshness); only when
the revision moved are the people and groups read again. Approvers (`approvers: manager`) and
rule groups look the chart up without a database round trip. While the database cannot be
read, the last copy stays in force (logged once per outage), as with the users.

Without a `directory:` section nothing is read: the chart is empty, the status unconfigured.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from .batching import refresh_every
from .org_chart import OrgChart, OrgStatus
from .org_store import OrgStore

log = logging.getLogger("guard.org")

POLL = 2.0


class OrgCache:
    def __init__(self, org: OrgStore, *, poll: float = POLL, configured: bool = True) -> None:
        self.org = org
        self.poll = poll
        self.configured = configured
        self._chart = OrgChart()
        self._status = OrgStatus(configured=configured)
        self._revision: int | None = None

    async def load(self) -> None:
        """Read the copy (the revision first: a change made meanwhile is read again later)."""
        if not self.configured:
            return
        revision, status = await self.org.state()
        chart = await self.org.chart()
        if status.last_ok_at is None:  # never read whole: rules/decide.py fails closed
            chart = replace(chart, unread=True)
        self._chart, self._status, self._revision = chart, status, revision

    async def refresh(self) -> None:
        """The poll's step: one row read (the revision and the freshness); the people and
        groups only when the revision moved."""
        if not self.configured:
            return
        revision, status = await self.org.state()
        if revision == self._revision and self._chart.unread == (status.last_ok_at is None):
            self._status = status
            return
        await self.load()
        active = sum(1 for p in self._chart.people.values() if not p.departed)
        log.info(
            "event=org_reloaded people=%d groups=%d revision=%s",
            active,
            len(self._chart.groups),
            self._revision,
        )

    async def watch(self, stopping: asyncio.Event) -> None:
        if self.configured:
            await refresh_every(self.poll, stopping, self.refresh, "org")

    def chart(self) -> OrgChart:
        return self._chart

    def status(self) -> OrgStatus:
        return self._status


def health_line(status: OrgStatus, now: float) -> str | None:
    """/healthz's `directory:` line (trusted clients only): counts and a code, no names.
    None without a directory."""
    if not status.configured:
        return None
    if status.last_attempt_at is None:
        return "directory: never synced (first sync pending)"
    if status.stale:
        if status.last_ok_at is None:
            return f"directory: stale error={status.last_error} last_ok_age=never (never synced)"
        return (
            f"directory: stale error={status.last_error} last_ok_age={max(0, now - status.last_ok_at):.0f}s"
        )
    fresh = max(0.0, now - (status.last_ok_at or now))
    return f"directory: ok people={status.people} groups={status.groups} age={fresh:.0f}s"
