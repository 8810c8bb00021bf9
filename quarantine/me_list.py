"""What a signed-in person's own page lists (issue 21): his held, delayed and recently
finished mail, found by the envelope sender's mailbox, and what waits for his approval.

Both lists are exact, indexed matches, paged in SQL (v016): held_messages.sender_box is
`inspectors.base.mailbox_of(mail_from)`, written with the hold (case, a `+detail`
sub-address, a quoted local part: one mailbox); held_approvers names each approver a hold
asks, as `approver_pages.asks` compares them. No other sender's mail, however many or
however alike, is read, so none can push a person's own off his page. `owns` and `asks`
still check each row (the pages' own rule of who may see what), and never drop one the
SQL found.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from inspectors.base import mailbox_of

from .approver_pages import asks
from .records import HeldRecord, HoldState
from .schema import held, held_approvers
from .store import Store

RECENT = 7 * 86400.0  # finished mail is listed for a week
PAGE = 50  # entries a page shows, per list
SCAN = 2000  # the row cap before v016 (its attack test floods past it); nothing caps now
_RECORD = [column for column in held.c if column.name != "raw"]


def owns(record: HeldRecord, login: str) -> bool:
    """Whether the signed-in `login` is the mailbox `record` was sent from."""
    mine = _box(login)
    return mine is not None and mailbox_of(record.mail_from) == mine


def _box(login: str) -> str | None:
    box = mailbox_of(login)
    local, _, domain = box.rpartition("@")
    return box if local and domain else None


def _mine(box: str, now: float):
    return (
        held.c.sender_box == box,
        or_(
            held.c.state == HoldState.HELD,
            and_(held.c.state != HoldState.HELD, held.c.acted_at >= now - RECENT),
        ),
    )


def _waiting(login: str):
    return (
        held_approvers.c.address == login.strip().lower(),
        held.c.id == held_approvers.c.hold_id,
        held.c.state == HoldState.HELD,
        held.c.kind == "hold_for_approval",
    )


def _page(query, page: int | None):
    query = query.order_by(held.c.created_at.desc(), held.c.id.desc())
    return query if page is None else query.offset((max(page, 1) - 1) * PAGE).limit(PAGE)


async def mine(store: Store, login: str, now: float, page: int | None = None) -> list[HeldRecord]:
    """The mailbox's held and delayed mail and what finished within RECENT, newest first:
    all of it, or the `page`th PAGE of it."""
    box = _box(login)
    if box is None:
        return []
    async with store.reading() as conn:
        rows = await conn.execute(_page(select(*_RECORD).where(*_mine(box, now)), page))
        records = [HeldRecord.from_row(row) for row in rows]
    return [r for r in records if owns(r, login)]


async def mine_count(store: Store, login: str, now: float) -> int:
    box = _box(login)
    if box is None:
        return 0
    async with store.reading() as conn:
        return (
            await conn.execute(select(func.count()).select_from(held).where(*_mine(box, now)))
        ).scalar_one()


async def to_approve(store: Store, login: str, page: int | None = None) -> list[HeldRecord]:
    """The holds still waiting for `login`'s approval (their approvers name him), newest
    first: all of them, or the `page`th PAGE."""
    async with store.reading() as conn:
        rows = await conn.execute(_page(select(*_RECORD).where(*_waiting(login)), page))
        records = [HeldRecord.from_row(row) for row in rows]
    return [r for r in records if asks(r, login)]


async def to_approve_count(store: Store, login: str) -> int:
    async with store.reading() as conn:
        query = select(func.count()).select_from(held).where(*_waiting(login))
        return (await conn.execute(query)).scalar_one()
