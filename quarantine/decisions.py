"""The decision of every message — findings and matched rules, never the body — for per-rule
statistics and for replaying a draft rule set over recent traffic.

Written in batches by a background task: one commit per message on the pass path would cost
an fsync per message. A crash loses at most the last second of statistics, never mail; a
database outage loses none (batching.Backlog keeps them, bounded), and a batch retried after a
commit whose answer was lost is not written twice (each record once, by its queue id).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from inspectors.base import Finding
from rules.model import HELD, Decision, MessageFacts, Mode

from .batching import CHUNK, Backlog, BatchWriter, dropped, flush_every, is_outage
from .engine import reading
from .records import RELEASED, HoldState
from .schema import decision_rules, decisions, held

log = logging.getLogger("guard.decisions")


@dataclass(frozen=True, kw_only=True)
class DecisionRecord:
    id: str
    at: float
    facts: MessageFacts
    findings: tuple[Finding, ...]
    decision: Decision


# A hold stopped by a person: cancelled (by the sender or an admin), or rejected by an approver
# ("rejected" where the store records it so; before that an approver's rejection was cancelled:
# the actor, not the state, says who stopped it).
STOPPED = (HoldState.CANCELLED, "rejected")


@dataclass(frozen=True, kw_only=True)
class RuleStats:
    """What became of the holds of one rule, by who decided: the state and the actor's kind
    (held.acted_by, the audit trail's notation: sender, approver:…, admin:…, system)."""

    rule_id: str
    matched: int
    held: int
    released_by_sender: int
    cancelled_by_sender: int
    expired: int
    approved: int = 0  # released by an approver
    rejected: int = 0  # stopped by an approver
    released_by_admin: int = 0
    cancelled_by_admin: int = 0

    @property
    def release_rate(self) -> float | None:
        decided = self.released_by_sender + self.cancelled_by_sender
        return self.released_by_sender / decided if decided else None


class DecisionLog(BatchWriter):
    def __init__(self, engine: AsyncEngine, **options: Any) -> None:
        super().__init__(engine, **options)
        self._pending: Backlog[DecisionRecord] = Backlog("decision_log", self.backlog, size=_estimate)

    def record(self, rec: DecisionRecord) -> None:
        self._pending.add(rec)

    async def run(self, stop: asyncio.Event) -> None:
        await flush_every(self.interval, stop, self.flush, "decision_log")

    async def flush(self) -> None:
        """Write what is pending, CHUNK records a transaction. When the database is out the
        chunk goes back in front and the error is raised: the next flush tries again."""
        self._pending.report()
        while self._pending:
            chunk = self._pending.take(CHUNK)
            try:
                await self._write(chunk)
            except Exception as exc:
                if is_outage(exc):
                    self._pending.put_back(chunk)
                    raise
                await self._write_each(chunk)

    async def _write_each(self, chunk: list[DecisionRecord]) -> None:
        """A chunk the database refused for its content (a value it cannot store): the records
        one by one, so one hostile message costs its own record, not its neighbours'."""
        for i, rec in enumerate(chunk):
            try:
                await self._write([rec])
            except Exception as exc:
                if is_outage(exc):
                    self._pending.put_back(chunk[i:])
                    raise
                log.warning("qid=%s event=decision_log_refused error=%s", rec.id, type(exc).__name__)
                dropped("decision_log", 1)

    async def _write(self, chunk: list[DecisionRecord]) -> None:
        insert = self._insert()
        # A record already there was committed by a flush whose answer was lost: its rules were
        # written with it, in the same transaction, and are not written again.
        stmt = (
            insert(decisions)
            .values([_decision_row(r) for r in chunk])
            .on_conflict_do_nothing(index_elements=[decisions.c.id])
            .returning(decisions.c.id)
        )
        async with self._transaction() as conn:
            written = set((await conn.execute(stmt)).scalars())
            rows = [
                {"message_id": r.id, "rule_id": m.id, "mode": m.mode, "action": m.action, "at": r.at}
                for r in chunk
                if r.id in written
                for m in r.decision.matched
            ]
            if rows:
                await conn.execute(decision_rules.insert(), rows)

    async def since(self, at: float) -> list[DecisionRecord]:
        async with reading(self.engine) as conn:
            rows = await conn.execute(select(decisions).where(decisions.c.at >= at).order_by(decisions.c.at))
            return [_record(row) for row in rows]

    async def rule_stats(self, at: float) -> list[RuleStats]:
        """Per rule since `at`: matched; and, where the rule held the message, what became of it."""
        holding = (decision_rules.c.mode == Mode.ENFORCE) & decision_rules.c.action.in_(HELD)

        def count(cond):
            return func.sum(case((holding & cond, 1), else_=0))

        released, stopped = held.c.state.in_(RELEASED), held.c.state.in_(STOPPED)
        by_sender = held.c.acted_by == "sender"
        by_approver, by_admin = held.c.acted_by.like("approver:%"), held.c.acted_by.like("admin:%")
        query = (
            select(
                decision_rules.c.rule_id,
                func.count().label("matched"),
                count(held.c.id.is_not(None)).label("held"),
                count(released & by_sender).label("released"),
                count(stopped & by_sender).label("cancelled"),
                count(held.c.state == HoldState.EXPIRED).label("expired"),
                count(released & by_approver).label("approved"),
                count(stopped & by_approver).label("rejected"),
                count(released & by_admin).label("released_by_admin"),
                count(stopped & by_admin).label("cancelled_by_admin"),
            )
            .select_from(decision_rules.outerjoin(held, held.c.id == decision_rules.c.message_id))
            .where(decision_rules.c.at >= at)
            .group_by(decision_rules.c.rule_id)
            .order_by(decision_rules.c.rule_id)
        )
        async with reading(self.engine) as conn:
            return [
                RuleStats(
                    rule_id=r.rule_id,
                    matched=r.matched,
                    held=int(r.held or 0),
                    released_by_sender=int(r.released or 0),
                    cancelled_by_sender=int(r.cancelled or 0),
                    expired=int(r.expired or 0),
                    approved=int(r.approved or 0),
                    rejected=int(r.rejected or 0),
                    released_by_admin=int(r.released_by_admin or 0),
                    cancelled_by_admin=int(r.cancelled_by_admin or 0),
                )
                for r in await conn.execute(query)
            ]


def _estimate(rec: DecisionRecord) -> int:
    """A record's memory, roughly (measured: about 90 bytes a recipient address and 300 a
    finding), for the backlog's bound."""
    return 1024 + 96 * len(rec.facts.rcpt_tos) + 320 * len(rec.findings)


def _decision_row(rec: DecisionRecord) -> dict:
    return {
        "id": rec.id,
        "at": rec.at,
        "mail_from": rec.facts.mail_from,
        "rcpt_tos": json.dumps(list(rec.facts.rcpt_tos)),
        "action": rec.decision.action,
        "findings": json.dumps(
            {"findings": [f.to_dict() for f in rec.findings], "decision": rec.decision.to_dict()}
        ),
    }


def _record(row) -> DecisionRecord:
    stored = json.loads(row.findings)
    return DecisionRecord(
        id=row.id,
        at=row.at,
        facts=MessageFacts(mail_from=row.mail_from, rcpt_tos=tuple(json.loads(row.rcpt_tos))),
        findings=tuple(Finding.from_dict(f) for f in stored["findings"]),
        decision=Decision.from_dict(stored["decision"]),
    )
