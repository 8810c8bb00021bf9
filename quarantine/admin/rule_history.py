"""The console layer's history (issue 20): every saved version with who saved it, when and what
changed, one version's diff against the version it was built from, and "revert to this
version", which saves that text again as a new version.

A revert asks twice, on the server: the first POST shows the question, only the second
(confirm=1) saves. It carries the version the page was built from, as every rules form does,
so a revert never silently undoes a save made meanwhile; the text is validated again against
the files as they are now (a group or file may have changed since it was saved). The diff is
difflib's, rendered through the template's escaping: rule texts are admin input.
"""

from __future__ import annotations

import difflib
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rules.book import RuleBook

from ..rule_versions import PAGE, RuleVersions, VersionConflict
from .console import Console
from .rule_draft import check
from .rule_form import STALE, base_of

log = logging.getLogger("guard.admin")

MAX_DIFF_LINES = 5000  # of a 1 MiB draft's diff: the rest is said to be cut


class RuleHistoryPages:
    def __init__(self, console: Console, rulebook: RuleBook) -> None:
        self.console = console
        self.rulebook = rulebook
        self.versions = RuleVersions(console.store)

    async def index(self, request: Request, session, form) -> Response:
        before = request.query_params.get("before", "")
        below = int(before) if before.isascii() and before.isdigit() and len(before) < 19 else None
        rows = await self.versions.history(below, PAGE)
        return self.console.render(
            "rule_history.html",
            session=session,
            nav="rules",
            versions=rows,
            newest=await self.versions.newest_id(),
            in_force=self.rulebook.version,
            more=rows[-1].id if len(rows) == PAGE else None,
            done=request.query_params.get("done", "")[:20],
        )

    async def show(self, request: Request, session, form, status: int = 200, **context) -> Response:
        version = await self.versions.get(request.path_params["id"])
        if version is None:
            return self.console.refuse(404, "not_found", session)
        parent = await self.versions.text_of(version.parent) if version.parent else ""
        lines = await run_in_threadpool(_diff, parent or "", version.text, version.parent, version.id)
        return self.console.render(
            "rule_version.html",
            status=status,
            session=session,
            nav="rules",
            version=version,
            diff=lines[:MAX_DIFF_LINES],
            cut=max(0, len(lines) - MAX_DIFF_LINES),
            newest=await self.versions.newest_id(),
            **context,
        )

    async def revert(self, request: Request, session, form) -> Response:
        version = await self.versions.get(request.path_params["id"])
        if version is None:
            return self.console.refuse(404, "not_found", session)
        base = base_of(form)
        if base != await self.versions.newest_id():
            return await self.show(request, session, form, status=409, errors=[STALE])
        if form.get("confirm") != "1":
            return await self.show(request, session, form, confirming=True)
        ruleset, problems = await run_in_threadpool(
            check, version.text, self.rulebook.files, self.rulebook.groups, self.rulebook.organization
        )
        if ruleset is None:
            return await self.show(request, session, form, status=422, problems=problems)
        try:
            new = await self.versions.save(
                version.text, author=session.login, base=base, reverted_from=version.id
            )
        except VersionConflict:
            return await self.show(request, session, form, status=409, errors=[STALE])
        await self.rulebook.refresh()
        await self.console.record(
            session.actor,
            "rules_reverted",
            f"version={new} from={version.id} active={len(ruleset.active)}",
            request=request,
        )
        return self.console.redirect(f"/rules/history?done=reverted&version={new}")


def _diff(old: str, new: str, old_id: int, new_id: int) -> list[tuple[str, str]]:
    """(kind, line): kind "add", "del", "at" (a hunk's header), "file" or "" (context)."""
    out = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"v{old_id}", f"v{new_id}", lineterm="", n=3
    ):
        if line.startswith(("---", "+++")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "at"
        else:
            kind = {"+": "add", "-": "del"}.get(line[:1], "")
        out.append((kind, line))
    return out
