"""Sign-ons under way: what the guard must remember between sending a browser to the provider
and the provider sending it back (state, nonce, PKCE code_verifier, where to go after).

Kept in the database, not in memory, because the callback may reach another guard of the
cluster. The state is stored as its SHA-256 only (a database leak finishes no sign-on); a row
is taken once (a replayed state finds nothing) and lives ten minutes. Each row is bound to the
browser that started it through a cookie of its own (stored hashed too): a state carried into
another browser — a login CSRF that would sign the victim in as the attacker — finds no row.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from ..schema import sso_logins
from ..store import Store
from ..tokens import new_token, token_hash

TTL = 600.0  # seconds from the redirect to the provider's answer
# The start page writes a row for anyone who asks, before any sign-in: a flood of starts must
# not grow the table without bound (ten minutes of 16 starts a second is far beyond a company).
MAX_PENDING = 10_000


@dataclass(frozen=True, kw_only=True)
class PendingLogin:
    state: str
    nonce: str
    code_verifier: str
    next: str


class SsoLogins:
    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    async def begin(self, browser: str, next_path: str, code_verifier: str) -> PendingLogin | None:
        """A new pending login; None when too many are pending already (a flood of starts)."""
        now = self.clock()
        pending = PendingLogin(
            state=new_token(), nonce=new_token(), code_verifier=code_verifier, next=next_path[:2000]
        )
        async with self.store.writing() as conn:
            await conn.execute(delete(sso_logins).where(sso_logins.c.created_at < now - TTL))
            pending_now = (await conn.execute(select(func.count()).select_from(sso_logins))).scalar_one()
            if pending_now >= MAX_PENDING:
                return None
            await conn.execute(
                sso_logins.insert().values(
                    state_hash=token_hash(pending.state),
                    browser_hash=token_hash(browser),
                    nonce=pending.nonce,
                    code_verifier=code_verifier,
                    next=pending.next,
                    created_at=now,
                )
            )
        return pending

    async def take(self, state: str, browser: str) -> PendingLogin | None:
        """The login this state began in this browser, once; None when unknown, used, too old
        or begun in another browser (the row is spent all the same: one try per state)."""
        if not state or len(state) > 200 or len(browser) > 200:
            return None
        digest, now = token_hash(state), self.clock()
        async with self.store.writing() as conn:
            row = (await conn.execute(select(sso_logins).where(sso_logins.c.state_hash == digest))).first()
            if row is None:
                return None
            gone = await conn.execute(delete(sso_logins).where(sso_logins.c.state_hash == digest))
        if gone.rowcount != 1:  # another guard took it between our read and our delete
            return None
        if row.created_at < now - TTL or row.browser_hash != token_hash(browser):
            return None
        return PendingLogin(state=state, nonce=row.nonce, code_verifier=row.code_verifier, next=row.next)
