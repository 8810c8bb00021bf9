"""The audit trail's one writer: a row per state change, in the transaction of the change.

It stands apart from the store because three nouns write it: the store (holds, links), the
outbound queue (jobs) and the console (admin actions, in a transaction of their own). Written
in the change's own transaction, the trail never shows a change that did not happen, nor
misses one that did. The detail holds codes and counts, never personal data.
"""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncConnection

from .schema import audit


async def record(
    conn: AsyncConnection,
    message_id: str | None,
    actor: str,
    client_addr: str | None,
    action: str,
    detail: str,
) -> None:
    await conn.execute(
        audit.insert().values(
            at=time.time(),
            message_id=message_id,
            actor=actor,
            client_addr=client_addr,
            action=action,
            detail=detail,
        )
    )
