"""The rules page: each rule in force with a form for its on/off, mode, action, delay and
scope (issue 18), the console layer's editor, "test against a message" and "replay".

The console's layer lives in the database, one version per save (issue 20,
quarantine/rule_versions.py), on top of the files under `rules:` (read-only here). One form
carries the draft; its buttons post it to check, save, test or replay. A rule's own form posts
to /rules/edit, which writes only the keys that change into the layer's text (rules/patch.py).
Nothing is saved unless the result loads exactly as the guard would load it; a bad draft gets
every error with its line at once (rules/diagnose.py). Every form carries the version it was
built from: a save over a newer version is refused ("changed meanwhile"), never a silent
overwrite. After a save this RuleBook reloads at once; the others within their poll (2 s).
The inspection pipeline lives in proxy/, so "test" uses the `check_message` handed in.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import replace
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
from ..rule_versions import RuleVersions, VersionConflict
from . import rule_samples, rule_words
from .console import Console
from .rule_draft import check, normalise
from .rule_form import MAX_ID, STALE, base_of, delay_text, read_edit, unknown_groups

log = logging.getLogger("guard.admin")

MAX_MESSAGE = 25 * 1024 * 1024
REPLAY_DAYS = (1, 7, 14, 30, 90)
EMPTY = "rules: []\n"  # the editor's text before the first version
CheckMessage = Callable[[bytes, RuleSet], Any]  # -> dict like `check --json --explain`


class RulePages:
    def __init__(
        self, console: Console, rulebook: RuleBook, decisions: DecisionLog, check_message: CheckMessage
    ) -> None:
        self.console = console
        self.rulebook = rulebook
        self.decisions = decisions
        self.check_message = check_message
        self.versions = RuleVersions(console.store)
        if rulebook.layer is None:  # a book built without its layer: saves must still apply here
            rulebook.layer = self.versions

    async def layer(self) -> tuple[int, str]:
        """(the newest version's id, its text): what the editor and the rule forms start from."""
        newest = await self.versions.newest()
        return (newest.id, newest.text) if newest else (0, EMPTY)

    async def show(self, request: Request, session, form) -> Response:
        saved = request.query_params.get("saved", "")
        saved = saved if saved in ("1", "rule", "same") else ""
        base, draft = await self.layer()
        return await self._page(
            session,
            draft,
            base=base,
            saved=saved,
            saved_rule=request.query_params.get("rule", "")[:MAX_ID],
        )

    async def check(self, request: Request, session, form) -> Response:
        draft, ruleset, problems = await self._draft(form)
        if draft is None:
            return self.console.refuse(400, "bad_request", session)
        return await self._page(
            session,
            draft,
            base=base_of(form),
            status=422 if problems else 200,
            problems=problems,
            checked=ruleset is not None,
        )

    async def save(self, request: Request, session, form) -> Response:
        draft, ruleset, problems = await self._draft(form)
        if draft is None:
            return self.console.refuse(400, "bad_request", session)
        base = base_of(form)
        if problems or ruleset is None:  # a draft without problems has its rule set
            return await self._page(session, draft, base=base, status=422, problems=problems)
        newest, text = await self.layer()
        if base == newest and draft == text:
            return self.console.redirect("/rules?saved=same")
        if not await self._write(request, session, draft, ruleset, base):
            return await self._page(session, draft, base=base, status=409, form_errors=[STALE])
        return self.console.redirect("/rules?saved=1")

    async def edit(self, request: Request, session, form) -> Response:
        """One rule's form: only the keys that change are written into the layer's text."""
        rule_id = str(form.get("rule", ""))[:MAX_ID]
        rule = next((r for r in self.rulebook.current.rules if r.id == rule_id), None)
        base, text = await self.layer()
        draft = normalise(text)
        if rule is None:
            return await self._page(
                session, draft, base=base, status=400, form_rule=rule_id, form_errors=[_NOT_EDITABLE]
            )
        if base_of(form) != base:
            return await self._page(
                session, draft, base=base, status=409, form_rule=rule_id, form_errors=[STALE]
            )
        changes, errors = read_edit(form, rule, self.rulebook.groups, self.rulebook.organization.directory)
        if errors:
            return await self._page(
                session, draft, base=base, status=422, form_rule=rule_id, form_errors=errors
            )
        if not changes:
            return self.console.redirect(f"/rules?saved=same&rule={rule_id}#rule-{rule_id}")
        try:
            new = normalise(set_fields(text, rule_id, changes))
        except (yaml.YAMLError, ValueError):  # the layer itself is broken: its errors, next to the editor
            new = draft
        ruleset, problems = await run_in_threadpool(
            check, new, self.rulebook.files, self.rulebook.groups, self.rulebook.organization
        )
        if problems or ruleset is None:
            return await self._page(session, new, base=base, status=422, problems=problems, form_rule=rule_id)
        detail = f" rule={rule_id} fields={','.join(sorted(changes))}"
        if not await self._write(request, session, new, ruleset, base, detail):
            return await self._page(
                session, draft, base=base, status=409, form_rule=rule_id, form_errors=[STALE]
            )
        return self.console.redirect(f"/rules?saved=rule&rule={rule_id}#rule-{rule_id}")

    async def _write(
        self, request: Request, session, text: str, ruleset: RuleSet, base: int, detail: str = ""
    ) -> bool:
        """Save a version built on `base` and reload; False when another save came first."""
        try:
            version = await self.versions.save(text, author=session.login, base=base)
        except VersionConflict:
            log.info("event=rules_save_conflict base=%d", base)
            return False
        await self.rulebook.refresh()
        await self.console.record(
            session.actor,
            "rules_saved",
            f"version={version} active={len(ruleset.active)}{detail}",
            request=request,
        )
        return True

    async def test(self, request: Request, session, form) -> Response:
        draft, ruleset, problems = await self._draft(form)
        if draft is None:  # the test form without a draft: the rules in force
            base, draft = await self.layer()
        else:
            base = base_of(form)
        if problems:
            return await self._page(session, draft, base=base, status=422, problems=problems)
        stored = str(form.get("stored_id", "")).strip() or str(form.get("stored", "")).strip()
        if stored:
            raw = await rule_samples.raw_of(self.console.store, stored[:MAX_ID])
            if raw is None:
                return await self._page(
                    session, draft, base=base, status=404, test_error="stored", stored=stored[:MAX_ID]
                )
        else:
            raw = await _upload(form.get("message"))
            if raw is None:
                return await self._page(session, draft, base=base, status=400, test_error="upload")
        try:
            result = await self._check(raw, self._with_org(ruleset))
        except Exception as exc:  # a message the pipeline chokes on is a finding, not a crash
            log.exception("event=admin_test_failed")
            return await self._page(session, draft, base=base, status=422, test_error=type(exc).__name__)
        return await self._page(
            session, draft, base=base, test=result, test_draft=ruleset is not None, stored=stored[:MAX_ID]
        )

    async def replay(self, request: Request, session, form) -> Response:
        draft, ruleset, problems = await self._draft(form)
        if draft is None:
            return self.console.refuse(400, "bad_request", session)
        days, base = _days(str(form.get("days", "7"))), base_of(form)
        if problems or ruleset is None:  # a draft without problems has its rule set
            return await self._page(session, draft, base=base, status=422, problems=problems, days=days)
        records = await self.decisions.since(time.time() - days * 86400)
        report = await run_in_threadpool(
            replay, [(r.facts, r.findings) for r in records], self.rulebook(), self._with_org(ruleset)
        )
        return await self._page(session, draft, base=base, report=report, days=days)

    def _with_org(self, ruleset: RuleSet | None) -> RuleSet:
        """A draft's rules (None: those in force) with the directory in force (issue 21), so
        that a test or a replay sees the directory's groups and managers as the guard does."""
        in_force = self.rulebook()
        return in_force if ruleset is None else replace(ruleset, org=in_force.org)

    async def _check(self, raw: bytes, ruleset: RuleSet) -> dict:
        """Inspection is CPU work: a plain function runs in a thread, off the event loop."""
        if inspect.iscoroutinefunction(self.check_message):
            return await self.check_message(raw, ruleset)
        result = await run_in_threadpool(self.check_message, raw, ruleset)
        return await result if inspect.isawaitable(result) else result

    async def _draft(self, form) -> tuple[str | None, RuleSet | None, list[Problem]]:
        """(draft text, its rule set, its problems): (None, None, []) without a draft.
        Checked in a thread: a 1 MiB draft must not stall the SMTP side on the event loop."""
        if "draft" not in form:
            return None, None, []
        draft = normalise(str(form.get("draft", "")))
        ruleset, problems = await run_in_threadpool(
            check, draft, self.rulebook.files, self.rulebook.groups, self.rulebook.organization
        )
        return draft, ruleset, problems

    async def _page(self, session, draft: str, base: int, status: int = 200, **context) -> Response:
        """`base`: the version the page's forms were built from (kept across check, test and
        replay, so a save after them still sees what changed meanwhile)."""
        context.setdefault("days", 7)
        return self.console.render(
            "rules.html",
            status=status,
            session=session,
            nav="rules",
            draft=draft,
            rules=self.rulebook.current.rules,
            group_notes=unknown_groups(self.rulebook()),  # with the directory in force
            groups_unread=self.rulebook().org.unread,  # never synced: those groups hold everybody
            dictionaries=self.rulebook.current.dictionaries,
            reload_error=self.rulebook.error,
            loaded_at=self.rulebook.loaded_at,
            in_force=self.rulebook.version,
            files=self.rulebook.files,
            replay_days=REPLAY_DAYS,
            samples=await rule_samples.recent(self.console.store),
            version=max(base, 0),
            delay_text=delay_text,
            words=rule_words,
            **context,
        )


_NOT_EDITABLE = ("このルールはありません。", "There is no such rule.")


async def _upload(item) -> bytes | None:
    if not isinstance(item, UploadFile):
        return None
    raw = await item.read(MAX_MESSAGE + 1)
    return raw if raw and len(raw) <= MAX_MESSAGE else None


def _days(text: str) -> int:
    return int(text) if text.isascii() and text.isdigit() and int(text) in REPLAY_DAYS else 7
