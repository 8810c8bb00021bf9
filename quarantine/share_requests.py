"""A download link's recipient asks for a code (share_codes.py has the numbers): the request
is counted (share_limits.py), this browser's code row made anew, and the code mail queued as a
draft, in one transaction; the worker mints the code when it sends it.
"""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import outbound, share_limits, trail
from .records import LinkedNotice
from .schema import share_codes, share_recipients
from .share_codes import live, recipient


async def refused(
    conn: AsyncConnection, share_id: str, address: str, now: float, client: str | None
) -> str | None:
    """Why a code request is refused ("not_live", "stopped", "too_many"), None if it is not.
    Read only: the caller asks before it opens a write transaction (and again inside it)."""
    if not await live(conn, share_id, now):
        return "not_live"
    return share_limits.refused(await recipient(conn, share_id, address), now, client)


async def request(
    conn: AsyncConnection,
    share_id: str,
    address: str,
    now: float,
    draft: LinkedNotice,
    browser: str,
    client: str | None,
) -> str:
    """Queue the code mail (`draft`, rendered with a fresh code when it is sent) for this
    browser in this transaction: "queued", or refused()'s reasons."""
    if not await live(conn, share_id, now):
        return "not_live"
    row = await recipient(conn, share_id, address, lock=True)
    refused = share_limits.refused(row, now, client)
    if refused is not None:
        return refused
    stored = share_limits.with_request(row.code_requests, now, client)
    result = await conn.execute(
        update(share_recipients)
        .where(share_recipients.c.id == row.id, share_recipients.c.code_requests == row.code_requests)
        .values(code_requests=stored)
    )
    if result.rowcount != 1:  # counted by another request meanwhile
        return "too_many"
    # This browser's earlier code goes, and codes long dead (their failures stay counted).
    await conn.execute(
        delete(share_codes).where(
            share_codes.c.share_id == share_id,
            share_codes.c.address == address,
            (share_codes.c.browser == browser)
            | (share_codes.c.expires_at < now)
            | (share_codes.c.requested_at < now - share_limits.HOUR),
        )
    )
    await conn.execute(
        share_codes.insert().values(
            share_id=share_id, address=address, browser=browser, attempts=0, requested_at=now
        )
    )
    await outbound.enqueue_notice(conn, share_id, draft, now)
    detail = f"outcome=queued requests={share_limits.count(stored, now)}"
    await trail.record(conn, share_id, "recipient", client, "download_code_requested", detail)
    return "queued"
