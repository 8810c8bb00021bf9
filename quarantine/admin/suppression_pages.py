"""The suppression list (配信停止・送信禁止): addresses and @domains that must not be mailed.
List, add, edit, delete, CSV import and export. The entries are personal data: the audit
rows carry only ids and counts.
"""
from __future__ import annotations

from typing import Callable

from starlette.requests import Request
from starlette.responses import Response

from inspectors.directory import DirectoryError, read_suppressions, suppression_entry

from ..directory_store import DirectoryConflict, DirectoryStore
from .console import Console
from .directory_csv import ImportProblem, line_error, suppressions_csv, uploaded


def entry_from(form) -> tuple[str, str]:
    """(entry, note) from the add/edit form; raises DirectoryError naming the field."""
    text = str(form.get("entry", "")).strip()
    if not text or len(text) > 320:
        raise DirectoryError("entry: アドレスまたは @ドメイン を入力してください / "
                             "an address or @domain is required")
    note = str(form.get("note", "")).strip()[:500]
    return suppression_entry(text, "entry", 1), note


class SuppressionPages:
    def __init__(self, console: Console, directory: DirectoryStore, changed: Callable[[], None]) -> None:
        self.console = console
        self.directory = directory
        self.changed = changed

    async def index(self, request: Request, session, form, status: int = 200, **context) -> Response:
        context.setdefault("done", request.query_params.get("done", ""))
        return self.console.render("suppressions.html", status=status, session=session,
                                   nav="suppressions", entries=await self.directory.suppressions(),
                                   **context)

    async def add(self, request: Request, session, form) -> Response:
        try:
            entry_id = await self.directory.add_suppression(*entry_from(form))
        except (DirectoryError, DirectoryConflict) as exc:
            return await self.index(request, session, form, status=422, error=str(exc), typed=dict(form))
        await self._changed(session, request, "suppression_added", f"id={entry_id}")
        return self.console.redirect("/suppressions?done=added")

    async def edit(self, request: Request, session, form, status: int = 200, **context) -> Response:
        record = await self.directory.suppression(request.path_params["id"])
        if record is None:
            return self.console.refuse(404, "not_found", session)
        return self.console.render("suppression.html", status=status, session=session,
                                   nav="suppressions", record=record, **context)

    async def update(self, request: Request, session, form) -> Response:
        entry_id = request.path_params["id"]
        if form.get("op") == "delete":
            if not await self.directory.delete_suppression(entry_id):
                return self.console.refuse(404, "not_found", session)
            await self._changed(session, request, "suppression_deleted", f"id={entry_id}")
            return self.console.redirect("/suppressions?done=deleted")
        try:
            found = await self.directory.update_suppression(entry_id, *entry_from(form))
        except (DirectoryError, DirectoryConflict) as exc:
            return await self.edit(request, session, form, status=422, error=str(exc), typed=dict(form))
        if not found:
            return self.console.refuse(404, "not_found", session)
        await self._changed(session, request, "suppression_updated", f"id={entry_id}")
        return self.console.redirect("/suppressions?done=updated")

    async def import_csv(self, request: Request, session, form) -> Response:
        replace = form.get("replace") == "1"
        try:
            data, source = await uploaded(form.get("file"), "suppressions.csv")
            try:
                entries = read_suppressions(data, source)
            except DirectoryError as exc:
                raise ImportProblem(line_error(exc, source)) from None
            added, known = await self.directory.import_suppressions(entries, replace=replace, note="import")
        except ImportProblem as exc:
            return await self.index(request, session, form, status=422, import_error=str(exc))
        await self._changed(session, request, "suppressions_imported",
                            f"added={added} known={known} replace={int(replace)}")
        return await self.index(request, session, form, imported=(added, known))

    async def export(self, request: Request, session, form) -> Response:
        return suppressions_csv(await self.directory.suppressions())

    async def _changed(self, session, request: Request, action: str, detail: str) -> None:
        await self.console.record(session.actor, action, detail, request=request)
        self.changed()
