"""A signed-in person's own page (issue 21, quarantine/me_list.py) finds his mail and what waits
for his approval by exact, indexed matches, never by a LIKE over a capped scan (2,000 look-alike
senders pushed a person's own mail off his page):

- held_messages.sender_box: inspectors.base.mailbox_of(mail_from), with (sender_box, created_at)
  indexed;
- held_approvers: one row per approver a hold asks, the address stripped and lower-cased (as
  quarantine/approver_pages.asks compares it).

Existing rows are filled here in Python (the same mailbox_of the store uses for new holds; SQL
cannot unquote a local part or drop a +detail alike on SQLite and PostgreSQL), in batches by id,
reading neither the message bytes nor more than a batch at a time."""

import json

from sqlalchemy import Column, Index, MetaData, String, Table, Text, bindparam, select, text, update

from inspectors.base import mailbox_of

BATCH = 1000

metadata = MetaData()
held = Table(
    "held_messages",
    MetaData(),
    Column("id", String(32), primary_key=True),
    Column("mail_from", Text),
    Column("approvers", Text),
    Column("sender_box", Text),
)
approvers_table = Table(
    "held_approvers",
    metadata,
    Column("hold_id", String(32), primary_key=True),
    Column("address", Text, primary_key=True),
    Index("ix_held_approvers_address", "address", "hold_id"),
)


def approver_rows(hold_id: str, approvers) -> list[dict]:
    """held_approvers rows for a hold's approvers list (None: none), each address once."""
    seen = dict.fromkeys(str(a).strip().lower() for a in approvers or ())
    return [{"hold_id": hold_id, "address": a} for a in seen if a]


def upgrade(conn) -> None:
    conn.execute(text("ALTER TABLE held_messages ADD COLUMN sender_box TEXT"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_held_sender ON held_messages (sender_box, created_at)"))
    metadata.create_all(conn)
    after = ""
    while True:
        rows = conn.execute(
            select(held.c.id, held.c.mail_from, held.c.approvers)
            .where(held.c.id > after)
            .order_by(held.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        conn.execute(
            update(held).where(held.c.id == bindparam("hold")).values(sender_box=bindparam("box")),
            [{"hold": r.id, "box": mailbox_of(r.mail_from or "")} for r in rows],
        )
        asked = [row for r in rows if r.approvers for row in approver_rows(r.id, _listed(r.approvers))]
        if asked:
            conn.execute(approvers_table.insert(), asked)
        after = rows[-1].id


def _listed(stored: str) -> list:
    """A stored approvers list; anything else (never written so) asks nobody."""
    try:
        value = json.loads(stored)
    except ValueError:
        return []
    return value if isinstance(value, list) else []
