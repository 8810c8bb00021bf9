"""The outbound queue: release and notice jobs, leased to a worker, their outcomes recorded.

It exists apart from the store because the queue has rules of its own: instances share it
(SKIP LOCKED), a claim whose outcome was never recorded is sent again (at least once, flagged
as a possible duplicate), and only the claim that still holds a job may record its outcome.
The store puts jobs in it in the transaction of the change that makes them (a hold, a
release) and hands on its methods, so callers keep calling `store.claim` and the like.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from rules.model import Action
from rules.supervisor_bcc import bcc_allowed

from . import link_delivery, share_rows, trail
from .engine import Writing, reading
from .link_mime import LinkMimeError
from .records import HoldState, LinkedNotice, Notice, OutboundJob
from .schema import held, outbound

if TYPE_CHECKING:
    from .link_delivery import LinkPolicy

# A job done: a notice's text is not kept (it may name people; before v005 it held a link).
_DONE = {"raw": None, "draft": None}


class OutboundQueue:
    def __init__(
        self,
        engine: AsyncEngine,
        writing: Writing,
        internal_domains: tuple[str, ...] = (),
        links: LinkPolicy | None = None,
    ) -> None:
        self.engine = engine
        self.internal_domains = internal_domains  # organization.internal_domains, for enqueue_release
        self.links = links  # the links' base and the notices' sender, for a release through a share
        self.writing = writing  # the store's: on SQLite every writer queues on one lock

    async def claim(self, now: float, lease: float, limit: int = 20) -> list[OutboundJob]:
        """Due outbound jobs, leased to this worker; SKIP LOCKED lets instances share the queue.

        A pending job whose lease is still set was claimed before and its outcome never
        recorded (the worker killed, or the database gone, mid-send): the upstream may have
        taken it. It is sent again (at least once), counted as an attempt, and a release
        gets a "possible_duplicate" audit row."""
        free_lease = outbound.c.lease_until.is_(None) | (outbound.c.lease_until < now)
        async with self.writing() as conn:
            rows = (
                await conn.execute(
                    select(outbound)
                    .where(outbound.c.state == "pending", outbound.c.next_attempt_at <= now, free_lease)
                    .order_by(outbound.c.next_attempt_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            jobs = []
            for row in rows:
                reclaimed = row.lease_until is not None
                attempts = row.attempts + int(reclaimed)
                result = await conn.execute(
                    update(outbound)
                    .where(outbound.c.id == row.id, outbound.c.state == "pending", free_lease)
                    .values(lease_until=now + lease, attempts=attempts)
                )
                if result.rowcount != 1:
                    continue
                if reclaimed and row.kind == "release":
                    await trail.record(
                        conn, row.message_id, "system", None, "possible_duplicate", f"attempts={attempts}"
                    )
                jobs.append(
                    await _job(conn, row, attempts=attempts, leased_until=now + lease, reclaimed=reclaimed)
                )
        return jobs

    async def job_sent(self, job: OutboundJob) -> bool:
        """Record a send the upstream accepted. Safe to repeat (a retry after a commit whose
        answer was lost writes nothing twice); False when it was recorded already."""
        async with self.writing() as conn:
            result = await conn.execute(
                update(outbound)
                .where(outbound.c.id == job.id, outbound.c.state == "pending")
                .values(state="sent", attempts=job.attempts + 1, lease_until=None, last_error=None, **_DONE)
            )
            if result.rowcount != 1:
                return False
            await trail.record(
                conn, job.message_id, "system", None, f"{job.kind}_sent", f"recipients={len(job.rcpt_tos)}"
            )
        return True

    async def job_retry(
        self, job: OutboundJob, error: str, next_at: float, detail: str, *, maybe_sent: bool = False
    ) -> bool:
        """False when the job is no longer this claim's (sent, or claimed again after the
        lease ran out): its outcome is someone else's to record. `maybe_sent`: the upstream
        may have the message already (its reply to the final dot was lost), so the retry may
        duplicate it; a release's trail says so."""
        async with self.writing() as conn:
            result = await conn.execute(
                update(outbound)
                .where(*_ours(job))
                .values(
                    attempts=job.attempts + 1,
                    next_attempt_at=next_at,
                    lease_until=None,
                    last_error=error[:500],
                )
            )
            if result.rowcount != 1:
                return False
            await trail.record(conn, job.message_id, "system", None, f"{job.kind}_deferred", detail)
            if maybe_sent and job.kind == "release":
                await trail.record(
                    conn,
                    job.message_id,
                    "system",
                    None,
                    "possible_duplicate",
                    f"attempts={job.attempts + 1} outcome=unknown",
                )
        return True

    async def job_failed(self, job: OutboundJob, error: str, detail: str, *, settles: bool = True) -> bool:
        """A job given up on. A release takes its hold to "delivery_failed" in the same
        transaction: the sender's page and the console show it, and an admin may retry.
        `settles` False: a job that ends without saying anything of the hold — a recipient's
        copy whose links the sender (or an admin) stopped before it went: "dropped"."""
        now = time.time()
        async with self.writing() as conn:
            result = await conn.execute(
                update(outbound)
                .where(*_ours(job))
                .values(
                    state="failed",
                    attempts=job.attempts + 1,
                    lease_until=None,
                    last_error=error[:500],
                    **_DONE,
                )
            )
            if result.rowcount != 1:
                return False
            action = f"{job.kind}_failed" if settles else "link_copy_dropped"
            await trail.record(conn, job.message_id, "system", None, action, detail)
            if settles and job.kind == "release" and job.message_id is not None:
                await conn.execute(
                    update(held)
                    .where(held.c.id == job.message_id, held.c.state == HoldState.RELEASED)
                    .values(state=HoldState.DELIVERY_FAILED, updated_at=now)
                )
        return True

    async def retry_delivery(self, message_id: str, *, actor: str, client_addr: str | None) -> bool:
        """An admin sends a "delivery_failed" hold again: back to "released" with a fresh job
        (attempts from 0). The conditional UPDATE queues it once however often it is asked,
        from however many tabs or instances; False when the hold was not waiting for a retry
        or its bytes are gone (the retention purge), or its download links ran out (expired,
        purged: the copies cannot be made any more; a retry does not extend them)."""
        now = time.time()
        async with self.writing() as conn:
            share = await share_rows.load(conn, message_id)
            if share is not None and share.ran_out(now):
                return False
            result = await conn.execute(
                update(held)
                .where(
                    held.c.id == message_id,
                    held.c.state == HoldState.DELIVERY_FAILED,
                    func.length(held.c.raw) > 0,
                )
                .values(state=HoldState.RELEASED, updated_at=now)
            )
            if result.rowcount != 1:
                return False
            await enqueue_release(conn, message_id, now, self.internal_domains, self.links)
            await trail.record(conn, message_id, actor, client_addr, "delivery_retried", "")
        return True

    async def pending_jobs(self) -> int:
        return await self._count(outbound, outbound.c.state == "pending")

    async def undelivered(self) -> int:
        """Holds released but given up on, waiting for an admin (a gauge on /metrics)."""
        return await self._count(held, held.c.state == HoldState.DELIVERY_FAILED)

    async def _count(self, table: Table, where: ColumnElement[bool]) -> int:
        async with reading(self.engine) as conn:
            return (await conn.execute(select(func.count()).select_from(table).where(where))).scalar_one()


async def enqueue_release(
    conn: AsyncConnection,
    message_id: str,
    now: float,
    internal_domains: tuple[str, ...],
    links: LinkPolicy | None = None,
    *,
    settle_unsplittable: bool = True,
    split: link_delivery.Split | None = None,
) -> bool:
    """The delivery of a released hold, to its envelope as stored, and to the supervisor Bcc
    its decision adds (rules add_bcc: the envelope only, the bytes as held). Every way out of
    a hold (the sender's release, an approval, an admin's, a delay's time, a retry) comes here.
    A decision with link_attachments is delivered through a share (quarantine/link_delivery.py:
    the outside gets copies with download links instead of the attachments): True then.
    A message the links cannot be made of (link_mime.LinkMimeError) goes nowhere: its hold
    becomes "delivery_failed" (True), or, with `settle_unsplittable` False, the error is raised
    (the SMTP client is refused instead: Store.release_now). `split`: the raw split already,
    outside the transaction (link_delivery.split_off), for a share to be made.

    The stored Bcc list is checked again against today's internal domains: it was decided
    when the message was held, under a configuration the admin may since have corrected."""
    row = (
        await conn.execute(
            select(held.c.mail_from, held.c.rcpt_tos, held.c.decision).where(held.c.id == message_id)
        )
    ).one()
    rcpt_tos = tuple(json.loads(row.rcpt_tos))
    taken = {r.lower() for r in rcpt_tos}
    stored = [a for a in json.loads(row.decision).get("add_bcc", ()) if isinstance(a, str)]
    allowed = [a for a in stored if bcc_allowed(a, internal_domains)]
    added = tuple(a for a in allowed if a.lower() not in taken)
    linked = False
    if Action.LINK_ATTACHMENTS in json.loads(row.decision).get("rewrites", ()):
        try:
            linked = await link_delivery.enqueue_linked(
                conn,
                message_id,
                now,
                internal_domains,
                links or link_delivery.LinkPolicy(),
                bcc=added,
                split=split,
            )
        except LinkMimeError as exc:
            if not settle_unsplittable:
                raise
            # Fail closed: the sender asked for links, so the attachments never go as they
            # are. Nothing was written yet (the split comes first); the hold waits for an
            # admin in "delivery_failed", as a delivery refused for good does.
            await conn.execute(
                update(held)
                .where(held.c.id == message_id, held.c.state == HoldState.RELEASED)
                .values(state=HoldState.DELIVERY_FAILED, updated_at=now)
            )
            error = "too_many_files" if isinstance(exc, link_delivery.TooManyFiles) else "mime"
            await trail.record(conn, message_id, "system", None, "links_failed", f"error={error}")
            return True
    if not linked:
        await enqueue(conn, "release", message_id, row.mail_from, rcpt_tos + added, None, now)
    if added:
        await trail.record(conn, message_id, "system", None, "bcc_added", f"recipients={len(added)}")
    if len(allowed) < len(stored):
        dropped = len(stored) - len(allowed)
        await trail.record(conn, message_id, "system", None, "bcc_dropped", f"recipients={dropped}")
    return linked


async def enqueue(
    conn: AsyncConnection,
    kind: str,
    message_id: str | None,
    mail_from: str,
    rcpt_tos: tuple[str, ...],
    raw: bytes | None,
    now: float,
    draft: str | None = None,
) -> None:
    await conn.execute(
        outbound.insert().values(
            kind=kind,
            message_id=message_id,
            mail_from=mail_from,
            rcpt_tos=json.dumps(list(rcpt_tos)),
            raw=raw,
            draft=draft,
            state="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


async def enqueue_notice(
    conn: AsyncConnection, message_id: str, notice: Notice | LinkedNotice, now: float
) -> None:
    if isinstance(notice, LinkedNotice):
        await enqueue(
            conn, "notice", message_id, notice.mail_from, notice.rcpt_tos, None, now, notice.to_json()
        )
    else:
        sender, rcpts, raw = notice
        await enqueue(conn, "notice", message_id, sender, rcpts, raw, now)


def _ours(job: OutboundJob) -> tuple:
    """Still this claim's job: pending, under the lease it was claimed with."""
    return (
        outbound.c.id == job.id,
        outbound.c.state == "pending",
        outbound.c.lease_until == job.leased_until,
    )


async def _job(
    conn: AsyncConnection, row, *, attempts: int, leased_until: float, reclaimed: bool
) -> OutboundJob:
    rcpt_tos = tuple(json.loads(row.rcpt_tos))
    raw, draft = row.raw, None
    # A draft (a notice with a link, a recipient's copy of a shared message: a release): the
    # worker renders it when it sends it (quarantine/drafts.py).
    if row.draft is not None:
        raw, draft = b"", LinkedNotice.from_json(row.draft, row.mail_from, rcpt_tos)
    elif raw is None:  # a release sends the held message's own bytes, unchanged
        raw = (await conn.execute(select(held.c.raw).where(held.c.id == row.message_id))).scalar_one()
    return OutboundJob(
        id=row.id,
        kind=row.kind,
        message_id=row.message_id,
        mail_from=row.mail_from,
        rcpt_tos=rcpt_tos,
        raw=raw,
        attempts=attempts,
        draft=draft,
        leased_until=leased_until,
        reclaimed=reclaimed,
    )
