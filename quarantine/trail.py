"""The audit trail's one writer: a row per state change, in the transaction of the change.

It stands apart from the store because three nouns write it: the store (holds, links), the
outbound queue (jobs) and the console (admin actions, in a transaction of their own). Written
in the change's own transaction, the trail never shows a change that did not happen, nor
misses one that did. The detail holds codes and counts, never personal data.

The comment is the one exception, and a deliberate one: the words an approver or an admin
typed with a decision (an approval's comment, a rejection's or a cancellation's reason). They
wrote them to be kept with the decision, so the trail keeps them, for as long as it keeps the
row (retention's `records`), and shows them on the audit page and in its CSV. They may name
people, so they are bounded to one short line: at most COMMENT_MAX characters; line breaks,
tabs, control and format characters (bidi overrides) made spaces (display.clean).
"""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncConnection

from .display import clean
from .schema import audit

COMMENT_MAX = 500


def comment_of(text: str | None) -> str:
    """What a person typed, made one bounded line fit for a table cell and a CSV row."""
    return clean(text, COMMENT_MAX) if text else ""


async def record(
    conn: AsyncConnection,
    message_id: str | None,
    actor: str,
    client_addr: str | None,
    action: str,
    detail: str,
    *,
    comment: str | None = None,
) -> None:
    await conn.execute(
        audit.insert().values(
            at=time.time(),
            message_id=message_id,
            actor=actor,
            client_addr=client_addr,
            action=action,
            detail=detail,
            comment=comment_of(comment) or None,
        )
    )
