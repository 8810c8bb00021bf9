"""Console login sessions and the lock-out, kept in the database so that every guard
instance knows them.

The cookie carries a random id; the table keeps only its SHA-256, so a database leak opens
no session. A session ends on logout, after `idle` seconds without a request, or `lifetime`
seconds after login, whichever comes first. Each session has its own CSRF token.

`max_failures` failed logins for one login name within `window` seconds lock that name for
`lock` seconds. While locked, attempts are refused without checking the password and are
not counted (the lock does not grow while someone keeps trying). A success, or the lock
itself, starts the count again.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..schema import admin_sessions, login_attempts
from ..store import reading
from ..tokens import new_csrf, new_token, same, token_hash

IDLE = 30 * 60.0
LIFETIME = 12 * 3600.0
TOUCH_EVERY = 60.0      # last_seen is written at most once a minute, not on every request
MAX_FAILURES = 5
WINDOW = 15 * 60.0
LOCK = 15 * 60.0
KEEP = 86400.0          # login attempts older than this are purged


@dataclass(frozen=True, kw_only=True)
class Session:
    login: str
    role: str
    csrf: str
    created_at: float
    last_seen: float

    @property
    def actor(self) -> str:
        return f"admin:{self.login}"

    def csrf_ok(self, presented: str) -> bool:
        return bool(presented) and same(presented, self.csrf)


class Sessions:
    def __init__(self, engine: AsyncEngine, *, idle: float = IDLE, lifetime: float = LIFETIME,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.idle = idle
        self.lifetime = lifetime
        self.clock = clock

    async def open(self, login: str, role: str, client_addr: str | None) -> tuple[str, Session]:
        """A new session (a fresh id at every login: no fixation); returns (cookie id, session)."""
        session_id, now = new_token(), self.clock()
        session = Session(login=login, role=role, csrf=new_csrf(), created_at=now, last_seen=now)
        async with self.engine.begin() as conn:
            await conn.execute(delete(admin_sessions).where(
                (admin_sessions.c.last_seen < now - self.idle)
                | (admin_sessions.c.created_at < now - self.lifetime)))
            await conn.execute(admin_sessions.insert().values(
                id_hash=token_hash(session_id), login=login, role=role, csrf=session.csrf,
                created_at=now, last_seen=now, client_addr=client_addr))
        return session_id, session

    async def find(self, session_id: str | None) -> Session | None:
        """The live session behind a cookie value, or None (unknown, idle too long, too old)."""
        if not session_id or len(session_id) > 200:
            return None
        digest, now = token_hash(session_id), self.clock()
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(admin_sessions)
                                      .where(admin_sessions.c.id_hash == digest))).first()
        if row is None or not same(row.id_hash, digest):
            return None
        if row.last_seen < now - self.idle or row.created_at < now - self.lifetime:
            await self.close(session_id)
            return None
        if now - row.last_seen > TOUCH_EVERY:
            async with self.engine.begin() as conn:
                await conn.execute(update(admin_sessions).where(admin_sessions.c.id_hash == digest)
                                   .values(last_seen=now))
        return Session(login=row.login, role=row.role, csrf=row.csrf, created_at=row.created_at,
                       last_seen=now)

    async def close(self, session_id: str | None) -> None:
        if not session_id:
            return
        async with self.engine.begin() as conn:
            await conn.execute(delete(admin_sessions)
                               .where(admin_sessions.c.id_hash == token_hash(session_id)))


def login_key(login: str) -> str:
    return login.strip().lower()[:254]


class Lockout:
    def __init__(self, engine: AsyncEngine, *, max_failures: int = MAX_FAILURES,
                 window: float = WINDOW, lock: float = LOCK,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.max_failures = max_failures
        self.window = window
        self.lock = lock
        self.clock = clock

    async def locked_until(self, login: str) -> float | None:
        """When the lock on `login` ends, or None when it may try."""
        now = self.clock()
        async with reading(self.engine) as conn:
            last = (await conn.execute(select(func.max(login_attempts.c.at)).where(
                login_attempts.c.login == login_key(login), login_attempts.c.outcome == "lockout",
                login_attempts.c.at > now - self.lock))).scalar()
        return last + self.lock if last is not None else None

    async def failed(self, login: str, client_addr: str | None) -> bool:
        """Record a failure; True when it locks the login."""
        key, now = login_key(login), self.clock()
        async with self.engine.begin() as conn:
            await self._insert(conn, key, now, "failure", client_addr)
            if await self._recent_failures(conn, key, now) < self.max_failures:
                return False
            await self._insert(conn, key, now, "lockout", client_addr)
        return True

    async def succeeded(self, login: str, client_addr: str | None) -> None:
        now = self.clock()
        async with self.engine.begin() as conn:
            await conn.execute(delete(login_attempts).where(login_attempts.c.at < now - KEEP))
            await self._insert(conn, login_key(login), now, "success", client_addr)

    async def _recent_failures(self, conn: AsyncConnection, key: str, now: float) -> int:
        reset = (await conn.execute(select(func.max(login_attempts.c.at)).where(
            login_attempts.c.login == key,
            login_attempts.c.outcome.in_(("success", "lockout"))))).scalar()
        since = max(now - self.window, reset if reset is not None else 0.0)
        return (await conn.execute(select(func.count()).select_from(login_attempts).where(
            login_attempts.c.login == key, login_attempts.c.outcome == "failure",
            login_attempts.c.at > since))).scalar_one()

    @staticmethod
    async def _insert(conn: AsyncConnection, key: str, now: float, outcome: str,
                      client_addr: str | None) -> None:
        await conn.execute(login_attempts.insert().values(login=key, at=now, outcome=outcome,
                                                          client_addr=client_addr))
