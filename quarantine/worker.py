"""Background work: deliver released messages and notices, expire old holds.

Temporary upstream failures are retried with backoff; permanent ones are recorded and the
sender is told. A job is leased while it is being sent, so two workers never send it twice;
a worker killed mid-send leaves a lease that runs out, and the job is sent again
(at-least-once: a duplicate is better than a loss).
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable

from .delivery import DeliveryError, PermanentFailure, Send
from .notice import failure_notice, render
from .records import LinkedNotice, OutboundJob
from .store import Store
from .tokens import new_token

log = logging.getLogger("guard.worker")

BACKOFF = (30, 120, 600, 1800, 3600, 3600, 3600 * 4)   # seconds before attempt n+1; last repeats
MAX_ATTEMPTS = 20                                       # about 2.5 days with the schedule above


class Worker:
    def __init__(self, store: Store, send: Send, *, notice_from: str, poll: float = 2.0,
                 lease: float = 600.0, backoff: tuple[float, ...] = BACKOFF,
                 max_attempts: int = MAX_ATTEMPTS,
                 on_delivered: Callable[[str, tuple[str, ...]], None] = lambda s, r: None) -> None:
        self.store = store
        self.send = send
        self.notice_from = notice_from
        self.poll = poll
        self.lease = lease
        self.backoff = backoff
        self.max_attempts = max_attempts
        self.on_delivered = on_delivered
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was queued: look now instead of at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("event=worker_error")
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED)
            for w in waiters:
                w.cancel()

    async def run_once(self, now: float | None = None) -> int:
        now = now if now is not None else time.time()
        for message_id, kind in await self.store.due_expiries(now):
            # A delay (遅延送信) goes out when its time is up; any other hold is cancelled.
            state = "released" if kind == "delay" else "expired"
            if await self.store.decide_hold(message_id, state, actor="system", client_addr=None):
                log.info("qid=%s event=%s", message_id, state)
        jobs = await self.store.claim(now, self.lease)
        await asyncio.gather(*(self._deliver(job) for job in jobs))
        return len(jobs)

    async def _deliver(self, job: OutboundJob) -> None:
        try:
            # The whole send must end inside the lease: aiosmtplib's timeout is per command,
            # and a send that outlived its lease could be claimed and sent again elsewhere.
            async with asyncio.timeout(self.lease * 0.8):
                raw = job.raw if job.draft is None else await self._with_link(job.draft, job.message_id)
                if raw is None:
                    await self._failed(job, "the hold is no longer stored", "hold_gone")
                    return
                await self.send(job.mail_from, job.rcpt_tos, raw)
        except PermanentFailure as exc:
            await self._failed(job, str(exc), _codes(exc))
        except DeliveryError as exc:
            await self._retry(job, str(exc), _codes(exc))
        except Exception as exc:   # a bug in a sender, or the deadline: retried, never lost
            log.warning("qid=%s event=send_error kind=%s error=%s", job.message_id, job.kind,
                        type(exc).__name__)
            await self._retry(job, f"internal error: {type(exc).__name__}", type(exc).__name__)
        else:
            await self.store.job_sent(job)
            if job.kind == "release":
                self.on_delivered(job.mail_from, job.rcpt_tos)
            log.info("qid=%s event=%s_sent rcpts=%d", job.message_id, job.kind, len(job.rcpt_tos))

    async def _with_link(self, draft: LinkedNotice, message_id: str | None) -> bytes | None:
        """The notice with a link minted now: only the link's hash is stored, the text with
        the link exists only in memory. A retry mints another; each works until the hold ends."""
        token = new_token()
        if message_id is None or not await self.store.add_link(message_id, token, draft.role, draft.actor):
            return None
        return render(draft.template, draft.args, f"{draft.base_url}/h/{token}")

    async def _retry(self, job: OutboundJob, error: str, detail: str) -> None:
        if job.attempts + 1 >= self.max_attempts:
            await self._failed(job, f"gave up after {job.attempts + 1} attempts: {error}", detail)
            return
        delay = self.backoff[min(job.attempts, len(self.backoff) - 1)]
        await self.store.job_retry(job, error, time.time() + delay, detail)
        log.warning("qid=%s event=%s_deferred attempt=%d retry_in=%ds", job.message_id, job.kind,
                    job.attempts + 1, delay)

    async def _failed(self, job: OutboundJob, error: str, detail: str) -> None:
        # The full error (it may name recipients) goes only to the sender's notice; the
        # audit row gets codes and counts.
        await self.store.job_failed(job, error, detail)
        log.error("qid=%s event=%s_failed", job.message_id, job.kind)
        if job.kind == "release" and job.mail_from and job.message_id:
            record = await self.store.get(job.message_id)
            subject = record.summary.subject if record else ""
            raw = failure_notice(notice_from=self.notice_from, sender=job.mail_from,
                                 subject=subject, error=error)
            await self.store.enqueue("notice", job.message_id, self.notice_from, [job.mail_from], raw)
            self.wake()


def _codes(exc: DeliveryError) -> str:
    """An upstream error as the audit log may keep it: codes and counts, no addresses."""
    return f"code={exc.code} refused={len(exc.refused)}"
