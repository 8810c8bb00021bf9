"""The durable store of held messages, outbound work and the audit log.

Every state change is one transaction together with its audit row. SQLite runs in WAL mode
with synchronous=FULL, so a commit is on disk before the guard answers 250; PostgreSQL
commits are durable by default.
"""
from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator, Iterable, Sequence

from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from .migrate import migrate
from .records import AuditEntry, HeldMessage, HeldRecord, Link, LinkedNotice, Notice, OutboundJob
from .schema import audit, held, links, outbound, store_heartbeat
from .tokens import new_token, same, token_hash

# A HeldRecord: every column but the message itself, which pages and lists never show.
_RECORD = [column for column in held.c if column.name != "raw"]
# PostgreSQL: how long to wait for a connection (TCP and start-up), for each statement, and
# for a free connection of the pool. A client times out the final dot after 10 minutes (RFC
# 5321 §4.5.3.2.6) but many give up after 30 s: a hold answers 451 well before that.
# A hold whose COMMIT reaches a server that wakes up after the guard gave up is refused there
# (migration v007, HOLD_COMMIT_WITHIN = 7 s after its INSERT): keep STATEMENT_TIMEOUT above it.
CONNECT_TIMEOUT = 5.0
STATEMENT_TIMEOUT = 8.0
POOL_TIMEOUT = 8.0
# The health check answers within this (a load balancer's probe gives up after a few seconds).
PROBE_WITHIN = 1.5
# A job done: a notice's text is not kept (it may name people; before v005 it held a link).
_DONE = {"raw": None, "draft": None}


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A read: on SQLite a deferred transaction, which in WAL mode waits for no writer (any
    other transaction begins IMMEDIATE, taking SQLite's one write lock: see _sqlite_begin)."""
    async with engine.connect() as conn:
        yield await conn.execution_options(mdg_read_only=True)


class Store:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # SQLite has one writer: contending connections would meet in its busy handler, which
        # sleeps for up to 100 ms at a time. Writers of this process queue here instead.
        self._writer = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        self._probe: asyncio.Future | None = None   # the health check's write in progress

    def _read(self):
        return reading(self.engine)

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction. Every writer of this guard goes through here (the decision log
        and the history too), so on SQLite they queue on one lock."""
        if self._writer is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._writer, self.engine.begin() as conn:
            yield conn

    @classmethod
    async def open(cls, url: str) -> "Store":
        store = cls(make_engine(url))
        try:
            await migrate(store.engine)
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        await self.engine.dispose()

    async def hold(self, msg: HeldMessage, *, csrf: str, expires_at: float, token: str | None = None,
                   notices: Sequence[Notice | LinkedNotice] = (),
                   approver_tokens: Sequence[tuple[str, str]] = (),
                   approvers: Sequence[str] | None = None) -> None:
        """Store the message, its notices and the audit row in one transaction. The links are
        minted when the notices are sent; `token` and `approver_tokens` are links known in
        advance (tests, fixtures), stored as hashes like every other."""
        now = time.time()
        async with self.writing() as conn:
            await conn.execute(held.insert().values(
                id=msg.id, state="held", kind=msg.kind, created_at=now, updated_at=now,
                expires_at=expires_at, mail_from=msg.mail_from,
                rcpt_tos=json.dumps(list(msg.rcpt_tos)), raw=msg.raw,
                decision=json.dumps(msg.decision.to_dict()),
                findings=json.dumps([f.to_dict() for f in msg.findings]),
                summary=json.dumps(msg.summary.to_dict()),
                # NOT NULL UNIQUE since v001: the hash of a token nobody is ever given.
                token_hash=token_hash(new_token()), csrf=csrf,
                approvers=None if approvers is None else json.dumps(list(approvers))))
            if token is not None:
                await _link(conn, msg.id, token, "sender", msg.mail_from, now)
            for approver_token, approver in approver_tokens:
                await _link(conn, msg.id, approver_token, "approver", approver, now)
            for notice in notices:
                await _enqueue_notice(conn, msg.id, notice, now)
            rules = ",".join(m.id for m in msg.decision.deciding)
            await _audit(conn, msg.id, "system", None, "held", f"kind={msg.kind} rules={rules}")

    async def by_link(self, token: str) -> Link | None:
        """The held message a link opens, and whose link it is (the sender's or an approver's)."""
        digest = token_hash(token)
        async with self._read() as conn:
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
        async with self._read() as conn:
            return (await conn.execute(select(held.c.raw).where(held.c.id == message_id))).scalar_one()

    async def replace_held(self, message_id: str, *, read_at: float, raw: bytes,
                           rcpt_tos: tuple[str, ...], findings, summary, decision, kind: str,
                           expires_at: float, actor: str, client_addr: str | None, detail: str,
                           then: str | None = None, notices: Sequence[Notice | LinkedNotice] = (),
                           approvers: Sequence[str] | None = None) -> bool:
        """The sender's fixed message takes the held one's place, in one transaction with its
        notices (and whom approval is asked of now) and, with `then`, its release or
        cancellation. False when the hold changed since it was read at `read_at` (acted on,
        expired, fixed in another tab)."""
        now = time.time()
        async with self.writing() as conn:
            result = await conn.execute(
                update(held).where(held.c.id == message_id, held.c.state == "held",
                                   held.c.updated_at == read_at).values(
                    raw=raw, rcpt_tos=json.dumps(list(rcpt_tos)), updated_at=now, kind=kind,
                    expires_at=expires_at, decision=json.dumps(decision.to_dict()),
                    findings=json.dumps([f.to_dict() for f in findings]),
                    summary=json.dumps(summary.to_dict()),
                    **({} if approvers is None else {"approvers": json.dumps(list(approvers))})))
            if result.rowcount != 1:
                return False
            await _audit(conn, message_id, actor, client_addr, "modified", detail)
            for notice in notices:
                await _enqueue_notice(conn, message_id, notice, now)
            if then is not None:
                await _transition(conn, message_id, then, actor, client_addr, now, None)
        return True

    async def get(self, message_id: str) -> HeldRecord | None:
        async with self._read() as conn:
            row = (await conn.execute(select(*_RECORD).where(held.c.id == message_id))).first()
        return HeldRecord.from_row(row) if row else None

    async def decide_hold(self, message_id: str, to_state: str, *, actor: str,
                          client_addr: str | None, now: float | None = None,
                          note: str | None = None) -> bool:
        """Move a held message to released/cancelled/expired; False if it was no longer held.

        The conditional UPDATE makes the transition happen once even when two requests or two
        guard instances race: releasing twice queues one release. Its delivery is at least
        once (see claim).
        """
        async with self.writing() as conn:
            return await _transition(conn, message_id, to_state, actor, client_addr,
                                     now or time.time(), note)

    async def due_expiries(self, now: float) -> list[tuple[str, str]]:
        """(id, kind) of the holds whose time is up."""
        async with self._read() as conn:
            rows = await conn.execute(select(held.c.id, held.c.kind).where(
                held.c.state == "held", held.c.expires_at <= now))
            return [(r.id, r.kind) for r in rows]

    async def enqueue(self, kind: str, message_id: str | None, mail_from: str,
                      rcpt_tos: Iterable[str], raw: bytes | None) -> None:
        async with self.writing() as conn:
            await _enqueue(conn, kind, message_id, mail_from, tuple(rcpt_tos), raw, time.time())

    async def claim(self, now: float, lease: float, limit: int = 20) -> list[OutboundJob]:
        """Due outbound jobs, leased to this worker; SKIP LOCKED lets instances share the queue.

        A pending job whose lease is still set was claimed before and its outcome never
        recorded (the worker killed, or the database gone, mid-send): the upstream may have
        taken it. It is sent again (at least once), counted as an attempt, and a release
        gets a "possible_duplicate" audit row."""
        free_lease = outbound.c.lease_until.is_(None) | (outbound.c.lease_until < now)
        async with self.writing() as conn:
            rows = (await conn.execute(
                select(outbound).where(outbound.c.state == "pending",
                                       outbound.c.next_attempt_at <= now, free_lease)
                .order_by(outbound.c.next_attempt_at).limit(limit)
                .with_for_update(skip_locked=True))).all()
            jobs = []
            for row in rows:
                reclaimed = row.lease_until is not None
                attempts = row.attempts + int(reclaimed)
                result = await conn.execute(
                    update(outbound).where(outbound.c.id == row.id, outbound.c.state == "pending",
                                           free_lease)
                    .values(lease_until=now + lease, attempts=attempts))
                if result.rowcount != 1:
                    continue
                if reclaimed and row.kind == "release":
                    await _audit(conn, row.message_id, "system", None, "possible_duplicate",
                                 f"attempts={attempts}")
                jobs.append(await _job(conn, row, attempts=attempts, leased_until=now + lease,
                                       reclaimed=reclaimed))
        return jobs

    async def job_sent(self, job: OutboundJob) -> bool:
        """Record a send the upstream accepted. Safe to repeat (a retry after a commit whose
        answer was lost writes nothing twice); False when it was recorded already."""
        async with self.writing() as conn:
            result = await conn.execute(
                update(outbound).where(outbound.c.id == job.id, outbound.c.state == "pending")
                .values(state="sent", attempts=job.attempts + 1, lease_until=None,
                        last_error=None, **_DONE))
            if result.rowcount != 1:
                return False
            await _audit(conn, job.message_id, "system", None, f"{job.kind}_sent",
                         f"recipients={len(job.rcpt_tos)}")
        return True

    async def job_retry(self, job: OutboundJob, error: str, next_at: float, detail: str, *,
                        maybe_sent: bool = False) -> bool:
        """False when the job is no longer this claim's (sent, or claimed again after the
        lease ran out): its outcome is someone else's to record. `maybe_sent`: the upstream
        may have the message already (its reply to the final dot was lost), so the retry may
        duplicate it; a release's trail says so."""
        async with self.writing() as conn:
            result = await conn.execute(
                update(outbound).where(*_ours(job))
                .values(attempts=job.attempts + 1, next_attempt_at=next_at, lease_until=None,
                        last_error=error[:500]))
            if result.rowcount != 1:
                return False
            await _audit(conn, job.message_id, "system", None, f"{job.kind}_deferred", detail)
            if maybe_sent and job.kind == "release":
                await _audit(conn, job.message_id, "system", None, "possible_duplicate",
                             f"attempts={job.attempts + 1} outcome=unknown")
        return True

    async def job_failed(self, job: OutboundJob, error: str, detail: str) -> bool:
        """A job given up on. A release takes its hold to "delivery_failed" in the same
        transaction: the sender's page and the console show it, and an admin may retry."""
        now = time.time()
        async with self.writing() as conn:
            result = await conn.execute(
                update(outbound).where(*_ours(job))
                .values(state="failed", attempts=job.attempts + 1, lease_until=None,
                        last_error=error[:500], **_DONE))
            if result.rowcount != 1:
                return False
            await _audit(conn, job.message_id, "system", None, f"{job.kind}_failed", detail)
            if job.kind == "release" and job.message_id is not None:
                await conn.execute(update(held).where(held.c.id == job.message_id,
                                                      held.c.state == "released")
                                   .values(state="delivery_failed", updated_at=now))
        return True

    async def retry_delivery(self, message_id: str, *, actor: str, client_addr: str | None) -> bool:
        """An admin sends a "delivery_failed" hold again: back to "released" with a fresh job
        (attempts from 0). The conditional UPDATE queues it once however often it is asked,
        from however many tabs or instances; False when the hold was not waiting for a retry
        or its bytes are gone (the retention purge)."""
        now = time.time()
        async with self.writing() as conn:
            result = await conn.execute(
                update(held).where(held.c.id == message_id, held.c.state == "delivery_failed",
                                   func.length(held.c.raw) > 0)
                .values(state="released", updated_at=now))
            if result.rowcount != 1:
                return False
            row = (await conn.execute(select(held.c.mail_from, held.c.rcpt_tos)
                                      .where(held.c.id == message_id))).one()
            await _enqueue(conn, "release", message_id, row.mail_from,
                           tuple(json.loads(row.rcpt_tos)), None, now)
            await _audit(conn, message_id, actor, client_addr, "delivery_retried", "")
        return True

    async def audit_trail(self, message_id: str) -> list[AuditEntry]:
        async with self._read() as conn:
            rows = await conn.execute(select(audit).where(audit.c.message_id == message_id)
                                      .order_by(audit.c.id))
            return [AuditEntry(at=r.at, message_id=r.message_id, actor=r.actor,
                               client_addr=r.client_addr, action=r.action, detail=r.detail or "")
                    for r in rows]

    async def pending_jobs(self) -> int:
        async with self._read() as conn:
            return (await conn.execute(select(func.count()).select_from(outbound)
                                       .where(outbound.c.state == "pending"))).scalar_one()

    async def can_write(self, within: float = PROBE_WITHIN) -> str | None:
        """Whether the store takes a write now: a one-row committed update, so a full disk or
        a read-only database fails it as it would fail a hold. None when it does, else why not
        (an error class name, no traceback). Answers within `within` seconds however the
        database hangs; the probe itself goes on in the background, and one at a time."""
        probe = self._probe
        if probe is None or probe.done():
            probe = self._probe = asyncio.ensure_future(self._heartbeat())
            probe.add_done_callback(lambda task: task.cancelled() or task.exception())
        done, _ = await asyncio.wait({probe}, timeout=within)
        if not done:
            return "TimeoutError"
        error = None if probe.cancelled() else probe.exception()
        return None if error is None else type(error).__name__

    async def _heartbeat(self) -> None:
        async with self.writing() as conn:
            await conn.execute(update(store_heartbeat).where(store_heartbeat.c.id == 1)
                               .values(at=time.time()))

    async def undelivered(self) -> int:
        """Holds released but given up on, waiting for an admin (a gauge on /metrics)."""
        async with self._read() as conn:
            return (await conn.execute(select(func.count()).select_from(held)
                                       .where(held.c.state == "delivery_failed"))).scalar_one()


async def _transition(conn: AsyncConnection, message_id: str, to_state: str, actor: str,
                      client_addr: str | None, now: float, note: str | None) -> bool:
    result = await conn.execute(
        update(held).where(held.c.id == message_id, held.c.state == "held")
        .values(state=to_state, updated_at=now, acted_at=now, acted_by=actor, note=note))
    if result.rowcount != 1:
        return False
    if to_state == "released":
        row = (await conn.execute(select(held.c.mail_from, held.c.rcpt_tos)
                                  .where(held.c.id == message_id))).one()
        await _enqueue(conn, "release", message_id, row.mail_from, tuple(json.loads(row.rcpt_tos)),
                       None, now)
    await _audit(conn, message_id, actor, client_addr, to_state, "")
    return True


async def _enqueue(conn: AsyncConnection, kind: str, message_id: str | None, mail_from: str,
                   rcpt_tos: tuple[str, ...], raw: bytes | None, now: float,
                   draft: str | None = None) -> None:
    await conn.execute(outbound.insert().values(
        kind=kind, message_id=message_id, mail_from=mail_from, rcpt_tos=json.dumps(list(rcpt_tos)),
        raw=raw, draft=draft, state="pending", attempts=0, next_attempt_at=now, created_at=now))


async def _enqueue_notice(conn: AsyncConnection, message_id: str, notice: Notice | LinkedNotice,
                          now: float) -> None:
    if isinstance(notice, LinkedNotice):
        await _enqueue(conn, "notice", message_id, notice.mail_from, notice.rcpt_tos, None, now,
                       notice.to_json())
    else:
        sender, rcpts, raw = notice
        await _enqueue(conn, "notice", message_id, sender, rcpts, raw, now)


async def _link(conn: AsyncConnection, message_id: str, token: str, role: str, actor: str,
                now: float) -> None:
    await conn.execute(links.insert().values(token_hash=token_hash(token), message_id=message_id,
                                             role=role, actor=actor, created_at=now))


async def _audit(conn: AsyncConnection, message_id: str | None, actor: str,
                 client_addr: str | None, action: str, detail: str) -> None:
    await conn.execute(audit.insert().values(at=time.time(), message_id=message_id, actor=actor,
                                             client_addr=client_addr, action=action, detail=detail))


def _ours(job: OutboundJob) -> tuple:
    """Still this claim's job: pending, under the lease it was claimed with."""
    return (outbound.c.id == job.id, outbound.c.state == "pending",
            outbound.c.lease_until == job.leased_until)


async def _job(conn: AsyncConnection, row, *, attempts: int, leased_until: float,
               reclaimed: bool) -> OutboundJob:
    rcpt_tos = tuple(json.loads(row.rcpt_tos))
    raw, draft = row.raw, None
    if row.draft is not None:   # a notice with a link: the worker renders it when it sends
        raw, draft = b"", LinkedNotice.from_json(row.draft, row.mail_from, rcpt_tos)
    elif raw is None:   # a release sends the held message's own bytes, unchanged
        raw = (await conn.execute(select(held.c.raw).where(held.c.id == row.message_id))).scalar_one()
    return OutboundJob(id=row.id, kind=row.kind, message_id=row.message_id, mail_from=row.mail_from,
                       rcpt_tos=rcpt_tos, raw=raw, attempts=attempts, draft=draft,
                       leased_until=leased_until, reclaimed=reclaimed)


def make_engine(url: str) -> AsyncEngine:
    """The engine, with every wait bounded: a database that hangs must cost the client a fast
    451, not a commit that lands after the client gave up and retried (a second hold)."""
    if url.startswith("sqlite"):
        _ensure_parent(url)
        # busy_timeout (below) bounds the wait for SQLite's write lock; a file does not hang.
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        url, pool_pre_ping=True, pool_timeout=POOL_TIMEOUT,
        connect_args={"timeout": CONNECT_TIMEOUT, "command_timeout": STATEMENT_TIMEOUT})


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # The driver's own implicit BEGIN is deferred: a transaction that reads, then writes,
    # can then lose to another writer (SQLITE_BUSY_SNAPSHOT). We begin ourselves, below.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=10000")
    _wal(cur)
    cur.execute("PRAGMA synchronous=FULL")   # fsync at every commit: nothing is lost after 250
    cur.execute("PRAGMA foreign_keys=ON")
    # What is deleted or overwritten (a notice's text, a purged message) is zeroed, not left
    # readable in free pages of the file.
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


def _wal(cur, attempts: int = 100) -> None:
    """WAL mode, which the database file keeps once set. Switching takes an exclusive lock
    for which SQLite does not call its busy handler: connections opening a new database
    together (two guards, or one guard's pool) retry instead of failing."""
    for attempt in range(attempts):
        try:
            cur.execute("PRAGMA journal_mode")
            if str(cur.fetchone()[0]).lower() == "wal":
                return
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except Exception as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


def _sqlite_begin(conn) -> None:
    # SQLite has one writer at a time; taking the write lock at BEGIN makes a claim (read the
    # due jobs, then lease them) atomic, the way FOR UPDATE SKIP LOCKED does on PostgreSQL.
    # Reads (`reading`) begin deferred and never wait for a writer.
    read_only = conn.get_execution_options().get("mdg_read_only")
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _ensure_parent(url: str) -> None:
    from pathlib import Path
    path = url.split(":///", 1)[1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
