"""The rows of a share: writing one (in the releasing transaction), reading one back, clearing
its bytes (the purge) and deleting it (the retention of held rows). Apart from shares.py, whose
methods are the transactions, because the releasing transaction and the retention's are not
the Shares object's own."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import share_codes, trail
from .schema import share_codes as share_code_rows
from .schema import share_downloads, share_files, share_links, share_recipients, shares
from .share_records import ACTIVE, PURGED, REVOKED, FileInfo, FileLike, ShareInfo, TermsLike

# What a message may put in a text column that the database or a page cannot take: PostgreSQL
# refuses NUL in text, a lone surrogate (an undecodable byte the parser kept) cannot be encoded,
# other controls and the bidi overrides would garble or disguise a name on the pages and in
# the mails (a "fdp.exe" shown as "exe.pdf"). Each becomes U+FFFD, visible as what it is;
# a line break or a tab (a folded subject, a name typed on two lines) a plain space.
_BREAKS = re.compile("[\t\n\v\f\r]")
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
NAME_MAX = 255  # characters of a file name (most file systems' limit)
TYPE_MAX = 255  # a content type (RFC 6838 names are at most 127+127)
SUBJECT_MAX = 998  # a header line's limit (RFC 5322)


def safe_text(text: str, limit: int) -> str:
    """A message's text as a share stores and shows it: bounded, no control characters."""
    return _UNSAFE.sub("\ufffd", _BREAKS.sub(" ", text[:limit]))


async def create(
    conn: AsyncConnection,
    *,
    message_id: str,
    mail_from: str,
    subject: str,
    template: bytes,
    files: Sequence[FileLike],
    recipients: Sequence[str],
    terms: TermsLike,
    now: float,
) -> None:
    """Store a share in the caller's transaction (enqueue_release's): the files with their
    hashes and sizes, the message without them, and whom it is for (lower-cased, once each)."""
    await conn.execute(
        shares.insert().values(
            id=message_id,
            created_at=now,
            expires_at=now + terms.expiry,
            mail_from=mail_from,
            subject=safe_text(subject, SUBJECT_MAX),
            max_downloads=terms.max_downloads,
            notify=int(bool(terms.notify)),
            state=ACTIVE,
            template=template,
        )
    )
    for n, f in enumerate(files, 1):
        await conn.execute(
            share_files.insert().values(
                share_id=message_id,
                n=n,
                name=safe_text(f.name, NAME_MAX),
                content_type=safe_text(f.content_type, TYPE_MAX),
                size=len(f.data),
                sha256=hashlib.sha256(f.data).hexdigest(),
                data=f.data,
            )
        )
    addresses = list(dict.fromkeys(r.lower() for r in recipients))
    for address in addresses:
        await conn.execute(
            share_recipients.insert().values(
                share_id=message_id, address=address, code_failures=0, code_requests="[]"
            )
        )
    size = sum(len(f.data) for f in files)
    detail = f"files={len(files)} recipients={len(addresses)} bytes={size}"
    await trail.record(conn, message_id, "system", None, "links_created", detail)


def due(now: float) -> ColumnElement[bool]:
    """A share whose bytes are to go: revoked, or past its expiry."""
    return (shares.c.state == REVOKED) | ((shares.c.state == ACTIVE) & (shares.c.expires_at <= now))


async def purge_one(conn: AsyncConnection, share_id: str, now: float) -> int:
    """1 when this call purged the share (another instance may have done it meanwhile)."""
    result = await conn.execute(
        update(shares).where(shares.c.id == share_id, due(now)).values(state=PURGED, template=None)
    )
    if result.rowcount != 1:
        return 0
    files = (
        await conn.execute(update(share_files).where(share_files.c.share_id == share_id).values(data=None))
    ).rowcount
    await share_codes.forget(conn, share_id)
    await trail.record(conn, share_id, "system", None, "links_purged", f"files={files}")
    return 1


async def delete_shares(conn: AsyncConnection, ids: Sequence[str]) -> None:
    """Every row of these shares (the retention purge, with their held rows)."""
    for table, column in (
        (share_downloads, share_downloads.c.share_id),
        (share_links, share_links.c.share_id),
        (share_code_rows, share_code_rows.c.share_id),
        (share_recipients, share_recipients.c.share_id),
        (share_files, share_files.c.share_id),
        (shares, shares.c.id),
    ):
        await conn.execute(delete(table).where(column.in_(ids)))


async def load(conn: AsyncConnection, share_id: str) -> ShareInfo | None:
    row = (
        await conn.execute(
            select(*[c for c in shares.c if c.name != "template"]).where(shares.c.id == share_id)
        )
    ).first()
    if row is None:
        return None
    files = await conn.execute(
        select(
            share_files.c.n,
            share_files.c.name,
            share_files.c.content_type,
            share_files.c.size,
            share_files.c.sha256,
        )
        .where(share_files.c.share_id == share_id)
        .order_by(share_files.c.n)
    )
    return ShareInfo(
        id=row.id,
        mail_from=row.mail_from,
        subject=row.subject,
        created_at=row.created_at,
        expires_at=row.expires_at,
        state=row.state,
        max_downloads=row.max_downloads,
        notify=bool(row.notify),
        files=tuple(
            FileInfo(n=f.n, name=f.name, content_type=f.content_type, size=f.size, sha256=f.sha256)
            for f in files
        ),
        first_download_at=row.first_download_at,
        revoked_at=row.revoked_at,
    )
