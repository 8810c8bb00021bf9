"""Attachment links (issue 19): a message's attachments kept in the database, each external
recipient's links, the downloads, revocation, extension and the purge.

The files are stored in the transaction that releases the message (create(), called by
link_delivery inside enqueue_release), so a crash after 250 loses none and every instance
sharing the PostgreSQL serves them. Links are stored as SHA-256 hashes, like hold links;
codes (share_codes.py) and sessions too. Every counter is race-free across instances: a
download counts under a lock on the recipient's row (SELECT ... FOR UPDATE; on SQLite the one
write lock), the first download is claimed by a conditional UPDATE. Audit rows hold codes and
counts, never an address, a file name or a code.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from . import share_codes, share_rows, trail
from .engine import Writing, reading
from .schema import share_downloads, share_files, share_links, share_recipients, shares
from .share_access import ShareAccess
from .share_records import ACTIVE, REVOKED, Download, FileInfo, RecipientLink, ShareInfo, ShareLog
from .share_rows import create

__all__ = ["MAX_LIFETIME", "Shares", "create"]  # create: in the caller's transaction
from .tokens import same, token_hash

MAX_LIFETIME = 31 * 86400.0  # extend() goes no further than this after the share was made
PURGE_BATCH = 20  # shares whose files are cleared per transaction: each may hold 25 MB


class Shares(ShareAccess):
    def __init__(self, engine: AsyncEngine, writing: Writing) -> None:
        self.engine = engine
        self.writing = writing  # the store's: on SQLite every writer queues on one lock

    async def add_link(self, share_id: str, address: str, token: str) -> bool:
        """A recipient's link minted by the worker as it sends their copy: only its hash is
        stored. False unless the share is live and the address one of its recipients."""
        now, address = time.time(), address.lower()
        async with self.writing() as conn:
            share = await share_rows.load(conn, share_id)
            if (
                share is None
                or not share.live(now)
                or await share_codes.recipient(conn, share_id, address) is None
            ):
                return False
            await conn.execute(
                share_links.insert().values(
                    token_hash=token_hash(token), share_id=share_id, address=address, created_at=now
                )
            )
            await trail.record(conn, share_id, "system", None, "link_sent", "recipients=1")
        return True

    async def info(self, share_id: str) -> ShareInfo | None:
        """The share as it stands (its files, its current expiry), None when there is none."""
        async with reading(self.engine) as conn:
            return await share_rows.load(conn, share_id)

    async def template(self, share_id: str) -> bytes | None:
        """The message without its attachments (None: purged, or no such share)."""
        async with reading(self.engine) as conn:
            return (await conn.execute(select(shares.c.template).where(shares.c.id == share_id))).scalar()

    async def by_token(self, token: str, now: float) -> RecipientLink | None:
        """The share a recipient's link opens, live or not (the page says which); None for a
        link never minted, or whose share the retention purge deleted."""
        digest = token_hash(token)
        async with reading(self.engine) as conn:
            link = (await conn.execute(select(share_links).where(share_links.c.token_hash == digest))).first()
            if link is None or not same(link.token_hash, digest):
                return None
            share = await share_rows.load(conn, link.share_id)
            if share is None:
                return None
            rows = await conn.execute(
                select(share_files.c.n, func.count(share_downloads.c.id))
                .join(share_downloads, share_downloads.c.file_id == share_files.c.id)
                .where(share_downloads.c.share_id == share.id, share_downloads.c.address == link.address)
                .group_by(share_files.c.n)
            )
            used = {int(n): int(count) for n, count in rows}
        return RecipientLink(share=share, address=link.address, used=used)

    async def download(
        self, share_id: str, address: str, n: int, client_addr: str | None, now: float
    ) -> tuple[str, FileInfo | None, bytes | None, bool]:
        """(outcome "ok" | "limit" | "not_live" | "no_file", the file, its bytes, whether this
        is the share's first download). One transaction: the count, the log row, the audit.
        The recipient's row is locked while counting, so two instances racing for the last
        download give it once; the first download is claimed by a conditional UPDATE."""
        address = address.lower()
        async with self.writing() as conn:
            share = await share_rows.load(conn, share_id)
            if share is None or not share.live(now):
                return "not_live", None, None, False
            info = next((f for f in share.files if f.n == n), None)
            if info is None:
                return "no_file", None, None, False
            if await share_codes.recipient(conn, share_id, address, lock=True) is None:
                return "not_live", None, None, False
            file_row = (
                await conn.execute(
                    select(share_files.c.id, share_files.c.data).where(
                        share_files.c.share_id == share_id, share_files.c.n == n
                    )
                )
            ).one()
            if file_row.data is None:
                return "not_live", None, None, False
            used = (
                await conn.execute(
                    select(func.count())
                    .select_from(share_downloads)
                    .where(share_downloads.c.file_id == file_row.id, share_downloads.c.address == address)
                )
            ).scalar_one()
            if used >= share.max_downloads:
                return "limit", info, None, False
            await conn.execute(
                share_downloads.insert().values(
                    share_id=share_id, file_id=file_row.id, address=address, at=now, client_addr=client_addr
                )
            )
            first = (
                await conn.execute(
                    update(shares)
                    .where(shares.c.id == share_id, shares.c.first_download_at.is_(None))
                    .values(first_download_at=now)
                )
            ).rowcount == 1
            detail = f"file={n} count={used + 1} max={share.max_downloads} first={int(first)}"
            await trail.record(conn, share_id, "recipient", client_addr, "downloaded", detail)
        return "ok", info, bytes(file_row.data), first

    async def log(self, share_id: str) -> ShareLog | None:
        async with reading(self.engine) as conn:
            share = await share_rows.load(conn, share_id)
            if share is None:
                return None
            people = (
                await conn.execute(
                    select(share_recipients.c.address, share_recipients.c.code_failures)
                    .where(share_recipients.c.share_id == share_id)
                    .order_by(share_recipients.c.id)
                )
            ).all()
            rows = await conn.execute(
                select(share_files.c.n, share_files.c.name, share_downloads)
                .join(share_files, share_files.c.id == share_downloads.c.file_id)
                .where(share_downloads.c.share_id == share_id)
                .order_by(share_downloads.c.at, share_downloads.c.id)
            )
            downloads = tuple(
                Download(file_n=r.n, file_name=r.name, address=r.address, at=r.at, client_addr=r.client_addr)
                for r in rows
            )
            stopped = tuple(p.address for p in people if p.code_failures >= share_codes.MAX_FAILURES)
            recipients = tuple(p.address for p in people)
            return ShareLog(share=share, recipients=recipients, downloads=downloads, stopped=stopped)

    async def revoke(self, share_id: str, actor: str, client_addr: str | None, now: float) -> bool:
        """The links stop working now, codes and sessions with them; the files go at the next
        purge. False when the share was not active (revoked already, purged, unknown)."""
        async with self.writing() as conn:
            result = await conn.execute(
                update(shares)
                .where(shares.c.id == share_id, shares.c.state == ACTIVE)
                .values(state=REVOKED, revoked_at=now)
            )
            if result.rowcount != 1:
                return False
            await share_codes.forget(conn, share_id)
            await trail.record(conn, share_id, actor, client_addr, "links_revoked", "")
        return True

    async def extend(
        self, share_id: str, until: float, actor: str, client_addr: str | None, now: float
    ) -> bool:
        """A new expiry, at most MAX_LIFETIME after the share was made (later is cut to it).
        False when the share is not active (revoked, purged) or the expiry would be past."""
        async with self.writing() as conn:
            created = (
                await conn.execute(
                    select(shares.c.created_at).where(shares.c.id == share_id, shares.c.state == ACTIVE)
                )
            ).scalar()
            if created is None:
                return False
            until = min(until, created + MAX_LIFETIME)
            if until <= now:
                return False
            result = await conn.execute(
                update(shares)
                .where(shares.c.id == share_id, shares.c.state == ACTIVE)
                .values(expires_at=until)
            )
            if result.rowcount != 1:
                return False
            days = (until - now) / 86400
            await trail.record(conn, share_id, actor, client_addr, "links_extended", f"days={days:.1f}")
        return True

    async def recent(self, limit: int, offset: int = 0) -> list[ShareInfo]:
        """The newest shares first (the admin console)."""
        async with reading(self.engine) as conn:
            ids = (
                await conn.execute(
                    select(shares.c.id)
                    .order_by(shares.c.created_at.desc(), shares.c.id)
                    .limit(limit)
                    .offset(offset)
                )
            ).scalars()
            found = [await share_rows.load(conn, i) for i in list(ids)]
        return [s for s in found if s is not None]

    async def purge(self, now: float, batch: int = PURGE_BATCH) -> int:
        """Shares past their expiry, and revoked ones, lose their files, their message, codes
        and sessions (the log stays, as long as the held row: retention's `records`). Idempotent
        and in small transactions, like the retention purge that calls it. Returns how many."""
        total = 0
        while True:
            async with self.writing() as conn:
                ids = list(
                    (
                        await conn.execute(select(shares.c.id).where(share_rows.due(now)).limit(batch))
                    ).scalars()
                )
                for share_id in ids:
                    total += await share_rows.purge_one(conn, share_id, now)
            if len(ids) < batch:
                return total
