"""The accounts in force on this instance: a copy of the users table, refreshed when another
instance (or the console here, or `user add`) changes it.

Every POLL seconds one small query reads user_revision; only when it moved is the table read
again, so a change applies on every instance within POLL plus one reload (the issue asks for
5 s), and an AUTH or a console login costs no database round trip: `check` is a dictionary
look-up and the scrypt verification. While the database cannot be read, the last copy stays
in force (logged), as the file read at start-up did before.
"""

from __future__ import annotations

import asyncio
import logging

from .batching import refresh_every
from .passwords import DUMMY_HASH, verify_password
from .user_store import Account, UserStore

log = logging.getLogger("guard.users")

POLL = 2.0


class UserCache:
    def __init__(self, users: UserStore, *, poll: float = POLL) -> None:
        self.users = users
        self.poll = poll
        self._by_login: dict[str, Account] = {}
        self._revision: int | None = None

    async def load(self) -> None:
        """Read the table (the revision first: a change made meanwhile is read again later)."""
        revision = await self.users.revision()
        accounts = await self.users.accounts()
        self._by_login = {a.login: a for a in accounts}  # one assignment: readers see old or new
        self._revision = revision

    async def refresh(self) -> None:
        """Reload when the revision moved: the poll's step, and the console's after a change."""
        if await self.users.revision() != self._revision:
            await self.load()
            log.info("event=users_reloaded accounts=%d revision=%s", len(self._by_login), self._revision)

    async def watch(self, stopping: asyncio.Event) -> None:
        await refresh_every(self.poll, stopping, self.refresh, "users")

    def check(self, login: str, password: str) -> Account | None:
        """The enabled account whose password this is, or None. Plain function: the scrypt
        work runs in the caller's thread."""
        account = self._by_login.get(login.lower())
        if account is None or account.disabled:
            # The same work for an unknown or disabled login: timing tells nothing.
            verify_password(password, DUMMY_HASH)
            return None
        return account if verify_password(password, account.password_hash) else None

    def role_of(self, login: str) -> str | None:
        """The role of an enabled account; None for an unknown or disabled login."""
        account = self._by_login.get(login.lower())
        return None if account is None or account.disabled else account.role

    def admins(self) -> tuple[str, ...]:
        return tuple(sorted(a.login for a in self._by_login.values() if a.role == "admin" and not a.disabled))
