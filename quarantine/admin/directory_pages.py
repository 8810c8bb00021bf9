"""The pages of one directory list (the client directory, the suppression list): list, add,
edit, delete, CSV import and export. A subclass names the list and says how its entries are
read from a form or a CSV file, stored and written out; the audit rows carry only ids and
counts, whichever the list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..directory_file import DirectoryError
from ..directory_store import DirectoryConflict, DirectoryStore
from .console import Console
from .directory_csv import ImportProblem, import_error, line_error, replace_unconfirmed, uploaded


class DirectoryPages:
    name: str  # "clients": the path, the menu entry, the list template
    noun: str  # "client": the entry template, the audit actions
    listed_as: str  # the list's name in the list template
    import_counts: tuple[str, str]  # what the import's two counts are, for the audit row

    def __init__(
        self,
        console: Console,
        directory: DirectoryStore,
        changed: Callable[[], None],
        from_file: Sequence[Any] = (),
    ) -> None:
        self.console = console
        self.directory = directory
        self.changed = changed
        # The configuration file's entries: in force beside the console's, shown with them,
        # changed only in the file (issue 18)
        self.from_file = tuple(from_file)

    # --- what each list provides -----------------------------------------------------------
    def parse(self, form) -> Any:
        """An entry from the add/edit form; raises DirectoryError naming the field."""
        raise NotImplementedError

    async def entries(self) -> list:
        raise NotImplementedError

    async def entry(self, entry_id: int):
        raise NotImplementedError

    async def insert(self, value) -> int:
        raise NotImplementedError

    async def replace(self, entry_id: int, value) -> bool:
        raise NotImplementedError

    async def remove(self, entry_id: int) -> bool:
        raise NotImplementedError

    def read_csv(self, data: bytes, source: str) -> list:
        raise NotImplementedError

    async def import_entries(self, items: list, replace: bool) -> tuple[int, int]:
        raise NotImplementedError

    def csv_of(self, records: list) -> Response:
        raise NotImplementedError

    # --- the pages --------------------------------------------------------------------------
    async def index(self, request: Request, session, form, status: int = 200, **context) -> Response:
        context.setdefault("done", request.query_params.get("done", ""))
        context[self.listed_as] = await self.entries()
        context["from_file"] = self.from_file
        return self.console.render(
            f"{self.name}.html", status=status, session=session, nav=self.name, **context
        )

    async def add(self, request: Request, session, form) -> Response:
        try:
            entry_id = await self.insert(self.parse(form))
        except (DirectoryError, DirectoryConflict) as exc:
            return await self.index(request, session, form, status=422, error=str(exc), typed=dict(form))
        await self._changed(session, request, "added", f"id={entry_id}")
        return self.console.redirect(f"/{self.name}?done=added")

    async def edit(self, request: Request, session, form, status: int = 200, **context) -> Response:
        record = await self.entry(request.path_params["id"])
        if record is None:
            return self.console.refuse(404, "not_found", session)
        return self.console.render(
            f"{self.noun}.html", status=status, session=session, nav=self.name, record=record, **context
        )

    async def update(self, request: Request, session, form) -> Response:
        entry_id = request.path_params["id"]
        if form.get("op") == "delete":
            if not await self.remove(entry_id):
                return self.console.refuse(404, "not_found", session)
            await self._changed(session, request, "deleted", f"id={entry_id}")
            return self.console.redirect(f"/{self.name}?done=deleted")
        try:
            found = await self.replace(entry_id, self.parse(form))
        except (DirectoryError, DirectoryConflict) as exc:
            return await self.edit(request, session, form, status=422, error=str(exc), typed=dict(form))
        if not found:
            return self.console.refuse(404, "not_found", session)
        await self._changed(session, request, "updated", f"id={entry_id}")
        return self.console.redirect(f"/{self.name}?done=updated")

    async def import_csv(self, request: Request, session, form) -> Response:
        replace = form.get("replace") == "1"
        # Replacing deletes every entry the file does not list: asked for twice, checked here.
        if replace and form.get("confirm_replace") != "1":
            return await self.index(request, session, form, status=422, import_error=replace_unconfirmed())
        try:
            data, source = await uploaded(form.get("file"), f"{self.name}.csv")
            try:
                items = self.read_csv(data, source)
            except DirectoryError as exc:
                raise ImportProblem(line_error(exc, source)) from None
            counts = await self.import_entries(items, replace)
        except (ImportProblem, DirectoryConflict) as exc:
            return await self.index(request, session, form, status=422, import_error=import_error(exc))
        first, second = self.import_counts
        await self.console.record(
            session.actor,
            f"{self.name}_imported",
            f"{first}={counts[0]} {second}={counts[1]} replace={int(replace)}",
            request=request,
        )
        self.changed()
        return await self.index(request, session, form, imported=counts)

    async def export(self, request: Request, session, form) -> Response:
        return self.csv_of(await self.entries())

    async def _changed(self, session, request: Request, what: str, detail: str) -> None:
        await self.console.record(session.actor, f"{self.noun}_{what}", detail, request=request)
        self.changed()
