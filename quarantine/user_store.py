"""Users and roles, kept in the database (issue 20): the accounts SMTP AUTH and the console's
login check, shared by every guard instance on the same database.

Values come in validated (quarantine/passwords.py: login_problem, password_problem, ROLES) and
hashed; no secret is kept but the scrypt hash. Every change is one transaction that also bumps
user_revision, the one row the instances poll (quarantine/user_cache.py) to know when to reload.
An account is disabled, never deleted: its login stays taken, and the audit log keeps meaning.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import Row, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import trail
from .errors import QuarantineError
from .schema import admin_sessions, user_imports, user_revision, users
from .store import Store


class NotAnAdmin(QuarantineError, ValueError):
    """The admin making the change is no longer an enabled admin in the database (demoted or
    disabled on another instance, whose change this instance's copy has not seen yet)."""


class UserConflict(QuarantineError, ValueError):
    """A login that is already an account (or, on import, a file imported by another instance
    at the same moment: the caller tries again and finds it done)."""


@dataclass(frozen=True, kw_only=True)
class Account:
    login: str
    password_hash: str
    role: str
    disabled: bool
    created_at: float
    updated_at: float


@dataclass(frozen=True, kw_only=True)
class Imported:
    added: int
    kept: int  # logins already in the database: the database's account won


class UserStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def accounts(self) -> list[Account]:
        async with self.store.reading() as conn:
            rows = await conn.execute(select(users).order_by(users.c.login))
            return [_account(row) for row in rows]

    async def account(self, login: str) -> Account | None:
        async with self.store.reading() as conn:
            row = (await conn.execute(select(users).where(users.c.login == login.lower()))).first()
        return _account(row) if row else None

    async def revision(self) -> int:
        async with self.store.reading() as conn:
            value = await conn.scalar(select(user_revision.c.revision).where(user_revision.c.id == 1))
        return int(value or 0)

    async def add(self, login: str, password_hash: str, role: str) -> None:
        """A new account; UserConflict when the login is taken (disabled accounts too)."""
        async with self._changing() as conn:
            await conn.execute(users.insert().values(**_new(login, password_hash, role)))

    async def put(self, login: str, password_hash: str, role: str) -> bool:
        """`user add`: add the account, or replace its password and role and enable it (an
        audit row by "cli" either way). True when it was new."""
        async with self._changing() as conn:
            found = await conn.scalar(select(users.c.login).where(users.c.login == login.lower()))
            if found is None:
                await conn.execute(users.insert().values(**_new(login, password_hash, role)))
            else:
                await conn.execute(
                    update(users)
                    .where(users.c.login == login.lower())
                    .values(password_hash=password_hash, role=role, disabled=0, updated_at=time.time())
                )
                await _end_sessions(conn, login)
            action = "user_added" if found is None else "user_replaced"
            await trail.record(conn, None, "cli", None, action, f"login={login.lower()} role={role}")
            return found is None

    # `actor`: the console admin making the change. It must still be an enabled admin in the
    # database when the change is made (NotAnAdmin): the console refuses demoting oneself, so
    # the actor remaining an admin means an admin remains, even when two admins demote each
    # other at once (on two instances, each with a copy seconds old). None: the CLI, a test.

    async def set_password(self, login: str, password_hash: str, *, actor: str | None = None) -> bool:
        """A new password ends the console sessions opened with the old one (a reset after a
        theft must shut the thief out), in the same transaction."""
        return await self._set(login, actor, password_hash=password_hash)

    async def set_role(self, login: str, role: str, *, actor: str | None = None) -> bool:
        return await self._set(login, actor, role=role)

    async def set_disabled(self, login: str, disabled: bool, *, actor: str | None = None) -> bool:
        return await self._set(login, actor, disabled=int(disabled))

    async def import_file(self, sha256: str, accounts: Iterable[tuple[str, str, str]]) -> Imported | None:
        """A users file's (login, hash, role) lines, once per content: None when this content
        was imported before. Logins already in the database keep the database's account."""
        async with self._changing() as conn:
            if await conn.scalar(select(user_imports.c.sha256).where(user_imports.c.sha256 == sha256)):
                return None
            taken = set((await conn.execute(select(users.c.login))).scalars())
            added = kept = 0
            for login, password_hash, role in accounts:
                if login.lower() in taken:
                    kept += 1
                    continue
                await conn.execute(users.insert().values(**_new(login, password_hash, role)))
                taken.add(login.lower())
                added += 1
            await conn.execute(
                user_imports.insert().values(sha256=sha256, imported_at=time.time(), added=added, kept=kept)
            )
            await trail.record(
                conn, None, "system:users_file", None, "users_imported", f"added={added} kept={kept}"
            )
            return Imported(added=added, kept=kept)

    async def _set(self, login: str, actor: str | None, **values) -> bool:
        async with self._changing() as conn:
            result = await conn.execute(
                update(users).where(users.c.login == login.lower()).values(updated_at=time.time(), **values)
            )
            if actor is not None:
                await _still_admin(conn, actor)
            if "password_hash" in values or values.get("disabled"):
                await _end_sessions(conn, login)
            return bool(result.rowcount)

    @asynccontextmanager
    async def _changing(self) -> AsyncIterator[AsyncConnection]:
        """A write that the other instances must see: it bumps the revision in its transaction,
        first, so that concurrent changes take turns for the whole transaction (on PostgreSQL
        the row lock; on SQLite the write lock, taken before anything is read, so no instance
        decides on a snapshot another has changed meanwhile). The revision only ever grows."""
        try:
            async with self.store.writing() as conn:
                await conn.execute(
                    update(user_revision)
                    .where(user_revision.c.id == 1)
                    .values(revision=user_revision.c.revision + 1)
                )
                yield conn
        except IntegrityError:
            raise UserConflict("the login is already an account") from None


async def _still_admin(conn: AsyncConnection, actor: str) -> None:
    """Read inside the transaction that holds the revision row, so concurrent changes take
    turns: the second of two admins demoting each other finds himself demoted. An actor who is
    no account at all (a console without users, in tests) is not the database's to judge."""
    row = (
        await conn.execute(select(users.c.role, users.c.disabled).where(users.c.login == actor.lower()))
    ).first()
    if row is not None and (row.role != "admin" or row.disabled):
        raise NotAnAdmin("the acting admin is no longer an enabled admin")


async def _end_sessions(conn: AsyncConnection, login: str) -> None:
    """The account's console sessions (the cookie of whoever holds the old password)."""
    await conn.execute(delete(admin_sessions).where(admin_sessions.c.login == login.lower()))


def _new(login: str, password_hash: str, role: str) -> dict:
    now = time.time()
    return {
        "login": login.lower(),
        "password_hash": password_hash,
        "role": role,
        "disabled": 0,
        "created_at": now,
        "updated_at": now,
    }


def _account(row: Row) -> Account:
    return Account(
        login=row.login,
        password_hash=row.password_hash,
        role=row.role,
        disabled=bool(row.disabled),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
