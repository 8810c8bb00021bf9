"""The durable store of held messages, their links and the audit log.

Every state change is one transaction together with its audit row. SQLite runs in WAL mode
with synchronous=FULL, so a commit is on disk before the guard answers 250; PostgreSQL
commits are durable by default. How connections behave is quarantine/engine.py's; the
outbound jobs a change makes live in quarantine/outbound.py, whose methods the Store hands on.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy import LargeBinary, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from inspectors.base import is_internal, mailbox_of
from rules.model import Action

from . import link_delivery, outbound, trail
from .engine import PROBE_WITHIN, WriteProbe, make_engine, reading
from .migrate import migrate
from .records import AuditEntry, HeldMessage, HeldRecord, HoldState, Link, LinkedNotice, Notice, OutboundJob
from .schema import audit, held, held_approvers, links
from .shares import Shares
from .tokens import new_token, same, token_hash

if TYPE_CHECKING:
    from .link_delivery import LinkPolicy

# A HeldRecord: every column but the message itself, which pages and lists never show.
_RECORD = [column for column in held.c if column.name != "raw"]


class Store:
    def __init__(
        self, engine: AsyncEngine, internal_domains: tuple[str, ...] = (), links: LinkPolicy | None = None
    ) -> None:
        self.engine = engine
        # organization.internal_domains: a release Bccs only inside them (none: no Bcc at all).
        self.internal_domains = internal_domains
        self.links = links  # a release through a share: its links' base, its notice's sender
        # SQLite has one writer: contending connections would meet in its busy handler, which
        # sleeps for up to 100 ms at a time. Writers of this process queue here instead.
        self._writer = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        self.outbound = outbound.OutboundQueue(engine, self.writing, internal_domains, links)
        self.shares = Shares(engine, self.writing)  # attachment links (quarantine/shares.py)
        self._health = WriteProbe(self.writing)

    def reading(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A read-only connection: reads never wait for the writer queue (WAL lets them run
        beside a write)."""
        return reading(self.engine)

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction. Every write transaction of this guard goes through here: the
        Store's own and its outbound queue's, the decision log, the delivery history, the
        retention purge, and the console's (audit rows, sessions, login attempts, the client
        directory, the suppression list), so on SQLite they queue on one lock. Migrations,
        which run before anything else, open their own."""
        if self._writer is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._writer, self.engine.begin() as conn:
            yield conn

    @classmethod
    async def open(
        cls, url: str, *, internal_domains: tuple[str, ...] = (), links: LinkPolicy | None = None
    ) -> Store:
        store = cls(make_engine(url), internal_domains, links)
        try:
            await migrate(store.engine)
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        await self.engine.dispose()

    async def hold(
        self,
        msg: HeldMessage,
        *,
        csrf: str,
        expires_at: float,
        token: str | None = None,
        notices: Sequence[Notice | LinkedNotice] = (),
        approver_tokens: Sequence[tuple[str, str]] = (),
        approvers: Sequence[str] | None = None,
    ) -> None:
        """Store the message, its notices and the audit row in one transaction. The links are
        minted when the notices are sent; `token` and `approver_tokens` are links known in
        advance (tests, fixtures), stored as hashes like every other."""
        now = time.time()
        async with self.writing() as conn:
            await _insert(conn, msg, csrf, expires_at, now, approvers=approvers)
            if token is not None:
                await _link(conn, msg.id, token, "sender", msg.mail_from, now)
            for approver_token, approver in approver_tokens:
                await _link(conn, msg.id, approver_token, "approver", approver, now)
            for notice in notices:
                await outbound.enqueue_notice(conn, msg.id, notice, now)
            rules = ",".join(m.id for m in msg.decision.deciding)
            await trail.record(conn, msg.id, "system", None, HoldState.HELD, f"kind={msg.kind} rules={rules}")

    async def release_now(self, msg: HeldMessage, *, csrf: str, expires_at: float) -> bool:
        """A passing message whose attachments go as links: stored as a hold released by
        "system", its deliveries queued (the share made) in the same transaction, so that
        the 250 comes after the commit and a SIGKILL loses nothing (issue 19). False: no
        attachment could be split off (inline images only), the message goes as it is.
        Raises link_mime.LinkMimeError, with nothing stored, when the links cannot be made."""
        split = None
        if Action.LINK_ATTACHMENTS in msg.decision.rewrites and any(
            not is_internal(r, self.internal_domains) for r in msg.rcpt_tos
        ):
            # Split before the transaction: on SQLite every writer waits while it is open.
            limits = (self.links or link_delivery.LinkPolicy()).limits
            split = await asyncio.to_thread(link_delivery.split_off, msg.raw, limits)
        now = time.time()
        async with self.writing() as conn:
            await _insert(conn, msg, csrf, expires_at, now, state=HoldState.RELEASED)
            linked = await outbound.enqueue_release(
                conn, msg.id, now, self.internal_domains, self.links, settle_unsplittable=False, split=split
            )
            rules = ",".join(m.id for m in msg.decision.deciding)
            await trail.record(conn, msg.id, "system", None, HoldState.RELEASED, f"kind=pass rules={rules}")
        return linked

    async def by_link(self, token: str) -> Link | None:
        """The held message a link opens, and whose link it is (the sender's or an approver's)."""
        digest = token_hash(token)
        async with self.reading() as conn:
            link = (await conn.execute(select(links).where(links.c.token_hash == digest))).first()
            if link is None or not same(link.token_hash, digest):
                return None
            row = (await conn.execute(select(*_RECORD).where(held.c.id == link.message_id))).first()
        if row is None:
            return None
        return Link(record=HeldRecord.from_row(row), role=link.role, actor=link.actor)

    async def add_link(self, message_id: str, token: str, role: str, actor: str) -> bool:
        """A link minted for a notice being sent: only its hash is stored. Each one stays valid
        as long as the hold, so a notice sent twice never disables the link of the first.
        False when the hold is no longer stored."""
        async with self.writing() as conn:
            exists = (await conn.execute(select(held.c.id).where(held.c.id == message_id))).first()
            if exists is None:
                return False
            await _link(conn, message_id, token, role, actor, time.time())
        return True

    async def raw_of(self, message_id: str) -> bytes:
        async with self.reading() as conn:
            return (await conn.execute(select(held.c.raw).where(held.c.id == message_id))).scalar_one()

    async def head_of(self, message_id: str, limit: int = 256 * 1024) -> bytes:
        """The first `limit` bytes of the stored message, where its header is: a page that
        shows each recipient's To/Cc/Bcc reads no attachment (issue 18)."""
        async with self.reading() as conn:
            head = (
                await conn.execute(
                    select(func.substr(held.c.raw, 1, limit, type_=LargeBinary)).where(
                        held.c.id == message_id
                    )
                )
            ).scalar_one()
        return bytes(head or b"")

    async def replace_held(
        self,
        message_id: str,
        *,
        read_at: float,
        raw: bytes,
        rcpt_tos: tuple[str, ...],
        findings,
        summary,
        decision,
        kind: str,
        expires_at: float,
        actor: str,
        client_addr: str | None,
        detail: str,
        then: str | None = None,
        notices: Sequence[Notice | LinkedNotice] = (),
        approvers: Sequence[str] | None = None,
    ) -> bool:
        """The sender's fixed message takes the held one's place, in one transaction with its
        notices (and whom approval is asked of now) and, with `then`, its release or
        cancellation. False when the hold changed since it was read at `read_at` (acted on,
        expired, fixed in another tab)."""
        now = time.time()
        async with self.writing() as conn:
            result = await conn.execute(
                update(held)
                .where(held.c.id == message_id, held.c.state == HoldState.HELD, held.c.updated_at == read_at)
                .values(
                    raw=raw,
                    rcpt_tos=json.dumps(list(rcpt_tos)),
                    updated_at=now,
                    kind=kind,
                    expires_at=expires_at,
                    decision=json.dumps(decision.to_dict()),
                    findings=json.dumps([f.to_dict() for f in findings]),
                    summary=json.dumps(summary.to_dict()),
                    # A fix restarts the reminders: the first comes `after` the fix, to whom
                    # the fixed hold asks now (an approval hold's new approvers).
                    reminded_at=None,
                    **({} if approvers is None else {"approvers": json.dumps(list(approvers))}),
                )
            )
            if result.rowcount != 1:
                return False
            if approvers is not None:
                await conn.execute(delete(held_approvers).where(held_approvers.c.hold_id == message_id))
                await _ask(conn, message_id, approvers)
            await trail.record(conn, message_id, actor, client_addr, "modified", detail)
            for notice in notices:
                await outbound.enqueue_notice(conn, message_id, notice, now)
            if then is not None:
                await _transition(
                    conn, message_id, then, actor, client_addr, now, None, self.internal_domains, self.links
                )
        return True

    async def get(self, message_id: str) -> HeldRecord | None:
        async with self.reading() as conn:
            row = (await conn.execute(select(*_RECORD).where(held.c.id == message_id))).first()
        return HeldRecord.from_row(row) if row else None

    async def decide_hold(
        self,
        message_id: str,
        to_state: str,
        *,
        actor: str,
        client_addr: str | None,
        now: float | None = None,
        note: str | None = None,
    ) -> bool:
        """Move a held message to released/cancelled/expired; False if it was no longer held.

        The conditional UPDATE makes the transition happen once even when two requests or two
        guard instances race: releasing twice queues one release. Its delivery is at least
        once (see claim).
        """
        async with self.writing() as conn:
            return await _transition(
                conn,
                message_id,
                to_state,
                actor,
                client_addr,
                now or time.time(),
                note,
                self.internal_domains,
                self.links,
            )

    async def due_expiries(self, now: float) -> list[tuple[str, str]]:
        """(id, kind) of the holds whose time is up."""
        async with self.reading() as conn:
            rows = await conn.execute(
                select(held.c.id, held.c.kind).where(held.c.state == HoldState.HELD, held.c.expires_at <= now)
            )
            return [(r.id, r.kind) for r in rows]

    async def enqueue(
        self, kind: str, message_id: str | None, mail_from: str, rcpt_tos: Iterable[str], raw: bytes | None
    ) -> None:
        async with self.writing() as conn:
            await outbound.enqueue(conn, kind, message_id, mail_from, tuple(rcpt_tos), raw, time.time())

    # The outbound queue's work (quarantine/outbound.py), called on the Store as ever.
    async def claim(self, now: float, lease: float, limit: int = 20) -> list[OutboundJob]:
        return await self.outbound.claim(now, lease, limit)

    async def job_sent(self, job: OutboundJob) -> bool:
        return await self.outbound.job_sent(job)

    async def job_retry(
        self, job: OutboundJob, error: str, next_at: float, detail: str, *, maybe_sent: bool = False
    ) -> bool:
        return await self.outbound.job_retry(job, error, next_at, detail, maybe_sent=maybe_sent)

    async def job_failed(self, job: OutboundJob, error: str, detail: str, *, settles: bool = True) -> bool:
        return await self.outbound.job_failed(job, error, detail, settles=settles)

    async def retry_delivery(self, message_id: str, *, actor: str, client_addr: str | None) -> bool:
        return await self.outbound.retry_delivery(message_id, actor=actor, client_addr=client_addr)

    async def pending_jobs(self) -> int:
        return await self.outbound.pending_jobs()

    async def undelivered(self) -> int:
        return await self.outbound.undelivered()

    async def can_write(self, within: float = PROBE_WITHIN) -> str | None:
        """None when the store takes a write now, else why not (quarantine/engine.py)."""
        return await self._health.can_write(within)

    async def audit_trail(self, message_id: str) -> list[AuditEntry]:
        async with self.reading() as conn:
            rows = await conn.execute(
                select(audit).where(audit.c.message_id == message_id).order_by(audit.c.id)
            )
            return [
                AuditEntry(
                    at=r.at,
                    message_id=r.message_id,
                    actor=r.actor,
                    client_addr=r.client_addr,
                    action=r.action,
                    detail=r.detail or "",
                    comment=r.comment or "",
                )
                for r in rows
            ]


async def _transition(
    conn: AsyncConnection,
    message_id: str,
    to_state: str,
    actor: str,
    client_addr: str | None,
    now: float,
    note: str | None,
    internal_domains: tuple[str, ...],
    links: LinkPolicy | None = None,
) -> bool:
    result = await conn.execute(
        update(held)
        .where(held.c.id == message_id, held.c.state == HoldState.HELD)
        .values(state=to_state, updated_at=now, acted_at=now, acted_by=actor, note=note)
    )
    if result.rowcount != 1:
        return False
    if to_state == HoldState.RELEASED:
        await outbound.enqueue_release(conn, message_id, now, internal_domains, links)
    await trail.record(conn, message_id, actor, client_addr, to_state, "", comment=note)
    return True


async def _link(
    conn: AsyncConnection, message_id: str, token: str, role: str, actor: str, now: float
) -> None:
    await conn.execute(
        links.insert().values(
            token_hash=token_hash(token), message_id=message_id, role=role, actor=actor, created_at=now
        )
    )


async def _insert(
    conn: AsyncConnection,
    msg: HeldMessage,
    csrf: str,
    expires_at: float,
    now: float,
    *,
    state: HoldState = HoldState.HELD,
    approvers: Sequence[str] | None = None,
) -> None:
    released = state == HoldState.RELEASED  # by "system": a message that passed (release_now)
    await conn.execute(
        held.insert().values(
            id=msg.id,
            state=state,
            kind=msg.kind,
            created_at=now,
            updated_at=now,
            expires_at=expires_at,
            acted_at=now if released else None,
            acted_by="system" if released else None,
            mail_from=msg.mail_from,
            rcpt_tos=json.dumps(list(msg.rcpt_tos)),
            raw=msg.raw,
            decision=json.dumps(msg.decision.to_dict()),
            findings=json.dumps([f.to_dict() for f in msg.findings]),
            summary=json.dumps(msg.summary.to_dict()),
            # NOT NULL UNIQUE since v001: the hash of a token nobody is ever given.
            token_hash=token_hash(new_token()),
            csrf=csrf,
            approvers=None if approvers is None else json.dumps(list(approvers)),
            sender_box=mailbox_of(msg.mail_from),  # v016: the sender's own page (me_list.py)
        )
    )
    await _ask(conn, msg.id, approvers or ())


async def _ask(conn: AsyncConnection, hold_id: str, approvers: Iterable[str]) -> None:
    """v016: whom the hold asks, one row each, as approver_pages.asks compares addresses."""
    asked = dict.fromkeys(a.strip().lower() for a in approvers)
    rows = [{"hold_id": hold_id, "address": a} for a in asked if a]
    if rows:
        await conn.execute(held_approvers.insert(), rows)
