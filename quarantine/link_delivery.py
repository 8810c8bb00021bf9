"""Delivering a message whose attachments go as download links (脱PPAP, issue 19).

Every way out of a hold comes through outbound.enqueue_release; when the stored decision says
`link_attachments`, it hands over to enqueue_linked here, in the release's transaction. The held raw
is split into a template (the message without its attachments) and the files; both are stored
as the share (quarantine/shares.py), and the deliveries are queued: the original bytes to the
internal recipients and the supervisor Bcc, one copy per external recipient and the sender's
"links_sent" notice. A copy is queued as a draft: the worker mints the recipient's token when
it sends it, so no working link is ever at rest (quarantine/drafts.py). A draft names only
its recipient: the files and the expiry are read from the share when it is rendered.

An admin's retry of a "delivery_failed" hold comes here again: the share exists by then, so
only the deliveries neither sent nor still pending are queued again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from inspectors.base import is_internal
from inspectors.limits import Limits
from rules.model import Action, Decision, LinkTerms

from . import link_mime, outbound, shares
from .link_mime import LinkMimeError, SharedFile
from .notice import NOTICE_NAME
from .records import LinkedNotice
from .rendering import when
from .schema import held
from .schema import outbound as jobs
from .schema import shares as shares_table
from .share_rows import NAME_MAX, safe_text

# The files one share takes. Each is a row, a line in every copy and notice, a link on the
# recipient's page: past a hundred, the mail is not a document sent to someone but an archive,
# and its split and inserts (before the 250, in the writer's transaction) grow with it.
MAX_FILES = 100

Split = tuple[bytes, tuple[SharedFile, ...]]  # (the template, the files): link_mime.split


class TooManyFiles(LinkMimeError):
    """More attachments than a share takes: the links cannot be made (refused as a message
    that cannot be split: 550 before the 250, delivery_failed after)."""

    def __init__(self) -> None:
        super().__init__(f"too many attachments to send as links (at most {MAX_FILES})")


def split_off(raw: bytes, limits: Limits) -> Split:
    """link_mime.split, refused past MAX_FILES. CPU work: callers run it in a thread."""
    template, files = link_mime.split(raw, limits)
    if len(files) > MAX_FILES:
        raise TooManyFiles()
    return template, files


@dataclass(frozen=True, kw_only=True)
class LinkPolicy:
    """What a share's deliveries need from the configuration (proxy/server.py builds it; the
    defaults serve a store opened without one, in tests and tools)."""

    public_url: str = "http://127.0.0.1:8025"  # web.public_url: the links' base
    notice_from: str = "postmaster@localhost"  # quarantine.notice_from
    notice_name: str = NOTICE_NAME
    zone: tzinfo | None = None  # web.timezone, for the expiry the copies and notice name
    # inspection.limits: the split takes what the inspectors read, as deep as they read it
    # (the judge decided on the same split: proxy/judge.py).
    limits: Limits = Limits()


def wants_links(
    decision: Decision, attachments: Sequence, rcpt_tos: Sequence[str], internal: Sequence[str]
) -> bool:
    """A passing message to be delivered through a share: its decision says link_attachments,
    it has attachments, and someone outside is to get it (else it goes as it is)."""
    return (
        Action.LINK_ATTACHMENTS in decision.rewrites
        and bool(attachments)
        and any(not is_internal(r, internal) for r in rcpt_tos)
    )


async def enqueue_linked(
    conn: AsyncConnection,
    message_id: str,
    now: float,
    internal_domains: tuple[str, ...],
    policy: LinkPolicy,
    *,
    bcc: tuple[str, ...] = (),
    split: Split | None = None,
) -> bool:
    """Queue the deliveries of a released hold whose attachments go as links; False (nothing
    queued) when it has no attachment or no external recipient: then it is a plain release.
    `bcc`: the supervisor Bcc, checked already by the caller; it gets the original. `split`:
    the held raw split already, outside the transaction (Store.release_now, before the 250)."""
    row = (
        await conn.execute(
            select(held.c.mail_from, held.c.rcpt_tos, held.c.decision, held.c.summary, held.c.raw).where(
                held.c.id == message_id
            )
        )
    ).one()
    rcpt_tos = _distinct(json.loads(row.rcpt_tos))
    external = tuple(r for r in rcpt_tos if not is_internal(r, internal_domains))
    internal = tuple(r for r in rcpt_tos if is_internal(r, internal_domains)) + bcc
    if not external:
        return False
    exists = (await conn.execute(select(shares_table.c.id).where(shares_table.c.id == message_id))).first()
    if exists is not None:
        await _queue_again(conn, message_id, row.mail_from, external, internal, now, policy)
        return True
    if split is None:  # CPU work: off the event loop (inside the transaction, here)
        split = await asyncio.to_thread(split_off, bytes(row.raw), policy.limits)
    template, files = split
    if not files:
        return False
    terms = Decision.from_dict(json.loads(row.decision)).links or LinkTerms()
    subject = json.loads(row.summary).get("subject", "")
    await shares.create(
        conn,
        message_id=message_id,
        mail_from=row.mail_from,
        subject=subject,
        template=template,
        files=files,
        recipients=external,
        terms=terms,
        now=now,
    )
    if internal:
        await outbound.enqueue(conn, "release", message_id, row.mail_from, internal, None, now)
    for address in external:
        copy = _copy(row.mail_from, address, policy)
        await outbound.enqueue(
            conn, "release", message_id, row.mail_from, (address,), None, now, copy.to_json()
        )
    if row.mail_from:  # the null sender has nobody to tell
        listed = [[safe_text(f.name, NAME_MAX), len(f.data)] for f in files]  # as the share has them
        expires = when(now + terms.expiry, policy.zone)
        notice = _links_sent(row.mail_from, subject, external, listed, expires, policy)
        await outbound.enqueue_notice(conn, message_id, notice, now)
    return True


async def _queue_again(
    conn: AsyncConnection,
    message_id: str,
    mail_from: str,
    external: tuple[str, ...],
    internal: tuple[str, ...],
    now: float,
    policy: LinkPolicy,
) -> None:
    """An admin's retry: the deliveries of this share neither sent nor still pending, queued
    again; the copies show the share's terms as they stand when sent (extended, perhaps)."""
    rows = (
        await conn.execute(
            select(jobs.c.rcpt_tos).where(
                jobs.c.message_id == message_id,
                jobs.c.kind == "release",
                jobs.c.state.in_(("sent", "pending")),
            )
        )
    ).all()
    covered = {r.lower() for row in rows for r in json.loads(row.rcpt_tos)}
    left = tuple(r for r in internal if r.lower() not in covered)
    if left:
        await outbound.enqueue(conn, "release", message_id, mail_from, left, None, now)
    for address in (r for r in external if r.lower() not in covered):
        copy = _copy(mail_from, address, policy)
        await outbound.enqueue(conn, "release", message_id, mail_from, (address,), None, now, copy.to_json())


def _copy(mail_from: str, address: str, policy: LinkPolicy) -> LinkedNotice:
    """One external recipient's copy, as a draft: the worker mints its link and reads the
    share's files and expiry when it sends (quarantine/drafts.py)."""
    return LinkedNotice(
        mail_from=mail_from,
        rcpt_tos=(address,),
        template="link_copy",
        args={},
        role="recipient",
        actor=address,
        base_url=policy.public_url,
    )


def _links_sent(
    sender: str, subject: str, external: tuple[str, ...], files: list, when_text: str, policy: LinkPolicy
) -> LinkedNotice:
    """The sender's notice: to whom the links went, and the hold link whose page
    (/h/TOKEN/links) is the download log."""
    return LinkedNotice(
        mail_from=policy.notice_from,
        rcpt_tos=(sender,),
        template="links_sent",
        args={
            "notice_from": policy.notice_from,
            "notice_name": policy.notice_name,
            "sender": sender,
            "subject": subject,
            "recipients": list(external),
            "files": files,
            "when_text": when_text,
        },
        role="sender",
        actor=sender,
        base_url=policy.public_url,
    )


def _distinct(addresses: Sequence[str]) -> tuple[str, ...]:
    """Each address once, whatever its case (a share has one recipient row per address)."""
    return tuple(
        {a.lower(): a for a in reversed(addresses)}[k] for k in dict.fromkeys(a.lower() for a in addresses)
    )
