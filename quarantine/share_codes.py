"""The codes that let a download link's recipient in, and the sessions they open.

A link alone does not download: mail scanners open links, and a forwarded mail carries it.
The recipient asks for a code (mailed to their address: proof they read that mailbox), enters
it, and gets a session. Only hashes are stored: a code as HMAC-SHA256 under a random salt of
its own (six digits are quickly tried against a plain hash, but not without the salt's row),
a session as SHA-256.

A code belongs to the browser that asked for it: the request sets a random nonce cookie, the
code's row is keyed by the nonce's hash and its HMAC covers it. So whoever holds a forwarded
link can neither burn nor lock the real recipient's code: his requests and wrong entries
touch only his own browser's code. The numbers (share_limits.py keeps the request times):
- a code works CODE_LIFETIME (10 minutes) and MAX_ATTEMPTS (5) wrong entries, then is dead;
- a recipient gets REQUESTS_PER_CLIENT (5) codes an hour per client address and
  REQUESTS_PER_HOUR (20) an hour in all, so one address cannot use up his budget;
- MAX_FAILURES (50) wrong entries per recipient over the share's life, then no code of his
  works until the sender unlocks him on the links page: a guesser's chance stays below
  50 / 10**6 = 0.005 %.
A refusal (limit reached, code dead, share not live) is decided by a read and writes nothing:
a link holder cannot fill the audit log or queue the holds behind him on SQLite. Every count
changes under a lock on the recipient's row and by a conditional UPDATE, so instances sharing
a PostgreSQL count once.
"""

from __future__ import annotations

import hmac
import secrets
from hashlib import sha256

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import trail
from .schema import share_codes, share_recipients, shares
from .share_limits import MAX_FAILURES
from .share_records import ACTIVE
from .tokens import same, token_hash

CODE_LIFETIME = 600.0  # a code works 10 minutes after it was mailed
MAX_ATTEMPTS = 5  # wrong entries of one browser's code before that code is dead
SESSION_LIFETIME = 1800.0


def new_code() -> str:
    """Six random digits, as the worker mails them."""
    return f"{secrets.randbelow(10**6):06d}"


def code_hash(share_id: str, address: str, browser: str, code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    message = f"{share_id}\n{address}\n{browser}\n{code}".encode()
    return f"{salt}${hmac.new(bytes.fromhex(salt), message, sha256).hexdigest()}"


def code_matches(stored: str, share_id: str, address: str, browser: str, code: str) -> bool:
    salt = stored.split("$", 1)[0]
    try:
        return same(code_hash(share_id, address, browser, code, salt), stored)
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


def _this(share_id: str, address: str, browser: str):
    return (
        share_codes.c.share_id == share_id,
        share_codes.c.address == address,
        share_codes.c.browser == browser,
    )


async def set_code(
    conn: AsyncConnection, share_id: str, address: str, code: str, now: float, browser: str
) -> bool:
    """The code the worker mails now, for the browser that asked (replacing that browser's
    earlier one). False: not live, or no such request (asked again meanwhile, or purged)."""
    if not await live(conn, share_id, now):
        return False
    result = await conn.execute(
        update(share_codes)
        .where(*_this(share_id, address, browser))
        .values(
            code_hash=code_hash(share_id, address, browser, code),
            expires_at=now + CODE_LIFETIME,
            attempts=0,
        )
    )
    if result.rowcount != 1:
        return False
    await trail.record(conn, share_id, "system", None, "download_code_sent", "recipients=1")
    return True


async def code_row(conn: AsyncConnection, share_id: str, address: str, browser: str):
    return (await conn.execute(select(share_codes).where(*_this(share_id, address, browser)))).first()


def check_refused(is_live: bool, person, code, now: float) -> str | None:
    """Why an entered code is not even compared: "none" (no code for this browser, or not
    live), "stopped" (MAX_FAILURES over the share's life), "locked", "expired"."""
    if not is_live or person is None:
        return "none"
    if person.code_failures >= MAX_FAILURES:
        return "stopped"
    if code is None or code.code_hash is None:
        return "none"
    if code.attempts >= MAX_ATTEMPTS:
        return "locked"
    if code.expires_at is None or now >= code.expires_at:
        return "expired"
    return None


async def check_read(conn: AsyncConnection, share_id: str, address: str, browser: str, now: float):
    """check_refused by a read alone: asked before the write transaction is opened."""
    return check_refused(
        await live(conn, share_id, now),
        await recipient(conn, share_id, address),
        await code_row(conn, share_id, address, browser),
        now,
    )


async def check(
    conn: AsyncConnection,
    share_id: str,
    address: str,
    code: str,
    now: float,
    session: str,
    browser: str,
    client: str | None,
) -> str:
    """ "ok" (the code is used up; `session` opens downloads for SESSION_LIFETIME), "wrong",
    "locked" (this browser's code: MAX_ATTEMPTS wrong; the last wrong one says so too),
    "stopped" (the recipient's MAX_FAILURES reached), "expired" or "none"."""
    person = await recipient(conn, share_id, address, lock=True)
    mine = await code_row(conn, share_id, address, browser)
    refused = check_refused(await live(conn, share_id, now), person, mine, now)
    if refused is not None:
        return refused
    this_code = (
        share_codes.c.id == mine.id,
        share_codes.c.code_hash == mine.code_hash,
        share_codes.c.attempts < MAX_ATTEMPTS,
    )
    if code_matches(mine.code_hash, share_id, address, browser, code.strip()):
        if (await conn.execute(delete(share_codes).where(*this_code))).rowcount != 1:
            return "none"  # used by a concurrent check
        await conn.execute(
            update(share_recipients)
            .where(share_recipients.c.id == person.id)
            .values(session_hash=token_hash(session), session_expires_at=now + SESSION_LIFETIME)
        )
        await trail.record(conn, share_id, "recipient", client, "download_code_verified", "")
        return "ok"
    result = await conn.execute(
        update(share_codes).where(*this_code).values(attempts=share_codes.c.attempts + 1)
    )
    if result.rowcount != 1:
        return "locked"
    await conn.execute(
        update(share_recipients)
        .where(share_recipients.c.id == person.id)
        .values(code_failures=share_recipients.c.code_failures + 1)
    )
    attempts, failures = mine.attempts + 1, person.code_failures + 1
    outcome = "stopped" if failures >= MAX_FAILURES else "locked" if attempts >= MAX_ATTEMPTS else "wrong"
    detail = f"reason={outcome} attempts={attempts} failures={failures}"
    await trail.record(conn, share_id, "recipient", client, "download_code_failed", detail)
    return outcome


async def left(conn: AsyncConnection, share_id: str, address: str, browser: str) -> int:
    """Wrong codes this browser may still enter: its code's and the recipient's own bound."""
    person, mine = await recipient(conn, share_id, address), await code_row(conn, share_id, address, browser)
    if person is None:
        return 0
    used = mine.attempts if mine is not None else MAX_ATTEMPTS
    return max(0, min(MAX_ATTEMPTS - used, MAX_FAILURES - person.code_failures))


def session_matches(row, session: str, now: float) -> bool:
    if row.session_hash is None or row.session_expires_at is None or now >= row.session_expires_at:
        return False
    return same(row.session_hash, token_hash(session))


async def unlock(conn: AsyncConnection, share_id: str, address: str, actor: str, client: str | None) -> bool:
    """The sender lets a stopped recipient ask for codes again (another MAX_FAILURES)."""
    result = await conn.execute(
        update(share_recipients)
        .where(
            share_recipients.c.share_id == share_id,
            share_recipients.c.address == address,
            share_recipients.c.code_failures >= MAX_FAILURES,
        )
        .values(code_failures=0)
    )
    if result.rowcount != 1:
        return False
    await trail.record(conn, share_id, actor, client, "links_unlocked", "recipients=1")
    return True


async def forget(conn: AsyncConnection, share_id: str) -> None:
    """No code, no session of this share works any more (revoked, purged)."""
    await conn.execute(delete(share_codes).where(share_codes.c.share_id == share_id))
    await conn.execute(
        update(share_recipients)
        .where(share_recipients.c.share_id == share_id)
        .values(code_requests="[]", session_hash=None, session_expires_at=None)
    )
