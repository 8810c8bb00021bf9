"""The rules page: the effective rule set, the local rules file's editor, "test against a
message" and "replay".

One form carries the draft; its buttons post it to check, save, test or replay. Nothing is
written unless the draft loads exactly as the guard would load it. After a save the RuleBook
reloads at once (its watcher would within seconds anyway); a reload error stays on the page.
The inspection pipeline lives in proxy/, so "test" uses the `check_message` handed in.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from rules.book import RuleBook
from rules.model import RuleSet
from rules.replay import replay

from ..decisions import DecisionLog
from .console import Console
from .rule_draft import DraftError, normalise, read, validate, write_atomically

log = logging.getLogger("guard.admin")

MAX_MESSAGE = 25 * 1024 * 1024
REPLAY_DAYS = (1, 7, 14, 30, 90)
CheckMessage = Callable[[bytes, RuleSet], Any]  # -> dict like `check --json --explain`


class RulePages:
    def __init__(
        self, console: Console, rulebook: RuleBook, decisions: DecisionLog, check_message: CheckMessage
    ) -> None:
        self.console = console
        self.rulebook = rulebook
        self.decisions = decisions
        self.check_message = check_message

    @property
    def local_file(self) -> Path | None:
        return self.rulebook.files[0] if self.rulebook.files else None

    async def show(self, request: Request, session, form) -> Response:
        draft = read(self.local_file) if self.local_file else None
        return self._page(session, draft, saved=request.query_params.get("saved") == "1")

    async def check(self, request: Request, session, form) -> Response:
        draft, ruleset, error = self._draft(form)
        if draft is None:
            return self.console.refuse(400, "no_rules_file", session)
        return self._page(
            session, draft, status=422 if error else 200, draft_error=error, checked=ruleset is not None
        )

    async def save(self, request: Request, session, form) -> Response:
        draft, ruleset, error = self._draft(form)
        if draft is None or self.local_file is None:  # no draft without a local file
            return self.console.refuse(400, "no_rules_file", session)
        if error or ruleset is None:  # a draft without error has its rule set
            return self._page(session, draft, status=422, draft_error=error)
        await run_in_threadpool(write_atomically, self.local_file, draft)
        self.rulebook.reload_if_changed()
        await self.console.record(
            session.actor,
            "rules_saved",
            f"file={self.local_file.name} active={len(ruleset.active)}",
            request=request,
        )
        return self.console.redirect("/rules?saved=1")

    async def test(self, request: Request, session, form) -> Response:
        draft, ruleset, error = self._draft(form)
        if error:
            return self._page(session, draft, status=422, draft_error=error)
        raw = await _upload(form.get("message"))
        if raw is None:
            return self._page(session, draft, status=400, test_error="upload")
        try:
            result = await self._check(raw, ruleset or self.rulebook.current)
        except Exception as exc:  # a message the pipeline chokes on is a finding, not a crash
            log.exception("event=admin_test_failed")
            return self._page(session, draft, status=422, test_error=type(exc).__name__)
        return self._page(session, draft, test=result, test_draft=ruleset is not None)

    async def replay(self, request: Request, session, form) -> Response:
        draft, ruleset, error = self._draft(form)
        if draft is None:
            return self.console.refuse(400, "no_rules_file", session)
        days = _days(str(form.get("days", "7")))
        if error or ruleset is None:  # a draft without error has its rule set
            return self._page(session, draft, status=422, draft_error=error, days=days)
        records = await self.decisions.since(time.time() - days * 86400)
        report = await run_in_threadpool(
            replay, [(r.facts, r.findings) for r in records], self.rulebook.current, ruleset
        )
        return self._page(session, draft, report=report, days=days)

    async def _check(self, raw: bytes, ruleset: RuleSet) -> dict:
        """Inspection is CPU work: a plain function runs in a thread, off the event loop."""
        if inspect.iscoroutinefunction(self.check_message):
            return await self.check_message(raw, ruleset)
        result = await run_in_threadpool(self.check_message, raw, ruleset)
        return await result if inspect.isawaitable(result) else result

    def _draft(self, form) -> tuple[str | None, RuleSet | None, str | None]:
        """(draft text, its rule set, error): (None, None, None) when there is no local file."""
        if self.local_file is None or "draft" not in form:
            return None, None, None
        draft = normalise(str(form.get("draft", "")))
        try:
            return draft, validate(draft, self.rulebook.files, self.rulebook.groups), None
        except DraftError as exc:
            return draft, None, str(exc)

    def _page(self, session, draft: str | None, status: int = 200, **context) -> Response:
        context.setdefault("days", 7)
        return self.console.render(
            "rules.html",
            status=status,
            session=session,
            nav="rules",
            draft=draft,
            rules=self.rulebook.current.rules,
            dictionaries=self.rulebook.current.dictionaries,
            reload_error=self.rulebook.error,
            loaded_at=self.rulebook.loaded_at,
            file=self.local_file,
            file_exists=bool(self.local_file and self.local_file.exists()),
            replay_days=REPLAY_DAYS,
            **context,
        )


async def _upload(item) -> bytes | None:
    if not isinstance(item, UploadFile):
        return None
    raw = await item.read(MAX_MESSAGE + 1)
    return raw if raw and len(raw) <= MAX_MESSAGE else None


def _days(text: str) -> int:
    return int(text) if text.isdigit() and int(text) in REPLAY_DAYS else 7
