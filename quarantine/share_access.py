"""The recipient's way in to a share (Shares inherits it): asking for a code, entering it, the
session it opens, and the sender's unlock of a recipient stopped by too many wrong codes.

Each is a read first: a request the limits refuse, a code that cannot be right (none for this
browser, dead, expired, the recipient stopped) is answered without a write transaction or an
audit row, so whoever holds a link can neither fill the audit log nor, on SQLite, make every
hold wait behind his writes. What passes the read is decided again under the recipient's row
lock (share_codes.py): the read only saves work, it never grants anything.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from . import share_codes, share_requests, share_rows
from .engine import Writing, reading
from .records import LinkedNotice


class ShareAccess:
    engine: AsyncEngine
    writing: Writing

    async def request_code(
        self,
        share_id: str,
        address: str,
        now: float,
        draft: LinkedNotice,
        *,
        browser: str = "",
        client_addr: str | None = None,
    ) -> str:
        """ "queued" | "too_many" | "stopped" | "not_live" (share_requests.request). `browser`:
        the hash of the asking browser's nonce cookie. A refusal is read, never written."""
        address = address.lower()
        async with reading(self.engine) as conn:
            refused = await share_requests.refused(conn, share_id, address, now, client_addr)
        if refused is not None:
            return refused
        async with self.writing() as conn:
            return await share_requests.request(conn, share_id, address, now, draft, browser, client_addr)

    async def set_code(
        self, share_id: str, address: str, code: str, now: float, *, browser: str = ""
    ) -> bool:
        async with self.writing() as conn:
            return await share_codes.set_code(conn, share_id, address.lower(), code, now, browser)

    async def check_code(
        self,
        share_id: str,
        address: str,
        code: str,
        now: float,
        session: str,
        *,
        browser: str = "",
        client_addr: str | None = None,
    ) -> str:
        """ "ok" | "wrong" | "expired" | "locked" | "stopped" | "none" (share_codes.check).
        A code that cannot be right (none, dead, expired, stopped) is refused by a read."""
        address = address.lower()
        async with reading(self.engine) as conn:
            refused = await share_codes.check_read(conn, share_id, address, browser, now)
        if refused is not None:
            return refused
        async with self.writing() as conn:
            return await share_codes.check(conn, share_id, address, code, now, session, browser, client_addr)

    async def codes_left(self, share_id: str, address: str, browser: str) -> int:
        async with reading(self.engine) as conn:
            return await share_codes.left(conn, share_id, address.lower(), browser)

    async def unlock(self, share_id: str, address: str, actor: str, client_addr: str | None) -> bool:
        """The sender lets a recipient stopped by too many wrong codes ask for codes again."""
        async with self.writing() as conn:
            return await share_codes.unlock(conn, share_id, address.lower(), actor, client_addr)

    async def session_ok(self, share_id: str, address: str, session: str, now: float) -> bool:
        async with reading(self.engine) as conn:
            share = await share_rows.load(conn, share_id)
            if share is None or not share.live(now):
                return False
            row = await share_codes.recipient(conn, share_id, address.lower())
        return row is not None and share_codes.session_matches(row, session, now)
