"""The recipient history: who has mailed whom, recorded when mail is actually delivered.

Inspectors never query it: per message the proxy cuts a small snapshot (this sender, this
message's recipients and their domains) and hands it to recipients.first_time. The guard keeps
the history in memory — a database round trip per message would cost more than the rest of
the pass path — loads it at start, and writes its own deliveries in batches (a crash loses at
most the last second; a database outage nothing, up to BACKLOG_LIMIT pairs kept until it is
back).

Several guards share the history (issue 20): every REFRESH_EVERY seconds each reads the rows
whose last_at is past what it read before (less OVERLAP), through ix_history_last_at (v013):
a few rows, so another guard's delivery is seen here within about interval + REFRESH_EVERY
seconds (3 s by default; the issue asks 5). last_at is the delivering guard's clock, written
up to a flush later: OVERLAP covers that lag and clocks a little apart. A pair another guard
could write only after an outage longer than OVERLAP keeps its old last_at, and is seen here
at its next delivery or at this guard's next start: a first-time warning too many, no more.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from inspectors.base import domain_of
from inspectors.history import RecipientHistory

from .batching import CHUNK, BatchWriter, dropped, flush_every, is_outage
from .engine import reading
from .schema import recipient_history as history

REFRESH_EVERY = 2.0  # seconds between two reads of the other guards' deliveries, at least
OVERLAP = 5.0  # seconds read again each time: a batch's flush lag and the guards' clock skew


class DeliveryHistory(BatchWriter):
    def __init__(self, engine: AsyncEngine, **options: Any) -> None:
        super().__init__(engine, **options)  # its backlog: (sender, address) pairs
        self._pending: dict[tuple[str, str], float] = {}
        # Who mailed each address and each domain: a snapshot costs a few lookups per
        # recipient, however many addresses a domain such as gmail.com has behind it.
        self._by_address: dict[str, set[str]] = defaultdict(set)
        self._by_domain: dict[str, set[str]] = defaultdict(set)
        self._seen_until = float("-inf")
        self._loaded_at = float("-inf")  # time.monotonic() of the last read
        self.refreshes = 0  # reads since start, the first one included

    async def load(self) -> None:
        """Read what was delivered since the last load (all of it, the first time)."""
        since, now = self._seen_until, time.time()
        self._loaded_at = time.monotonic()
        query = select(history.c.sender, history.c.address)
        if since > float("-inf"):
            query = query.where(history.c.last_at >= since)
        async with reading(self.engine) as conn:
            for row in await conn.execute(query):
                self._remember(row.sender, row.address)
        self._seen_until = now - OVERLAP  # a batch committed just before `now` is not missed
        self.refreshes += 1

    def delivered(self, sender: str, rcpt_tos: Iterable[str]) -> None:
        now = time.time()
        for rcpt in rcpt_tos:
            if sender and "@" in rcpt:
                key = (sender.lower(), rcpt.lower())
                self._pending[key] = now
                self._remember(*key)

    def _remember(self, sender: str, address: str) -> None:
        self._by_address[address].add(sender)
        self._by_domain[domain_of(address)].add(sender)

    def snapshot(self, sender: str, rcpt_tos: Iterable[str]) -> RecipientHistory:
        addresses, domains = RecipientHistory.lookup_keys(rcpt_tos)
        sender = sender.lower()
        known_a = {a: self._by_address[a] for a in addresses if a in self._by_address}
        known_d = {d: self._by_domain[d] for d in domains if d in self._by_domain}
        return RecipientHistory(
            sender=sender,
            sender_addresses=frozenset(a for a, who in known_a.items() if sender in who),
            sender_domains=frozenset(d for d, who in known_d.items() if sender in who),
            organisation_addresses=frozenset(known_a),
            organisation_domains=frozenset(known_d),
        )

    async def regular_domains(self, min_deliveries: int = 3, limit: int = 5000) -> tuple[str, ...]:
        """Domains the organisation mails regularly: what a look-alike is compared with."""
        query = (
            select(history.c.domain)
            .group_by(history.c.domain)
            .having(func.sum(history.c.deliveries) >= min_deliveries)
            .order_by(func.sum(history.c.deliveries).desc())
            .limit(limit)
        )
        async with reading(self.engine) as conn:
            return tuple(r.domain for r in await conn.execute(query))

    async def run(self, stop: asyncio.Event) -> None:
        await flush_every(self.interval, stop, self._flush_and_refresh, "history")

    async def _flush_and_refresh(self) -> None:
        await self.flush()
        if time.monotonic() - self._loaded_at >= REFRESH_EVERY:
            await self.load()

    async def flush(self) -> None:
        """Write the pending pairs, CHUNK a transaction. When the database is out they stay
        pending (a newer delivery of the same pair wins) and the error is raised."""
        while self._pending:
            keys = list(itertools.islice(self._pending, CHUNK))
            batch = {key: self._pending.pop(key) for key in keys}
            try:
                await self._write(batch)
            except Exception as exc:
                if not is_outage(exc):
                    raise  # the rows are dropped: a value the database refuses stays refused
                for key, at in batch.items():
                    self._pending.setdefault(key, at)
                self._bound()
                raise

    def _bound(self) -> None:
        extra = len(self._pending) - self.backlog
        if extra > 0:
            for key in list(itertools.islice(self._pending, extra)):  # the longest waiting
                del self._pending[key]
            dropped("history", extra, self.backlog)

    async def _write(self, batch: dict[tuple[str, str], float]) -> None:
        insert = self._insert()
        rows = [
            {
                "sender": s,
                "address": a,
                "domain": domain_of(a),
                "first_at": at,
                "last_at": at,
                "deliveries": 1,
            }
            for (s, a), at in batch.items()
        ]
        stmt = insert(history).values(rows)
        # A batch written again after a commit whose answer was lost finds its own last_at
        # there and counts nothing twice.
        stmt = stmt.on_conflict_do_update(
            index_elements=[history.c.sender, history.c.address],
            set_={"last_at": stmt.excluded.last_at, "deliveries": history.c.deliveries + 1},
            where=history.c.last_at < stmt.excluded.last_at,
        )
        async with self._transaction() as conn:
            await conn.execute(stmt)
