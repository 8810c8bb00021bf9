"""Console login sessions, kept in the database so that every guard instance knows them.

The cookie carries a random id; the table keeps only its SHA-256, so a database leak opens
no session. A session ends on logout, after `idle` seconds without a request, or `lifetime`
seconds after login, whichever comes first. Each session has its own CSRF token.

Failed logins are throttle.py's: delays, never a lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from ..schema import admin_sessions
from ..store import Store
from ..tokens import new_csrf, new_token, same, token_hash

IDLE = 30 * 60.0
LIFETIME = 12 * 3600.0
TOUCH_EVERY = 60.0  # last_seen is written at most once a minute, not on every request


@dataclass(frozen=True, kw_only=True)
class Session:
    login: str
    role: str
    csrf: str
    created_at: float
    last_seen: float
    source: str = "password"  # or "sso": the role was mapped from the provider's claims at sign-in

    @property
    def actor(self) -> str:
        """Who an audit row names: an admin by his login (the audit trail's promise); anyone
        else signed in only by the way he came, "sso" or "me" (password), his role in the
        row's detail: a sender is no admin, and his address is not kept in the audit for a year."""
        if self.role == "admin":
            return f"admin:{self.login}"
        return "sso" if self.source == "sso" else "me"

    def csrf_ok(self, presented: str) -> bool:
        return bool(presented) and same(presented, self.csrf)


class Sessions:
    def __init__(
        self,
        store: Store,
        *,
        idle: float = IDLE,
        lifetime: float = LIFETIME,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.idle = idle
        self.lifetime = lifetime
        self.clock = clock

    async def open(
        self, login: str, role: str, client_addr: str | None, source: str = "password"
    ) -> tuple[str, Session]:
        """A new session (a fresh id at every login: no fixation); returns (cookie id, session)."""
        session_id, now = new_token(), self.clock()
        session = Session(
            login=login, role=role, csrf=new_csrf(), created_at=now, last_seen=now, source=source
        )
        async with self.store.writing() as conn:
            await conn.execute(
                delete(admin_sessions).where(
                    (admin_sessions.c.last_seen < now - self.idle)
                    | (admin_sessions.c.created_at < now - self.lifetime)
                )
            )
            await conn.execute(
                admin_sessions.insert().values(
                    id_hash=token_hash(session_id),
                    login=login,
                    role=role,
                    csrf=session.csrf,
                    created_at=now,
                    last_seen=now,
                    client_addr=client_addr,
                    source=source,
                )
            )
        return session_id, session

    async def find(self, session_id: str | None) -> Session | None:
        """The live session behind a cookie value, or None (unknown, idle too long, too old)."""
        if not session_id or len(session_id) > 200:
            return None
        digest, now = token_hash(session_id), self.clock()
        async with self.store.reading() as conn:
            row = (
                await conn.execute(select(admin_sessions).where(admin_sessions.c.id_hash == digest))
            ).first()
        if row is None or not same(row.id_hash, digest):
            return None
        if row.last_seen < now - self.idle or row.created_at < now - self.lifetime:
            await self.close(session_id)
            return None
        if now - row.last_seen > TOUCH_EVERY:
            async with self.store.writing() as conn:
                await conn.execute(
                    update(admin_sessions).where(admin_sessions.c.id_hash == digest).values(last_seen=now)
                )
        return Session(
            login=row.login,
            role=row.role,
            csrf=row.csrf,
            created_at=row.created_at,
            last_seen=now,
            source=row.source,
        )

    async def close(self, session_id: str | None) -> None:
        if not session_id:
            return
        async with self.store.writing() as conn:
            await conn.execute(
                delete(admin_sessions).where(admin_sessions.c.id_hash == token_hash(session_id))
            )


def login_key(login: str) -> str:
    return login.strip().lower()[:254]
