"""The rules page: each rule in force with a form for its on/off, mode, action, delay and
scope (issue 18), the local rules file's editor, "test against a message" and "replay".

One form carries the draft; its buttons post it to check, save, test or replay. A rule's own
form posts to /rules/edit, which writes only the keys that change into the file's text
(rules/patch.py). Nothing is written unless the result loads exactly as the guard would load
it; a bad draft gets every error with its line at once (rules/diagnose.py). After a save the
RuleBook reloads at once (its watcher would within seconds anyway); a reload error stays on
the page. The inspection pipeline lives in proxy/, so "test" uses the `check_message` handed
in; it tests an uploaded .eml or a stored message.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from rules.book import RuleBook
from rules.diagnose import Problem
from rules.model import RuleSet
from rules.patch import set_fields
from rules.replay import replay

from ..decisions import DecisionLog
from . import rule_samples, rule_words
from .console import Console
from .rule_draft import check, normalise, read, write_atomically
from .rule_form import MAX_ID, delay_text, read_edit, version

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
        saved = request.query_params.get("saved", "")
        saved = saved if saved in ("1", "rule", "same") else ""
        return await self._page(
            session, draft, saved=saved, saved_rule=request.query_params.get("rule", "")[:MAX_ID]
        )

    async def check(self, request: Request, session, form) -> Response:
        draft, ruleset, problems = await self._draft(form)
        if draft is None:
            return self.console.refuse(400, "no_rules_file", session)
        return await self._page(
            session, draft, status=422 if problems else 200, problems=problems, checked=ruleset is not None
        )

    async def save(self, request: Request, session, form) -> Response:
        draft, ruleset, problems = await self._draft(form)
        if draft is None or self.local_file is None:  # no draft without a local file
            return self.console.refuse(400, "no_rules_file", session)
        if problems or ruleset is None:  # a draft without problems has its rule set
            return await self._page(session, draft, status=422, problems=problems)
        await self._write(request, session, draft, ruleset)
        return self.console.redirect("/rules?saved=1")

    async def edit(self, request: Request, session, form) -> Response:
        """One rule's form: only the keys that change are written into the file's text."""
        if self.local_file is None:
            return self.console.refuse(400, "no_rules_file", session)
        rule_id = str(form.get("rule", ""))[:MAX_ID]
        rule = next((r for r in self.rulebook.current.rules if r.id == rule_id), None)
        text = read(self.local_file)
        draft = normalise(text)
        if rule is None or not self._editable(rule.source):
            return await self._page(
                session, draft, status=400, form_rule=rule_id, form_errors=[_NOT_EDITABLE]
            )
        if str(form.get("version", "")) != version(text):
            return await self._page(session, draft, status=409, form_rule=rule_id, form_errors=[_STALE])
        changes, errors = read_edit(form, rule, self.rulebook.groups)
        if errors:
            return await self._page(session, draft, status=422, form_rule=rule_id, form_errors=errors)
        if not changes:
            return self.console.redirect(f"/rules?saved=same&rule={rule_id}#rule-{rule_id}")
        try:
            new = normalise(set_fields(text, rule_id, changes))
        except (yaml.YAMLError, ValueError):  # the file itself is broken: its errors, next to the editor
            new = draft
        ruleset, problems = await run_in_threadpool(
            check, new, self.rulebook.files, self.rulebook.groups, self.rulebook.organization
        )
        if problems or ruleset is None:
            return await self._page(session, new, status=422, problems=problems, form_rule=rule_id)
        await self._write(
            request, session, new, ruleset, f" rule={rule_id} fields={','.join(sorted(changes))}"
        )
        return self.console.redirect(f"/rules?saved=rule&rule={rule_id}#rule-{rule_id}")

    async def _write(self, request: Request, session, text: str, ruleset: RuleSet, detail: str = "") -> None:
        assert self.local_file is not None
        await run_in_threadpool(write_atomically, self.local_file, text)
        self.rulebook.reload_if_changed()
        await self.console.record(
            session.actor,
            "rules_saved",
            f"file={self.local_file.name} active={len(ruleset.active)}{detail}",
            request=request,
        )

    def _editable(self, source: str) -> bool:
        """A rule the first local file decides: a shipped one, or one of that file's own.
        (One from a later local file would override whatever the form wrote.)"""
        return source.startswith("rules/") or source == str(self.local_file)

    async def test(self, request: Request, session, form) -> Response:
        draft, ruleset, problems = await self._draft(form)
        if problems:
            return await self._page(session, draft, status=422, problems=problems)
        stored = str(form.get("stored_id", "")).strip() or str(form.get("stored", "")).strip()
        if stored:
            raw = await rule_samples.raw_of(self.console.store, stored[:MAX_ID])
            if raw is None:
                return await self._page(
                    session, draft, status=404, test_error="stored", stored=stored[:MAX_ID]
                )
        else:
            raw = await _upload(form.get("message"))
            if raw is None:
                return await self._page(session, draft, status=400, test_error="upload")
        try:
            result = await self._check(raw, ruleset or self.rulebook.current)
        except Exception as exc:  # a message the pipeline chokes on is a finding, not a crash
            log.exception("event=admin_test_failed")
            return await self._page(session, draft, status=422, test_error=type(exc).__name__)
        return await self._page(
            session, draft, test=result, test_draft=ruleset is not None, stored=stored[:MAX_ID]
        )

    async def replay(self, request: Request, session, form) -> Response:
        draft, ruleset, problems = await self._draft(form)
        if draft is None:
            return self.console.refuse(400, "no_rules_file", session)
        days = _days(str(form.get("days", "7")))
        if problems or ruleset is None:  # a draft without problems has its rule set
            return await self._page(session, draft, status=422, problems=problems, days=days)
        records = await self.decisions.since(time.time() - days * 86400)
        report = await run_in_threadpool(
            replay, [(r.facts, r.findings) for r in records], self.rulebook.current, ruleset
        )
        return await self._page(session, draft, report=report, days=days)

    async def _check(self, raw: bytes, ruleset: RuleSet) -> dict:
        """Inspection is CPU work: a plain function runs in a thread, off the event loop."""
        if inspect.iscoroutinefunction(self.check_message):
            return await self.check_message(raw, ruleset)
        result = await run_in_threadpool(self.check_message, raw, ruleset)
        return await result if inspect.isawaitable(result) else result

    async def _draft(self, form) -> tuple[str | None, RuleSet | None, list[Problem]]:
        """(draft text, its rule set, its problems): (None, None, []) without a local file.
        Checked in a thread: a 2 MiB draft must not stall the SMTP side on the event loop."""
        if self.local_file is None or "draft" not in form:
            return None, None, []
        draft = normalise(str(form.get("draft", "")))
        ruleset, problems = await run_in_threadpool(
            check, draft, self.rulebook.files, self.rulebook.groups, self.rulebook.organization
        )
        return draft, ruleset, problems

    async def _page(self, session, draft: str | None, status: int = 200, **context) -> Response:
        context.setdefault("days", 7)
        on_disk = read(self.local_file) if self.local_file else ""
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
            samples=await rule_samples.recent(self.console.store),
            version=version(on_disk),
            editable=self._editable,
            delay_text=delay_text,
            words=rule_words,
            **context,
        )


_NOT_EDITABLE = (
    "このルールはここでは変更できません（ないか、別のルールファイルで定義されています）。",
    "This rule cannot be changed here (unknown, or defined in another rules file).",
)
_STALE = (
    "ルールファイルがこのページを開いた後で変更されました。開き直してからもう一度変更してください。",
    "The rules file changed since this page was opened; reload it and make the change again.",
)


async def _upload(item) -> bytes | None:
    if not isinstance(item, UploadFile):
        return None
    raw = await item.read(MAX_MESSAGE + 1)
    return raw if raw and len(raw) <= MAX_MESSAGE else None


def _days(text: str) -> int:
    return int(text) if text.isdigit() and int(text) in REPLAY_DAYS else 7
