"""The rules in force: the files under `rules:` (the deployment's read-only base), with the
console's layer on top, reloaded when a file or the layer changes.

The console's layer is the newest row of the database's rule versions (issue 20): every
instance sharing the database polls its id every 2 s and reloads on a change, so a rule saved
on one applies on all within 5 s, with no restart. A broken file or version never takes
effect: the last good rules keep running and the error is logged loudly and kept for the admin
pages, until it is fixed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from .approvers import OrgView, group_key
from .errors import RuleError
from .loader import load_rules
from .model import Organization, RuleSet

log = logging.getLogger("guard.rules")

CONSOLE = "console"  # the source named by the console layer's rules and errors
FALLBACK_TRIES = 50  # older versions tried at start-up when the newest does not load


class Layer(Protocol):
    """The console's rule versions (quarantine/rule_versions.py)."""

    async def newest_id(self) -> int: ...  # 0: no version yet

    async def text_of(self, version_id: int) -> str | None: ...


class RuleBook:
    def __init__(
        self,
        files: Iterable[Path],
        groups: Mapping[str, Iterable[str]],
        organization: Organization | None = None,
        org: Callable[[], OrgView] | None = None,
    ) -> None:
        """`org`: the company's directory in force (issue 21: quarantine/org_cache.py's
        chart), read on each call: its groups and managers reach the rules without a reload."""
        self.files = tuple(Path(f) for f in files)
        self.org = org
        self._with_org: tuple[RuleSet, OrgView, RuleSet] | None = None
        self._shadowed: set[str] = set()
        self._said_unread = False
        self.groups = {k: tuple(v) for k, v in groups.items()}
        self.organization = organization or Organization()
        self._stamps = self._stat()
        self.layer: Layer | None = None
        self.version = 0  # the console version in force (0: none)
        self.console_text = ""
        self._wanted = (0, "")  # the newest version seen: tried again when a file changes
        # Called after each reload: the inspectors' keyword dictionaries follow at once.
        self.on_reload: Callable[[], None] = lambda: None
        self.current: RuleSet = self._load("")  # at start-up an error is fatal
        self.loaded_at = time.time()
        self.error: str | None = None

    def __call__(self) -> RuleSet:
        """The rules in force, with the directory in force."""
        if self.org is None:
            return self.current
        org = self.org()
        cached = self._with_org
        if cached is not None and cached[0] is self.current and cached[1] is org:
            return cached[2]
        self._note_shadowed(org)
        ruleset = replace(self.current, org=org)
        self._note_unread(ruleset)
        self._with_org = (self.current, org, ruleset)
        return ruleset

    def _note_shadowed(self, org: OrgView) -> None:
        """A configuration group the directory also names wins (rules/decide.py): said once
        per name, as it is a choice the admin may not know he made."""
        folded = {group_key(n): n for n in self.groups}
        for name in {folded[k] for k in set(folded).intersection(org.groups)} - self._shadowed:
            if self.groups[name]:  # a group without members takes the directory's: no shadow
                self._shadowed.add(name)
                log.warning("event=directory_group_shadowed group=%r by=organization.groups", name)

    def _note_unread(self, ruleset: RuleSet) -> None:
        """Said once: the directory was never read, so the rules scoped to a group nobody knows
        yet hold every message they could apply to (rules/decide.py scope_groups)."""
        if self._said_unread or not ruleset.org.unread:
            return
        ids = [
            r.id
            for r in ruleset.active
            if any(
                e.startswith("group:") and ruleset.known_group(e[6:]) is None
                for e in (*r.scope.senders, *r.scope.recipients)
            )
        ]
        if ids:
            self._said_unread = True
            log.warning(
                "event=directory_never_synced rules=%d ids=%s holding=all_in_scope", len(ids), ",".join(ids)
            )

    async def follow(self, layer: Layer) -> None:
        """Put the console's newest version on top. A newest version that no longer loads
        (say it overrides a base rule a deploy removed) must not stop the guard: one row
        would keep every instance down, and the console that reverts it runs on them. So
        the newest version that still loads is put in force (or the files alone), the error
        names the broken version on the console's rules page, and it is logged loudly. A
        file's own error stays fatal: the files are the deployment's, checked before start."""
        self.layer = layer
        newest = await layer.newest_id()
        text = (await layer.text_of(newest) or "") if newest else ""
        self._wanted = (newest, text)  # a file change tries the newest again (reload_if_changed)
        try:
            self.current = self._load(text)
        except RuleError as exc:
            if exc.source != CONSOLE:
                raise
            self.error = str(exc).replace(f"{CONSOLE}:", f"{CONSOLE} v{newest}:", 1)
            log.error("event=rules_version_unloadable version=%d error=%s", newest, self.error)
            self.version, self.console_text = await self._newest_loading(layer, newest)
            log.error("event=rules_version_fallback version=%d unloadable=%d", self.version, newest)
        else:
            self.version, self.console_text, self.error = newest, text, None
        self.loaded_at = time.time()

    async def _newest_loading(self, layer: Layer, broken: int) -> tuple[int, str]:
        """The newest version older than `broken` that loads, or (0, "") for the files alone.
        Bounded: a start-up does not read a long history row by row; past it the files rule."""
        for version in range(broken - 1, max(0, broken - 1 - FALLBACK_TRIES), -1):
            text = await layer.text_of(version)
            if text is None:
                continue
            try:
                self.current = self._load(text)
            except RuleError:
                continue
            return version, text
        self.current = self._load("")
        return 0, ""

    def layer_texts(self, text: str) -> tuple[tuple[str, str], ...]:
        """The console layer as the loader takes it: loaded after every file."""
        return ((CONSOLE, text),) if text.strip() else ()

    def _load(self, text: str) -> RuleSet:
        return load_rules(self.files, self.groups, self.organization, self.layer_texts(text))

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
        """Reload when a file changed (the console layer as last seen stays on top)."""
        stamps = self._stat()
        if stamps == self._stamps:
            return False
        self._stamps = stamps
        return self._apply(*self._wanted)

    async def refresh(self) -> bool:
        """Reload when a file or the console's newest version changed: one cheap query."""
        changed = self.reload_if_changed()
        if self.layer is None:
            return changed
        newest = await self.layer.newest_id()
        if newest == self._wanted[0]:
            return changed
        text = (await self.layer.text_of(newest) or "") if newest else ""
        self._wanted = (newest, text)
        return self._apply(newest, text) or changed

    def _apply(self, version: int, text: str) -> bool:
        try:
            self.current = self._load(text)
        except Exception as exc:  # RuleError, or anything a bad file can provoke: keep serving
            error = str(exc) if isinstance(exc, RuleError) else f"{type(exc).__name__}: {exc}"
            self.error = error.replace(f"{CONSOLE}:", f"{CONSOLE} v{version}:", 1)
            log.error(
                "event=rules_reload_failed action=keeping_last_good_rules version=%d error=%s",
                version,
                self.error,
            )
            return False
        self.version, self.console_text = version, text
        self.error, self.loaded_at = None, time.time()
        log.info("event=rules_reloaded rules=%d version=%d", len(self.current.active), version)
        self.on_reload()
        return True

    async def watch(self, stop: asyncio.Event, interval: float = 2.0) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                try:
                    await self.refresh()
                except Exception as exc:  # the database is out: the rules in force stay
                    log.warning("event=rules_poll_failed error=%s", type(exc).__name__)
