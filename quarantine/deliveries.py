"""The recipient history: who has mailed whom, recorded when mail is actually delivered.

Inspectors never query it: per message the proxy cuts a small snapshot (this sender, this
message's recipients and their domains) and hands it to recipients.first_time. Writes are
batched like the decision log; a crash loses at most the last second of history.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from inspectors.base import domain_of
from inspectors.history import RecipientHistory

from .batching import flush_every
from .schema import recipient_history as history

log = logging.getLogger("guard.history")


class DeliveryHistory:
    def __init__(self, engine: AsyncEngine, *, interval: float = 1.0) -> None:
        self.engine = engine
        self.interval = interval
        self._pending: dict[tuple[str, str], float] = {}

    def delivered(self, sender: str, rcpt_tos: Iterable[str]) -> None:
        now = time.time()
        for rcpt in rcpt_tos:
            if sender and "@" in rcpt:
                self._pending[(sender.lower(), rcpt.lower())] = now

    async def snapshot(self, sender: str, rcpt_tos: Iterable[str]) -> RecipientHistory:
        rcpt_tos = tuple(rcpt_tos)
        addresses, domains = RecipientHistory.lookup_keys(rcpt_tos)
        if not addresses:
            return RecipientHistory(sender=sender.lower())
        query = select(history.c.sender, history.c.address).where(
            or_(history.c.address.in_(addresses), history.c.domain.in_(domains)))
        async with self.engine.connect() as conn:
            rows = [(r.sender, r.address) for r in await conn.execute(query)]
        return RecipientHistory.from_deliveries(sender, rcpt_tos, rows)

    async def regular_domains(self, min_deliveries: int = 3, limit: int = 5000) -> tuple[str, ...]:
        """Domains the organisation mails regularly: what a look-alike is compared with."""
        query = (select(history.c.domain).group_by(history.c.domain)
                 .having(func.sum(history.c.deliveries) >= min_deliveries)
                 .order_by(func.sum(history.c.deliveries).desc()).limit(limit))
        async with self.engine.connect() as conn:
            return tuple(r.domain for r in await conn.execute(query))

    async def run(self, stop: asyncio.Event) -> None:
        await flush_every(self.interval, stop, self.flush, "history")

    async def flush(self) -> None:
        batch, self._pending = self._pending, {}
        if not batch:
            return
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        rows = [{"sender": s, "address": a, "domain": domain_of(a), "first_at": at, "last_at": at,
                 "deliveries": 1} for (s, a), at in batch.items()]
        stmt = insert(history).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=[history.c.sender, history.c.address],
            set_={"last_at": stmt.excluded.last_at, "deliveries": history.c.deliveries + 1})
        async with self.engine.begin() as conn:
            await conn.execute(stmt)
