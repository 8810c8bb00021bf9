"""Stored messages to test rules against: the recent held ones, listed by subject and date,
and any stored message by its ID (its body still kept: retention empties it)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from ..records import HoldState
from ..schema import held
from ..store import Store

RECENT = 20
_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True, kw_only=True)
class Sample:
    id: str
    subject: str
    created_at: float


async def recent(store: Store, limit: int = RECENT) -> list[Sample]:
    """The newest held messages whose body is still stored."""
    async with store.reading() as conn:
        rows = (
            await conn.execute(
                select(held.c.id, held.c.summary, held.c.created_at)
                .where(held.c.state == HoldState.HELD, func.length(held.c.raw) > 0)
                .order_by(held.c.created_at.desc(), held.c.id)
                .limit(limit)
            )
        ).all()
    return [
        Sample(id=r.id, subject=json.loads(r.summary).get("subject", ""), created_at=r.created_at)
        for r in rows
    ]


async def raw_of(store: Store, message_id: str) -> bytes | None:
    """The stored message, or None: no such ID, or its body no longer kept."""
    if not _ID.match(message_id):
        return None
    async with store.reading() as conn:
        raw = (await conn.execute(select(held.c.raw).where(held.c.id == message_id))).scalar_one_or_none()
    return raw or None
