"""The client directory (取引先台帳) and the suppression list, kept in the database.

The admin console edits them; the proxy reads `snapshot()` to build the inspectors and polls
`stamp()` to know when to rebuild. Values come in validated and normalised (see
quarantine.directory_file: `domain`, `suppression_entry`, `read_clients`, `read_suppressions`);
this module only stores them. Every write is one transaction; an import is all or nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, Row, Table, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from inspectors.clients import Client

from .errors import QuarantineError
from .schema import clients, suppressions
from .store import Store

R = TypeVar("R")


class DirectoryConflict(QuarantineError, ValueError):
    """A client name or a suppression entry that is already on the list."""


@dataclass(frozen=True, kw_only=True)
class ClientRecord:
    id: int
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    updated_at: float

    def client(self) -> Client:
        return Client(name=self.name, aliases=self.aliases, domains=self.domains)


@dataclass(frozen=True, kw_only=True)
class SuppressionRecord:
    id: int
    entry: str  # "user@example.net" or "@example.net"
    note: str
    updated_at: float


@dataclass(frozen=True, kw_only=True)
class Directory:
    """What the inspectors are built from."""

    clients: tuple[Client, ...]
    suppressed: tuple[str, ...]


class DirectoryStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def clients(self) -> list[ClientRecord]:
        return await self._all(clients, clients.c.name, _client)

    async def client(self, client_id: int) -> ClientRecord | None:
        return await self._one(clients, client_id, _client)

    async def add_client(self, client: Client) -> int:
        async with self._writing(f"client {client.name!r} is already in the directory") as conn:
            result = await conn.execute(clients.insert().values(**_client_values(client)))
            return int(result.inserted_primary_key[0])  # type: ignore[index]  # one row inserted: never None

    async def update_client(self, client_id: int, client: Client) -> bool:
        async with self._writing(f"client {client.name!r} is already in the directory") as conn:
            result = await conn.execute(
                update(clients).where(clients.c.id == client_id).values(**_client_values(client))
            )
            return result.rowcount == 1

    async def delete_client(self, client_id: int) -> bool:
        return await self._delete(clients, client_id)

    async def import_clients(self, items: Iterable[Client], *, replace: bool = False) -> tuple[int, int]:
        """Add new names, update known ones (or, with `replace`, start from an empty directory).
        Returns (added, updated)."""
        items = list(items)
        async with self._writing("the import names a client twice") as conn:
            if replace:
                await conn.execute(delete(clients))
            known = dict((await conn.execute(select(clients.c.name, clients.c.id))).all())
            new = [_client_values(c) for c in items if c.name not in known]
            old = [{**_client_values(c), "_id": known[c.name]} for c in items if c.name in known]
            if new:
                await conn.execute(clients.insert(), new)
            if old:
                await conn.execute(update(clients).where(clients.c.id == bindparam("_id")), old)
        return len(new), len(old)

    async def suppressions(self) -> list[SuppressionRecord]:
        return await self._all(suppressions, suppressions.c.entry, _suppression)

    async def suppression(self, entry_id: int) -> SuppressionRecord | None:
        return await self._one(suppressions, entry_id, _suppression)

    async def add_suppression(self, entry: str, note: str = "") -> int:
        async with self._writing(f"{entry!r} is already on the suppression list") as conn:
            result = await conn.execute(
                suppressions.insert().values(entry=entry, note=note, updated_at=time.time())
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]  # one row inserted: never None

    async def update_suppression(self, entry_id: int, entry: str, note: str = "") -> bool:
        async with self._writing(f"{entry!r} is already on the suppression list") as conn:
            result = await conn.execute(
                update(suppressions)
                .where(suppressions.c.id == entry_id)
                .values(entry=entry, note=note, updated_at=time.time())
            )
            return result.rowcount == 1

    async def delete_suppression(self, entry_id: int) -> bool:
        return await self._delete(suppressions, entry_id)

    async def import_suppressions(
        self, entries: Iterable[str], *, replace: bool = False, note: str = ""
    ) -> tuple[int, int]:
        """Add the entries not yet listed (or, with `replace`, only these). Returns
        (added, already listed)."""
        entries = list(dict.fromkeys(entries))
        now = time.time()
        async with self.store.writing() as conn:
            if replace:
                await conn.execute(delete(suppressions))
            known = set((await conn.execute(select(suppressions.c.entry))).scalars())
            new = [{"entry": e, "note": note, "updated_at": now} for e in entries if e not in known]
            if new:
                await conn.execute(suppressions.insert(), new)
        return len(new), len(entries) - len(new)

    async def snapshot(self) -> Directory:
        records = await self.clients()
        return Directory(
            clients=tuple(r.client() for r in records),
            suppressed=tuple(r.entry for r in await self.suppressions()),
        )

    async def stamp(self) -> tuple:
        """Changes whenever either list changes (rows added, edited or deleted): poll it,
        and rebuild from `snapshot()` when it differs from the last one."""
        async with self.store.reading() as conn:
            out = []
            for table in (clients, suppressions):
                row = (
                    await conn.execute(select(func.count(), func.max(table.c.updated_at)).select_from(table))
                ).one()
                out.append((int(row[0]), row[1]))
            return tuple(out)

    async def _all(self, table: Table, order: ColumnElement, record: Callable[[Row], R]) -> list[R]:
        async with self.store.reading() as conn:
            return [record(r) for r in await conn.execute(select(table).order_by(order))]

    async def _one(self, table: Table, row_id: int, record: Callable[[Row], R]) -> R | None:
        async with self.store.reading() as conn:
            row = (await conn.execute(select(table).where(table.c.id == row_id))).first()
        return record(row) if row else None

    async def _delete(self, table: Table, row_id: int) -> bool:
        async with self.store.writing() as conn:
            return (await conn.execute(delete(table).where(table.c.id == row_id))).rowcount == 1

    @asynccontextmanager
    async def _writing(self, conflict: str) -> AsyncIterator[AsyncConnection]:
        """A write transaction whose unique-constraint violation is a DirectoryConflict."""
        try:
            async with self.store.writing() as conn:
                yield conn
        except IntegrityError:
            raise DirectoryConflict(conflict) from None


def _client_values(client: Client) -> dict:
    return {
        "name": client.name,
        "aliases": json.dumps(list(client.aliases), ensure_ascii=False),
        "domains": json.dumps(list(client.domains)),
        "updated_at": time.time(),
    }


def _client(row) -> ClientRecord:
    return ClientRecord(
        id=row.id,
        name=row.name,
        aliases=tuple(json.loads(row.aliases)),
        domains=tuple(json.loads(row.domains)),
        updated_at=row.updated_at,
    )


def _suppression(row) -> SuppressionRecord:
    return SuppressionRecord(id=row.id, entry=row.entry, note=row.note or "", updated_at=row.updated_at)
