"""Background work: deliver released messages and notices, expire old holds.

Temporary upstream failures are retried with backoff; permanent ones (or giving up after
`max_attempts`) take the hold to "delivery_failed", and the sender is told. A job is leased
while it is being sent, so two workers never send it at the same time.

Delivery is at least once, as in every MTA: a duplicate is better than a loss. A send the
upstream accepted but whose outcome could not be recorded is sent again when its lease runs
out — the worker was killed, or the database stayed unwritable through the retries of
`_record_sent` (a send's outcome is retried for about `record_for` seconds, within the lease).
Such a second claim is logged `event=possible_duplicate` and, for a release, written to the
audit trail (Store.claim); so is the retry of a send whose reply to the final dot was lost or
unreadable (UnknownOutcome: the upstream may have the message, RFC 1047).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from rules.model import Action

from .cluster_lock import ClusterLock
from .delivery import DeliveryError, PermanentFailure, Send, UnknownOutcome, hide_addresses, reverse_path
from .drafts import Unsendable, render_draft
from .metrics import Metrics
from .notice import NOTICE_NAME
from .outcome_notice import failure_notice
from .records import HoldState, OutboundJob
from .reminders import Reminders, dropped_if_ended
from .store import Store

log = logging.getLogger("guard.worker")

BACKOFF = (30, 120, 600, 1800, 3600, 3600, 3600 * 4)  # seconds before attempt n+1; last repeats
MAX_ATTEMPTS = 20  # about 2.5 days with the schedule above
RECORD_FOR = 30.0  # seconds to keep trying to record a send the upstream accepted
# Seconds between two rounds of reminders on one guard, at most: a reminder is due hours after
# a hold, so a minute late is nothing, and the round's query over every live hold then runs
# once a minute instead of at each poll (2 s) and at each wake (every message queued). A
# shorter remind_after (a test, a demonstration) is checked as often as it asks.
REMINDERS_EVERY = 60.0


class Worker:
    def __init__(
        self,
        store: Store,
        send: Send,
        *,
        notice_from: str,
        notice_name: str = NOTICE_NAME,
        poll: float = 2.0,
        lease: float = 600.0,
        backoff: tuple[float, ...] = BACKOFF,
        max_attempts: int = MAX_ATTEMPTS,
        record_for: float = RECORD_FOR,
        metrics: Metrics | None = None,
        on_delivered: Callable[[str, tuple[str, ...]], None] = lambda s, r: None,
        reminders: Reminders | None = None,
    ) -> None:
        self.store = store
        self.send = send
        self.notice_from = notice_from
        self.notice_name = notice_name
        self.poll = poll
        self.lease = lease
        self.backoff = backoff
        self.max_attempts = max_attempts
        self.record_for = record_for
        self.metrics = metrics or Metrics()
        self.on_delivered = on_delivered
        self.reminders = reminders  # forgotten holds recalled, each REMINDERS_EVERY at most
        self.expiry_lock = ClusterLock(store.engine, "expiry")
        self._wake = asyncio.Event()
        self._reminders_at = float("-inf")  # when the next round of reminders is due

    def wake(self) -> None:
        """Something was queued: look now instead of at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception as exc:
                # The class only: a database error's text or a message's may name addresses.
                log.error("event=worker_error error=%s", type(exc).__name__)
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED)
            for w in waiters:
                w.cancel()

    async def run_once(self, now: float | None = None) -> int:
        now = now if now is not None else time.time()
        await self._expire(now)
        if self.reminders is not None and now >= self._reminders_at:
            self._reminders_at = now + min(REMINDERS_EVERY, self.reminders.policy.after or REMINDERS_EVERY)
            try:  # a failed round of reminders must not hold up the deliveries
                await self.reminders.run_once(now)
            except Exception as exc:
                log.error("event=reminders_error error=%s", type(exc).__name__)
        jobs = await self.store.claim(now, self.lease)
        await asyncio.gather(*(self._deliver(job) for job in jobs))
        return len(jobs)

    async def _expire(self, now: float) -> None:
        """Finish the holds whose time is up, on one guard of the cluster at a time: the others
        skip the round (decide_hold changes a hold once either way; the lock spares the
        cluster the same sweep from each guard every poll)."""
        async with self.expiry_lock.round() as mine:
            if not mine:
                return
            for message_id, kind in await self.store.due_expiries(now):
                # A delay (遅延送信) goes out when its time is up; any other hold is cancelled.
                state = HoldState.RELEASED if kind == Action.DELAY else HoldState.EXPIRED
                try:
                    if await self.store.decide_hold(message_id, state, actor="system", client_addr=None):
                        log.info("qid=%s event=%s", message_id, state)
                except Exception as exc:
                    # One hold the database refuses must not stop the queue: it stays due (tried
                    # again next round, the admins see this line) and every other job still goes.
                    log.error("qid=%s event=expiry_error error=%s", message_id, type(exc).__name__)

    async def _deliver(self, job: OutboundJob) -> None:
        if job.reclaimed:
            log.warning(
                "qid=%s event=possible_duplicate kind=%s job=%d attempt=%d",
                job.message_id,
                job.kind,
                job.id,
                job.attempts,
            )
            if job.attempts >= self.max_attempts:  # a message that kills the guard each time
                await self._failed(
                    job, f"gave up after {job.attempts} attempts", "gave_up possible_duplicate=1"
                )
                return
        # The whole send must end inside the lease: aiosmtplib's timeout is per command, and a
        # send that outlived its lease could be claimed and sent again elsewhere. The sender's
        # wait for the reply to the final dot ends a little earlier, so that a lost reply is an
        # UnknownOutcome (flagged as a possible duplicate), not this deadline.
        deadline = asyncio.get_running_loop().time() + self.lease * 0.8
        try:
            async with asyncio.timeout_at(deadline):
                if await dropped_if_ended(self.store, job):  # a reminder of a hold decided since
                    return
                try:  # a draft's link or code is minted now (quarantine/drafts.py)
                    raw = (
                        job.raw
                        if job.draft is None
                        else await render_draft(self.store, job.draft, job.message_id)
                    )
                except Unsendable as exc:
                    if exc.settles:
                        await self._failed(job, exc.error, exc.detail)
                    elif await self.store.job_failed(job, exc.error, exc.detail, settles=False):
                        log.info("qid=%s event=link_copy_dropped job=%d", job.message_id, job.id)
                    return
                await self.send(
                    job.mail_from, job.rcpt_tos, raw, deadline=deadline - max(1.0, self.lease * 0.05)
                )
        except PermanentFailure as exc:
            await self._failed(job, str(exc), _codes(exc))
        except UnknownOutcome as exc:
            # The final dot went out and no reply came: the upstream may have it (RFC 1047).
            log.warning(
                "qid=%s event=possible_duplicate kind=%s job=%d outcome=unknown",
                job.message_id,
                job.kind,
                job.id,
            )
            await self._retry(job, str(exc), f"outcome=unknown {_codes(exc)}", maybe_sent=True)
        except DeliveryError as exc:
            await self._retry(job, str(exc), _codes(exc))
        except Exception as exc:  # a bug in a sender, or the deadline: retried, never lost
            log.warning(
                "qid=%s event=send_error kind=%s error=%s", job.message_id, job.kind, type(exc).__name__
            )
            await self._retry(job, f"internal error: {type(exc).__name__}", type(exc).__name__)
        else:
            if job.kind == "release":
                self.on_delivered(job.mail_from, job.rcpt_tos)
            log.info("qid=%s event=%s_sent rcpts=%d", job.message_id, job.kind, len(job.rcpt_tos))
            await self._record_sent(job)

    async def _record_sent(self, job: OutboundJob) -> None:
        """The upstream has the message: record it, retrying with backoff while the database
        refuses (locked, restarting, unreachable), but never past the lease — after it, another
        claim may already be sending again. Given up, the lease runs out and the job is sent
        again, flagged as a possible duplicate."""
        deadline = time.time() + min(self.record_for, max(0.0, job.leased_until - time.time() - 1))
        pause = 0.5
        for attempt in range(1, 100):
            try:
                await self.store.job_sent(job)
                return
            except Exception as exc:
                left = deadline - time.time()
                log.warning(
                    "qid=%s event=record_sent_failed kind=%s attempt=%d error=%s",
                    job.message_id,
                    job.kind,
                    attempt,
                    type(exc).__name__,
                )
                if left <= 0:
                    break
                await asyncio.sleep(min(pause, left))
                pause = min(pause * 2, 8.0)
        log.error(
            "qid=%s event=record_sent_gave_up kind=%s job=%d: sent again after the lease",
            job.message_id,
            job.kind,
            job.id,
        )

    async def _retry(self, job: OutboundJob, error: str, detail: str, *, maybe_sent: bool = False) -> None:
        if job.attempts + 1 >= self.max_attempts:
            await self._failed(
                job, f"gave up after {job.attempts + 1} attempts: {error}", f"gave_up {detail}"
            )
            return
        delay = self.backoff[min(job.attempts, len(self.backoff) - 1)]
        if await self.store.job_retry(job, error, time.time() + delay, detail, maybe_sent=maybe_sent):
            log.warning(
                "qid=%s event=%s_deferred attempt=%d retry_in=%ds",
                job.message_id,
                job.kind,
                job.attempts + 1,
                delay,
            )

    async def _failed(self, job: OutboundJob, error: str, detail: str) -> None:
        # The full error (it may name recipients) goes only to the sender's notice; the
        # audit row gets codes and counts.
        if not await self.store.job_failed(job, error, detail):
            log.warning("qid=%s event=%s_outcome_superseded job=%d", job.message_id, job.kind, job.id)
            return
        if job.kind == "notice":
            # Nobody is told that a notice could not be sent: the admins watch this counter
            # (and a failed release shows as "delivery_failed" in the console either way).
            self.metrics.notices_failed.inc()
            log.error("qid=%s event=notice_failed job=%d", job.message_id, job.id)
            return
        log.error("qid=%s event=%s_failed", job.message_id, job.kind)
        # A null sender (a bounce, an auto-reply) has nobody to tell: the admins see the state.
        if job.kind == "release" and reverse_path(job.mail_from) and job.message_id:
            record = await self.store.get(job.message_id)
            subject = record.summary.subject if record else ""
            # The upstream's text may quote a refused supervisor Bcc: the sender is not told whom.
            bcc = record.decision.add_bcc if record else ()
            raw = failure_notice(
                notice_from=self.notice_from,
                notice_name=self.notice_name,
                sender=job.mail_from,
                subject=subject,
                error=hide_addresses(error, bcc, "上長Bcc (supervisor Bcc)"),
            )
            await self.store.enqueue("notice", job.message_id, self.notice_from, [job.mail_from], raw)
            self.wake()


def _codes(exc: DeliveryError) -> str:
    """An upstream error as the audit log may keep it: codes and counts, no addresses."""
    return f"code={exc.code} refused={len(exc.refused)}"
