"""Sign-ons under way: what the guard must remember between sending a browser to the provider
and the provider sending it back — and nothing that would finish a sign-on by itself.

Kept in the database, not in memory, because the callback may reach another guard of the
cluster. A row holds the SHA-256 of the state, of the browser's own cookie (mdg_sso) and of the
nonce, where to go after, the client address and the expiry: a copy of the table finishes no
sign-on. The PKCE code_verifier is never stored: it is HMAC-SHA256(key = the browser's random
cookie, message = the state), made again at the callback from what the browser brings back, so
it exists only while the flow runs (RFC 7636 §1: a code seen on its way back is useless without
it). A row is taken once (a replayed state finds nothing) and lives ten minutes; a state carried
into another browser — a login CSRF that would sign the victim in as the attacker — finds no row.

Starts come before any sign-in, from anyone: each client address may have MAX_PER_CLIENT
pending at once (IPv6 by its /64, one machine's usual share), so one client's flood refuses
only that client; the table as a whole stops at MAX_PENDING, far above what many clients of a
company start in ten minutes. Expired rows are deleted at each start and by the retention
purge (quarantine/retention.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv6Address, ip_address, ip_network

from sqlalchemy import delete, func, select

from ..schema import sso_logins
from ..store import Store
from ..tokens import new_token, same, token_hash

TTL = 600.0  # seconds from the redirect to the provider's answer
MAX_PER_CLIENT = 30  # pending starts of one client address (a person retrying, a shared NAT)
MAX_PENDING = 100_000  # all clients together: a bound on the table, not a limit anyone meets


@dataclass(frozen=True, kw_only=True)
class PendingLogin:
    state: str
    code_verifier: str  # derived from the browser's cookie and the state, never stored
    nonce_hash: str  # the ID token's nonce must hash to this
    next: str
    nonce: str = ""  # at the start only: the value sent to the provider


def code_verifier(browser: str, state: str) -> str:
    """RFC 7636 §4.1: 43 characters of base64url, here an HMAC only this browser can make again."""
    digest = hmac.new(browser.encode("ascii", "replace"), state.encode("ascii", "replace"), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def client_key(addr: str | None) -> str:
    """The address a start is counted against: IPv4 as it is, IPv6 by its /64."""
    try:
        ip = ip_address(addr or "")
    except ValueError:
        return (addr or "")[:64]
    if isinstance(ip, IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ip_network(f"{ip}/64", strict=False))
    return str(ip)


class SsoLogins:
    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    async def begin(self, browser: str, next_path: str, client: str | None = None) -> PendingLogin | None:
        """A new pending login; None when this client (or everybody) has too many pending."""
        now, key = self.clock(), client_key(client)
        state, nonce = new_token(), new_token()
        pending = PendingLogin(
            state=state,
            code_verifier=code_verifier(browser, state),
            nonce=nonce,
            nonce_hash=token_hash(nonce),
            next=next_path[:2000],
        )
        async with self.store.writing() as conn:
            await conn.execute(delete(sso_logins).where(sso_logins.c.expires_at < now))
            count = select(func.count()).select_from(sso_logins)
            mine = (await conn.execute(count.where(sso_logins.c.client == key))).scalar_one()
            if mine >= MAX_PER_CLIENT or (await conn.execute(count)).scalar_one() >= MAX_PENDING:
                return None
            await conn.execute(
                sso_logins.insert().values(
                    state_hash=token_hash(state),
                    browser_hash=token_hash(browser),
                    nonce_hash=pending.nonce_hash,
                    client=key,
                    next=pending.next,
                    expires_at=now + TTL,
                )
            )
        return pending

    async def take(self, state: str, browser: str) -> PendingLogin | None:
        """The login this state began in this browser, once; None when unknown, used, too old
        or begun in another browser (the row is spent all the same: one try per state)."""
        if not state or len(state) > 200:
            return None
        digest, now = token_hash(state), self.clock()
        async with self.store.writing() as conn:
            row = (await conn.execute(select(sso_logins).where(sso_logins.c.state_hash == digest))).first()
            if row is None:
                return None
            gone = await conn.execute(delete(sso_logins).where(sso_logins.c.state_hash == digest))
        if gone.rowcount != 1:  # another guard took it between our read and our delete
            return None
        if row.expires_at < now or not browser or len(browser) > 200:
            return None
        if not same(row.browser_hash, token_hash(browser)):
            return None
        return PendingLogin(
            state=state, code_verifier=code_verifier(browser, state), nonce_hash=row.nonce_hash, next=row.next
        )

    async def purge(self, now: float) -> int:
        """Sign-ons abandoned at the provider: gone once their ten minutes are over."""
        async with self.store.writing() as conn:
            gone = await conn.execute(delete(sso_logins).where(sso_logins.c.expires_at < now))
        return gone.rowcount or 0
