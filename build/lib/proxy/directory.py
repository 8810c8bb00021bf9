"""Feeding the inspectors: the configuration's client directory and suppression list, plus
the ones admins keep in the database, plus the domains the organisation mails regularly.

When an admin changes the directory (on any guard instance) the inspection workers are
rebuilt with the new lists.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from quarantine.deliveries import DeliveryHistory
from quarantine.directory_store import DirectoryStore

from .pipeline import InspectorConfig, Pipeline, inspector_config
from .settings import Settings

log = logging.getLogger("guard.directory")


class DirectoryFeed:
    def __init__(self, settings: Settings, directory: DirectoryStore, history: DeliveryHistory) -> None:
        self.settings = settings
        self.directory = directory
        self.history = history
        self._stamp: tuple | None = None  # the directory version the workers have
        self._reading: tuple | None = None  # the version config() last read
        self._changed = asyncio.Event()

    async def config(self, stamp: tuple | None = None) -> InspectorConfig:
        """The inspectors' configuration as the database has it now; the stamp it was read
        at (`stamp`, if the caller has just read it) is taken as applied only once the caller
        has applied it (`applied`)."""
        self._reading = stamp if stamp is not None else await self.directory.stamp()
        snapshot = await self.directory.snapshot()
        base = inspector_config(self.settings, regular_domains=await self.history.regular_domains())
        return dataclasses.replace(
            base,
            clients=base.clients + snapshot.clients,
            suppressed=base.suppressed + tuple(snapshot.suppressed),
        )

    def applied(self) -> None:
        self._stamp = self._reading

    def changed(self) -> None:
        """Called by the admin pages after an edit here; other instances notice by polling."""
        self._changed.set()

    async def watch(self, pipeline: Pipeline, stop: asyncio.Event, interval: float = 5.0) -> None:
        while not stop.is_set():
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._changed.wait())]
            await asyncio.wait(waiters, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            for w in waiters:
                w.cancel()
            self._changed.clear()
            try:
                stamp = None if stop.is_set() else await self.directory.stamp()
                if stamp is not None and stamp != self._stamp:
                    await pipeline.reconfigure(await self.config(stamp))
                    self.applied()
                    log.info("event=directory_reloaded")
            except Exception:
                log.exception("event=directory_reload_failed action=keeping_current_lists")
