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

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import trail
from .errors import QuarantineError
from .schema import admin_sessions, user_imports, user_revision, users
from .store import Store


class LastAdmin(QuarantineError, ValueError):
    """The change would leave no enabled admin: nobody could open the console again."""


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

    async def set_password(self, login: str, password_hash: str) -> bool:
        """A new password ends the console sessions opened with the old one (a reset after a
        theft must shut the thief out), in the same transaction."""
        return await self._set(login, password_hash=password_hash)

    async def set_role(self, login: str, role: str) -> bool:
        """LastAdmin when it would demote the last enabled admin."""
        return await self._set(login, role=role)

    async def set_disabled(self, login: str, disabled: bool) -> bool:
        """LastAdmin when it would disable the last enabled admin."""
        return await self._set(login, disabled=int(disabled))

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

    async def _set(self, login: str, **values) -> bool:
        async with self._changing() as conn:
            was = (await conn.execute(select(users).where(users.c.login == login.lower()))).first()
            result = await conn.execute(
                update(users).where(users.c.login == login.lower()).values(updated_at=time.time(), **values)
            )
            if was is not None and was.role == "admin" and not was.disabled:
                await _keep_an_admin(conn)
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


async def _keep_an_admin(conn: AsyncConnection) -> None:
    """Counted after the change, inside the transaction that holds the revision row: two
    admins demoting each other on two instances take turns, and the second finds no other
    admin (each instance's copy may be seconds old; this count is not)."""
    enabled_admin = (users.c.role == "admin") & (users.c.disabled == 0)
    if not await conn.scalar(select(func.count()).select_from(users).where(enabled_admin)):
        raise LastAdmin("no enabled admin would remain")


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
