"""The codes that let a download link's recipient in, and the sessions they open.

A link alone does not download: mail scanners open links, and a forwarded mail carries it.
The recipient asks for a code (mailed to their address: proof they read that mailbox), enters
it, and gets a session. Only hashes are stored: a code as HMAC-SHA256 under a random salt of
its own (six digits are quickly tried against a plain hash, but not without the salt's row),
a session as SHA-256. Every count (requests, wrong attempts) changes under a lock on the
recipient's row and by a conditional UPDATE, so instances sharing a PostgreSQL count once.
"""

from __future__ import annotations

import hmac
import json
import secrets
from hashlib import sha256

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import outbound, trail
from .records import LinkedNotice
from .schema import share_recipients, shares
from .share_records import ACTIVE
from .tokens import same, token_hash

CODE_LIFETIME = 600.0  # a code works 10 minutes after it was mailed
MAX_ATTEMPTS = 5  # wrong codes before the code is locked (a new one must be asked for)
REQUESTS_PER_HOUR = 5  # codes a recipient may ask for in an hour
SESSION_LIFETIME = 1800.0
_HOUR = 3600.0


def new_code() -> str:
    """Six random digits, as the worker mails them."""
    return f"{secrets.randbelow(10**6):06d}"


def code_hash(share_id: str, address: str, code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    message = f"{share_id}\n{address}\n{code}".encode()
    return f"{salt}${hmac.new(bytes.fromhex(salt), message, sha256).hexdigest()}"


def code_matches(stored: str, share_id: str, address: str, code: str) -> bool:
    salt = stored.split("$", 1)[0]
    try:
        return same(code_hash(share_id, address, code, salt), stored)
    except ValueError:  # a salt that is not hex: nothing matches it
        return False


async def recipient(conn: AsyncConnection, share_id: str, address: str, *, lock: bool = False):
    """The recipient's row; `lock`: held until the transaction ends (PostgreSQL; SQLite's
    write transactions are serial already)."""
    query = select(share_recipients).where(
        share_recipients.c.share_id == share_id, share_recipients.c.address == address
    )
    return (await conn.execute(query.with_for_update() if lock else query)).first()


async def live(conn: AsyncConnection, share_id: str, now: float) -> bool:
    row = (
        await conn.execute(select(shares.c.state, shares.c.expires_at).where(shares.c.id == share_id))
    ).first()
    return row is not None and row.state == ACTIVE and now < row.expires_at


async def request(conn: AsyncConnection, share_id: str, address: str, now: float, draft: LinkedNotice) -> str:
    """Queue the code mail (`draft`, rendered with a fresh code when it is sent) in this
    transaction: "queued", "too_many" (REQUESTS_PER_HOUR already) or "not_live"."""
    if not await live(conn, share_id, now):
        return "not_live"
    row = await recipient(conn, share_id, address, lock=True)
    if row is None:
        return "not_live"
    times = _recent(row.code_requests, now)
    if len(times) >= REQUESTS_PER_HOUR:
        await trail.record(conn, share_id, "recipient", None, "download_code_requested", "outcome=too_many")
        return "too_many"
    result = await conn.execute(
        update(share_recipients)
        .where(share_recipients.c.id == row.id, share_recipients.c.code_requests == row.code_requests)
        .values(code_requests=json.dumps([*times, now]))
    )
    if result.rowcount != 1:  # counted by another request meanwhile
        return "too_many"
    await outbound.enqueue_notice(conn, share_id, draft, now)
    detail = f"outcome=queued requests={len(times) + 1}"
    await trail.record(conn, share_id, "recipient", None, "download_code_requested", detail)
    return "queued"


async def set_code(conn: AsyncConnection, share_id: str, address: str, code: str, now: float) -> bool:
    """The code the worker mails now replaces any earlier one. False: not live, or unknown."""
    if not await live(conn, share_id, now):
        return False
    result = await conn.execute(
        update(share_recipients)
        .where(share_recipients.c.share_id == share_id, share_recipients.c.address == address)
        .values(
            code_hash=code_hash(share_id, address, code),
            code_expires_at=now + CODE_LIFETIME,
            code_attempts=0,
        )
    )
    if result.rowcount != 1:
        return False
    await trail.record(conn, share_id, "system", None, "download_code_sent", "recipients=1")
    return True


async def check(
    conn: AsyncConnection, share_id: str, address: str, code: str, now: float, session: str
) -> str:
    """ "ok" (the code is used up; `session` opens downloads for SESSION_LIFETIME), "wrong",
    "expired", "locked" (MAX_ATTEMPTS wrong: the last wrong one says so too) or "none" (no
    code to check: never asked, used, or the share is not live)."""
    if not await live(conn, share_id, now):
        return "none"
    row = await recipient(conn, share_id, address, lock=True)
    if row is None or row.code_hash is None:
        return "none"
    if row.code_attempts >= MAX_ATTEMPTS:
        return await _failed(conn, share_id, "locked", row.code_attempts)
    if row.code_expires_at is None or now >= row.code_expires_at:
        return await _failed(conn, share_id, "expired", row.code_attempts)
    this_code = (
        share_recipients.c.id == row.id,
        share_recipients.c.code_hash == row.code_hash,
        share_recipients.c.code_attempts < MAX_ATTEMPTS,
    )
    if code_matches(row.code_hash, share_id, address, code.strip()):
        result = await conn.execute(
            update(share_recipients)
            .where(*this_code)
            .values(
                code_hash=None,
                code_expires_at=None,
                code_attempts=0,
                session_hash=token_hash(session),
                session_expires_at=now + SESSION_LIFETIME,
            )
        )
        if result.rowcount != 1:  # used by a concurrent check
            return "none"
        await trail.record(conn, share_id, "recipient", None, "download_code_verified", "")
        return "ok"
    result = await conn.execute(
        update(share_recipients).where(*this_code).values(code_attempts=share_recipients.c.code_attempts + 1)
    )
    if result.rowcount != 1:
        return "locked"
    attempts = row.code_attempts + 1
    return await _failed(conn, share_id, "locked" if attempts >= MAX_ATTEMPTS else "wrong", attempts)


def session_matches(row, session: str, now: float) -> bool:
    if row.session_hash is None or row.session_expires_at is None or now >= row.session_expires_at:
        return False
    return same(row.session_hash, token_hash(session))


async def forget(conn: AsyncConnection, share_id: str) -> None:
    """No code, no session of this share works any more (revoked, purged)."""
    await conn.execute(
        update(share_recipients)
        .where(share_recipients.c.share_id == share_id)
        .values(code_hash=None, code_expires_at=None, session_hash=None, session_expires_at=None)
    )


async def _failed(conn: AsyncConnection, share_id: str, outcome: str, attempts: int) -> str:
    detail = f"reason={outcome} attempts={attempts}"
    await trail.record(conn, share_id, "recipient", None, "download_code_failed", detail)
    return outcome


def _recent(text: str | None, now: float) -> list[float]:
    """The request times of the last hour, from the stored JSON (anything else ignored)."""
    try:
        times = json.loads(text or "[]")
    except ValueError:
        return []
    if not isinstance(times, list):
        return []
    return [float(t) for t in times if isinstance(t, (int, float)) and now - _HOUR < t <= now][
        -REQUESTS_PER_HOUR:
    ]
