"""What a signed-in person's own page lists (issue 21): his held, delayed and recently
finished mail, found by the envelope sender's mailbox, and what waits for his approval.

Ownership is decided here, in Python, by `inspectors.base.mailbox_of` on both sides (case,
a `+detail` sub-address, a quoted local part: one mailbox). The SQL only narrows the rows
read — a LIKE on the lower-cased sender, its wildcards escaped — and never decides: a row it
lets through that is not the mailbox's is dropped by the comparison.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from inspectors.base import mailbox_of

from .approver_pages import asks
from .records import HeldRecord, HoldState
from .schema import held
from .store import Store

RECENT = 7 * 86400.0  # finished mail is listed for a week
PAGE = 50  # entries a page shows, per list
SCAN = 2000  # rows read at most per list: the newest
_RECORD = [column for column in held.c if column.name != "raw"]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def owns(record: HeldRecord, login: str) -> bool:
    """Whether the signed-in `login` is the mailbox `record` was sent from."""
    mine = mailbox_of(login)
    return "@" in mine and not mine.startswith("@") and mailbox_of(record.mail_from) == mine


async def mine(store: Store, login: str, now: float) -> list[HeldRecord]:
    """The mailbox's held and delayed mail and what finished within RECENT, newest first."""
    box = mailbox_of(login)
    local, _, domain = box.rpartition("@")
    if not local or not domain:
        return []
    query = (
        select(*_RECORD)
        .where(
            or_(
                held.c.state == HoldState.HELD,
                and_(held.c.state != HoldState.HELD, held.c.acted_at >= now - RECENT),
            ),
            func.lower(held.c.mail_from).like(f"%{_like(local)}%@{_like(domain)}%", escape="\\"),
        )
        .order_by(held.c.created_at.desc(), held.c.id.desc())
        .limit(SCAN)
    )
    async with store.reading() as conn:
        records = [HeldRecord.from_row(row) for row in await conn.execute(query)]
    return [r for r in records if owns(r, login)]


async def to_approve(store: Store, login: str) -> list[HeldRecord]:
    """The holds still waiting for `login`'s approval (their approvers name him), newest first."""
    query = (
        select(*_RECORD)
        .where(
            held.c.state == HoldState.HELD,
            held.c.kind == "hold_for_approval",
            held.c.approvers.is_not(None),
            # narrows only (asks() decides); JSON writes a non-ASCII address escaped
            func.lower(held.c.approvers).like(f"%{_like(login.strip().lower())}%", escape="\\")
            if login.isascii()
            else held.c.approvers.is_not(None),
        )
        .order_by(held.c.created_at.desc(), held.c.id.desc())
        .limit(SCAN)
    )
    async with store.reading() as conn:
        records = [HeldRecord.from_row(row) for row in await conn.execute(query)]
    return [r for r in records if asks(r, login)]
