"""The client directory (取引先台帳): list, add, edit, delete, CSV import and export.

Names, aliases and domains of client companies are business data, not personal data; the
audit rows still carry only ids and counts.
"""
from __future__ import annotations

import re
from typing import Callable

from starlette.requests import Request
from starlette.responses import Response

from inspectors.clients import Client
from inspectors.directory import DirectoryError, domain, read_clients

from ..directory_store import DirectoryConflict, DirectoryStore
from .console import Console
from .directory_csv import ImportProblem, clients_csv, line_error, uploaded

_DOMAIN_SPLIT = re.compile(r"[\s,;、；]+")


def client_from(form) -> Client:
    """A client from the add/edit form: aliases one per line, domains one per line (or
    separated by commas). Raises DirectoryError naming the field."""
    name = str(form.get("name", "")).strip()
    if not name or len(name) > 300:
        raise DirectoryError("name: 会社名を入力してください / "
                             "a name of 1 to 300 characters is required")
    aliases = tuple(dict.fromkeys(a.strip() for a in str(form.get("aliases", "")).splitlines() if a.strip()))
    texts = [d for d in _DOMAIN_SPLIT.split(str(form.get("domains", ""))) if d]
    domains = tuple(dict.fromkeys(domain(d, "domains", i) for i, d in enumerate(texts, 1)))
    return Client(name=name, aliases=aliases, domains=domains)


class ClientPages:
    def __init__(self, console: Console, directory: DirectoryStore, changed: Callable[[], None]) -> None:
        self.console = console
        self.directory = directory
        self.changed = changed

    async def index(self, request: Request, session, form, status: int = 200, **context) -> Response:
        context.setdefault("done", request.query_params.get("done", ""))
        return self.console.render("clients.html", status=status, session=session, nav="clients",
                                   clients=await self.directory.clients(), **context)

    async def add(self, request: Request, session, form) -> Response:
        try:
            client_id = await self.directory.add_client(client_from(form))
        except (DirectoryError, DirectoryConflict) as exc:
            return await self.index(request, session, form, status=422, error=str(exc), typed=dict(form))
        await self._changed(session, request, "client_added", f"id={client_id}")
        return self.console.redirect("/clients?done=added")

    async def edit(self, request: Request, session, form, status: int = 200, **context) -> Response:
        record = await self.directory.client(request.path_params["id"])
        if record is None:
            return self.console.refuse(404, "not_found", session)
        return self.console.render("client.html", status=status, session=session, nav="clients",
                                   record=record, **context)

    async def update(self, request: Request, session, form) -> Response:
        client_id = request.path_params["id"]
        if form.get("op") == "delete":
            if not await self.directory.delete_client(client_id):
                return self.console.refuse(404, "not_found", session)
            await self._changed(session, request, "client_deleted", f"id={client_id}")
            return self.console.redirect("/clients?done=deleted")
        try:
            found = await self.directory.update_client(client_id, client_from(form))
        except (DirectoryError, DirectoryConflict) as exc:
            return await self.edit(request, session, form, status=422, error=str(exc), typed=dict(form))
        if not found:
            return self.console.refuse(404, "not_found", session)
        await self._changed(session, request, "client_updated", f"id={client_id}")
        return self.console.redirect("/clients?done=updated")

    async def import_csv(self, request: Request, session, form) -> Response:
        replace = form.get("replace") == "1"
        try:
            data, source = await uploaded(form.get("file"), "clients.csv")
            try:
                items = read_clients(data, source)
            except DirectoryError as exc:
                raise ImportProblem(line_error(exc, source)) from None
            added, updated = await self.directory.import_clients(items, replace=replace)
        except (ImportProblem, DirectoryConflict) as exc:
            return await self.index(request, session, form, status=422, import_error=str(exc))
        await self._changed(session, request, "clients_imported",
                            f"added={added} updated={updated} replace={int(replace)}")
        return await self.index(request, session, form, imported=(added, updated))

    async def export(self, request: Request, session, form) -> Response:
        return clients_csv(await self.directory.clients())

    async def _changed(self, session, request: Request, action: str, detail: str) -> None:
        await self.console.record(session.actor, action, detail, request=request)
        self.changed()
