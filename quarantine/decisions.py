"""The decision of every message — findings and matched rules, never the body — for per-rule
statistics and for replaying a draft rule set over recent traffic.

Written in batches by a background task: one commit per message on the pass path would cost
an fsync per message. A crash loses at most the last second of statistics, never mail.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

from typing import Any, Callable

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from inspectors.base import Finding
from rules.model import HELD, Decision, MessageFacts

from .batching import flush_every
from .records import RELEASED
from .schema import decision_rules, decisions, held
from .store import reading

log = logging.getLogger("guard.decisions")


@dataclass(frozen=True, kw_only=True)
class DecisionRecord:
    id: str
    at: float
    facts: MessageFacts
    findings: tuple[Finding, ...]
    decision: Decision


@dataclass(frozen=True, kw_only=True)
class RuleStats:
    rule_id: str
    matched: int
    held: int
    released_by_sender: int
    cancelled_by_sender: int
    expired: int

    @property
    def release_rate(self) -> float | None:
        decided = self.released_by_sender + self.cancelled_by_sender
        return self.released_by_sender / decided if decided else None


class DecisionLog:
    def __init__(self, engine: AsyncEngine, *, interval: float = 1.0,
                 writing: Callable[[], Any] | None = None) -> None:
        self.engine = engine
        self._writing = writing   # the store's writer queue (Store.writing), if it has one
        self.interval = interval
        self._pending: list[DecisionRecord] = []

    def record(self, rec: DecisionRecord) -> None:
        self._pending.append(rec)

    async def run(self, stop: asyncio.Event) -> None:
        await flush_every(self.interval, stop, self.flush, "decision_log")

    async def flush(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        async with (self._writing or self.engine.begin)() as conn:
            await conn.execute(decisions.insert(), [_decision_row(r) for r in batch])
            rows = [{"message_id": r.id, "rule_id": m.id, "mode": m.mode, "action": m.action, "at": r.at}
                    for r in batch for m in r.decision.matched]
            if rows:
                await conn.execute(decision_rules.insert(), rows)

    async def since(self, at: float) -> list[DecisionRecord]:
        async with reading(self.engine) as conn:
            rows = await conn.execute(select(decisions).where(decisions.c.at >= at).order_by(decisions.c.at))
            return [_record(row) for row in rows]

    async def rule_stats(self, at: float) -> list[RuleStats]:
        """Per rule since `at`: matched; and, where the rule held the message, what became of it."""
        holding = (decision_rules.c.mode == "enforce") & decision_rules.c.action.in_(HELD)

        def count(cond):
            return func.sum(case((holding & cond, 1), else_=0))
        query = (select(decision_rules.c.rule_id, func.count().label("matched"),
                        count(held.c.id.is_not(None)).label("held"),
                        count(held.c.state.in_(RELEASED) & (held.c.acted_by == "sender")).label("released"),
                        count((held.c.state == "cancelled") & (held.c.acted_by == "sender")).label("cancelled"),
                        count(held.c.state == "expired").label("expired"))
                 .select_from(decision_rules.outerjoin(held, held.c.id == decision_rules.c.message_id))
                 .where(decision_rules.c.at >= at).group_by(decision_rules.c.rule_id)
                 .order_by(decision_rules.c.rule_id))
        async with reading(self.engine) as conn:
            return [RuleStats(rule_id=r.rule_id, matched=r.matched, held=int(r.held or 0),
                              released_by_sender=int(r.released or 0),
                              cancelled_by_sender=int(r.cancelled or 0), expired=int(r.expired or 0))
                    for r in await conn.execute(query)]


def _decision_row(rec: DecisionRecord) -> dict:
    return {"id": rec.id, "at": rec.at, "mail_from": rec.facts.mail_from,
            "rcpt_tos": json.dumps(list(rec.facts.rcpt_tos)), "action": rec.decision.action,
            "findings": json.dumps({"findings": [f.to_dict() for f in rec.findings],
                                    "decision": rec.decision.to_dict()})}


def _record(row) -> DecisionRecord:
    stored = json.loads(row.findings)
    return DecisionRecord(id=row.id, at=row.at,
                          facts=MessageFacts(mail_from=row.mail_from, rcpt_tos=tuple(json.loads(row.rcpt_tos))),
                          findings=tuple(Finding.from_dict(f) for f in stored["findings"]),
                          decision=Decision.from_dict(stored["decision"]))
