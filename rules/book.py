"""The rules in force, reloaded when their files change.

A broken edit never takes effect: the last good rules keep running and the error is logged
loudly and kept for the admin pages, until the file is fixed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import RuleError
from .loader import load_rules
from .model import Organization, RuleSet

log = logging.getLogger("guard.rules")


class RuleBook:
    def __init__(
        self,
        files: Iterable[Path],
        groups: Mapping[str, Iterable[str]],
        organization: Organization | None = None,
    ) -> None:
        self.files = tuple(Path(f) for f in files)
        self.groups = {k: tuple(v) for k, v in groups.items()}
        self.organization = organization or Organization()
        self._stamps = self._stat()
        self.current: RuleSet = load_rules(
            self.files, self.groups, self.organization
        )  # at start-up an error is fatal
        self.loaded_at = time.time()
        self.error: str | None = None

    def __call__(self) -> RuleSet:
        return self.current

    def _stat(self) -> tuple[tuple[int, int] | None, ...]:
        stamps: list[tuple[int, int] | None] = []
        for f in self.files:
            try:
                st = f.stat()
                stamps.append((st.st_mtime_ns, st.st_size))
            except OSError:
                stamps.append(None)
        return tuple(stamps)

    def reload_if_changed(self) -> bool:
        stamps = self._stat()
        if stamps == self._stamps:
            return False
        self._stamps = stamps
        try:
            self.current = load_rules(self.files, self.groups, self.organization)
        except Exception as exc:  # RuleError, or anything a bad file can provoke: keep serving
            self.error = str(exc) if isinstance(exc, RuleError) else f"{type(exc).__name__}: {exc}"
            log.error("event=rules_reload_failed action=keeping_last_good_rules error=%s", self.error)
            return False
        self.error, self.loaded_at = None, time.time()
        log.info("event=rules_reloaded rules=%d", len(self.current.active))
        return True

    async def watch(self, stop: asyncio.Event, interval: float = 2.0) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                self.reload_if_changed()
