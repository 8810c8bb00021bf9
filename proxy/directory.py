"""Feeding the inspectors: the configuration's client directory and suppression list, plus
the ones admins keep in the database, plus the domains the organisation mails regularly.

When an admin changes the directory (on any guard instance) the inspection workers are
rebuilt with the new lists; so they are when the rule files' keyword dictionaries change
(issue 17), as the RuleBook has them: a broken rule file keeps the last good dictionaries.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable

from quarantine.deliveries import DeliveryHistory
from quarantine.directory_store import DirectoryStore
from rules.model import RuleSet

from .pipeline import InspectorConfig, Pipeline, inspector_config
from .settings import Settings

log = logging.getLogger("guard.directory")


class DirectoryFeed:
    def __init__(
        self,
        settings: Settings,
        directory: DirectoryStore,
        history: DeliveryHistory,
        rules: Callable[[], RuleSet] | None = None,
    ) -> None:
        self.settings = settings
        self.directory = directory
        self.history = history
        self.rules = rules  # the rules in force (a RuleBook); None: read the files once
        self._words: tuple = ()  # the dictionaries the workers have
        self._words_reading: tuple = ()
        self._stamp: tuple | None = None  # the directory version the workers have
        self._reading: tuple | None = None  # the version config() last read
        self._changed = asyncio.Event()

    async def config(self, stamp: tuple | None = None) -> InspectorConfig:
        """The inspectors' configuration as the database has it now; the stamp it was read
        at (`stamp`, if the caller has just read it) is taken as applied only once the caller
        has applied it (`applied`)."""
        self._reading = stamp if stamp is not None else await self.directory.stamp()
        snapshot = await self.directory.snapshot()
        words = self.rules().active_dictionaries if self.rules is not None else None
        base = inspector_config(
            self.settings, regular_domains=await self.history.regular_domains(), dictionaries=words
        )
        self._words_reading = base.dictionaries
        return dataclasses.replace(
            base,
            clients=base.clients + snapshot.clients,
            suppressed=base.suppressed + tuple(snapshot.suppressed),
        )

    def applied(self) -> None:
        self._stamp = self._reading
        self._words = self._words_reading

    def _words_changed(self) -> bool:
        return self.rules is not None and self.rules().active_dictionaries != self._words

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
                if stamp is not None and (stamp != self._stamp or self._words_changed()):
                    await pipeline.reconfigure(await self.config(stamp))
                    self.applied()
                    log.info("event=directory_reloaded")
            except Exception:
                log.exception("event=directory_reload_failed action=keeping_current_lists")
