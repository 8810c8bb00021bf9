"""Reminders for forgotten holds (放置メール): a hold nobody acted on is recalled to the people
who can act on it, `after` seconds after it was held (or last fixed by the sender), then every
`every` seconds until it expires. Expiry still cancels; a delay is never recalled (it goes out
by itself when its time is up).

Who is reminded: the sender of a hold (he releases or cancels it); the approvers of an approval
hold (they decide it). The sender of an approval hold cannot act but withdraw it: he hears
once, with the first reminder, that it is still waiting (so that he can chase an approver or
withdraw it), not every day about what only others can do. An approval hold with nobody to ask
(an admin decides in the console) reminds no approver.

Several guards may share one database: on PostgreSQL one of them at a time runs a round (an
advisory lock, quarantine/cluster_lock.py; the others skip theirs), and a reminder is claimed by
a conditional UPDATE of `reminded_at` in the transaction that queues its notices, so only the
guard whose update succeeds queues it, once per due time. The notices are LinkedNotice drafts
in the outbound queue, like the first ones: durable, and their links minted when sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy import or_, select, update

from rules.model import Action

from . import outbound, trail
from .cluster_lock import ClusterLock
from .notice import NOTICE_NAME
from .records import HeldRecord, HoldState, LinkedNotice, OutboundJob
from .reminder_notice import TEMPLATES as REMINDER_TEMPLATES
from .rendering import when
from .schema import held
from .schema import outbound as jobs
from .store import Store

log = logging.getLogger("guard.reminders")

BATCH = 100  # holds reminded per round: the rest are due at the next
REMINDED = "reminder_sent"  # the audit trail's action
DROPPED = "reminder_dropped"  # ... and a reminder not sent: its hold ended before it went
_RECORD = [column for column in held.c if column.name != "raw"]  # never the message's bytes


@dataclass(frozen=True, kw_only=True)
class ReminderPolicy:
    after: float = 4 * 3600.0  # quarantine.remind_after; 0: no reminders
    every: float = 86400.0  # quarantine.remind_every; 0: only the first
    public_url: str = ""
    notice_from: str = ""
    notice_name: str = NOTICE_NAME
    zone: tzinfo | None = None  # web.timezone, for the expiry the notices name

    def next_at(self, record: HeldRecord) -> float | None:
        """When the next reminder of this hold is due; None: no more (off, a delay, past its
        expiry, decided)."""
        if not self.after or record.kind == Action.DELAY or record.state != HoldState.HELD:
            return None
        due = record.updated_at + self.after
        if record.reminded_at is not None:
            if not self.every:
                return None
            due = max(due, record.reminded_at + self.every)
        return due if due < record.expires_at else None


class Reminders:
    def __init__(self, store: Store, policy: ReminderPolicy) -> None:
        self.store = store
        self.policy = policy
        self.lock = ClusterLock(store.engine, "reminders")  # one round at a time in the cluster

    async def run_once(self, now: float) -> int:
        """Queue the reminders due at `now`; how many holds this guard reminded."""
        p = self.policy
        if not p.after:
            return 0
        # updated_at: when the hold was made, or last fixed by the sender (a fix is an action;
        # nothing else changes it while the hold is held).
        due = [
            held.c.state == HoldState.HELD,
            held.c.kind != Action.DELAY,
            held.c.expires_at > now,
            held.c.updated_at <= now - p.after,
        ]
        if p.every:
            due.append(or_(held.c.reminded_at.is_(None), held.c.reminded_at + p.every <= now))
        else:
            due.append(held.c.reminded_at.is_(None))
        # The ids from ix_held_reminders alone (it covers every column of the test), then the
        # records of the due ones by id: the query runs over every live hold each round, and a
        # row's kind and reminded_at sit after its message's bytes.
        async with self.lock.round() as mine:
            if not mine:
                return 0
            async with self.store.reading() as conn:
                ids = list((await conn.execute(select(held.c.id).where(*due).limit(BATCH))).scalars())
                if not ids:
                    return 0
                rows = (await conn.execute(select(*_RECORD).where(held.c.id.in_(ids)))).all()
            count = 0
            for row in rows:
                if await self._claim(HeldRecord.from_row(row), row.reminded_at, now):
                    count += 1
            return count

    async def _claim(self, record: HeldRecord, reminded_at: float | None, now: float) -> bool:
        """Queue this hold's reminders if no other guard did since it was read, and it is
        still held, unchanged. updated_at is left alone: it is the fix form's check that
        nobody changed the hold meanwhile, and a reminder changes nothing of it."""
        notices = self._notices(record, first=reminded_at is None)
        same = held.c.reminded_at.is_(None) if reminded_at is None else held.c.reminded_at == reminded_at
        async with self.store.writing() as conn:
            claimed = await conn.execute(
                update(held)
                .where(
                    held.c.id == record.id,
                    held.c.state == HoldState.HELD,
                    held.c.updated_at == record.updated_at,
                    same,
                )
                .values(reminded_at=now)
            )
            if claimed.rowcount != 1:
                return False
            for notice in notices:
                await outbound.enqueue_notice(conn, record.id, notice, now)
            # Counts only: who was reminded is in the notices' own jobs.
            senders = sum(1 for n in notices if n.role == "sender")
            await trail.record(
                conn,
                record.id,
                "system",
                None,
                REMINDED,
                f"first={int(reminded_at is None)} sender={senders} approvers={len(notices) - senders}",
            )
        log.info("qid=%s event=%s notices=%d", record.id, REMINDED, len(notices))
        return True

    def _notices(self, record: HeldRecord, *, first: bool) -> list[LinkedNotice]:
        p = self.policy
        common = {
            "notice_from": p.notice_from,
            "notice_name": p.notice_name,
            "subject": record.summary.subject,
            "decision": record.decision.to_dict(),
            "when_text": when(record.expires_at, p.zone),
        }
        notices = []
        approval = record.kind == Action.HOLD_FOR_APPROVAL
        if record.mail_from and (first or not approval):
            notices.append(
                self._draft(
                    "hold_reminder",
                    "sender",
                    record.mail_from,
                    sender=record.mail_from,
                    kind=record.kind,
                    approvers=list(record.approvers or ()),
                    created_text=when(record.created_at, p.zone),
                    **common,
                )
            )
        if approval:
            notices += [
                self._draft(
                    "approval_reminder",
                    "approver",
                    approver,
                    approver=approver,
                    sender=record.mail_from or "<>",
                    created_text=when(record.created_at, p.zone),
                    **common,
                )
                for approver in record.approvers or ()
            ]
        return notices

    def _draft(self, template: str, role: str, to: str, **args) -> LinkedNotice:
        return LinkedNotice(
            mail_from=self.policy.notice_from,
            rcpt_tos=(to,),
            template=template,
            args=args,
            role=role,
            actor=to,
            base_url=self.policy.public_url,
        )


async def dropped_if_ended(store: Store, job: OutboundJob) -> bool:
    """True when `job` is a reminder whose hold ended (decided, expired) after it was queued:
    it is finished unsent, its draft cleared, and said so in the trail — not as a notice that
    failed. False for any other job, which the worker sends."""
    if job.draft is None or job.draft.template not in REMINDER_TEMPLATES or job.message_id is None:
        return False
    record = await store.get(job.message_id)
    if record is not None and record.state == HoldState.HELD:
        return False
    async with store.writing() as conn:
        result = await conn.execute(
            update(jobs)
            .where(jobs.c.id == job.id, jobs.c.state == "pending", jobs.c.lease_until == job.leased_until)
            .values(
                state="failed",
                attempts=job.attempts + 1,
                lease_until=None,
                last_error="the hold ended before its reminder went out",
                raw=None,
                draft=None,
            )
        )
        if result.rowcount == 1:
            await trail.record(conn, job.message_id, "system", None, DROPPED, "")
    log.info("qid=%s event=%s job=%d", job.message_id, DROPPED, job.id)
    return True
