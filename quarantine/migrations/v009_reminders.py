"""Reminders for forgotten holds (放置メール): when the last reminder of a hold was queued.

NULL: none yet. The reminders' worker claims a reminder by a conditional UPDATE of this column
(quarantine/reminders.py), so guards sharing one database send it once.

ix_held_reminders covers the due query, which every guard runs each minute over every live
hold: without it SQLite reads each row, and kind and reminded_at come after the message's bytes
(its overflow pages), 1.7 s a round for 5,000 holds of 1 MB."""

from sqlalchemy import text


def upgrade(conn) -> None:
    conn.execute(text("ALTER TABLE held_messages ADD COLUMN reminded_at FLOAT"))
    conn.execute(
        text(
            "CREATE INDEX IF NOT EXISTS ix_held_reminders ON held_messages "
            "(state, expires_at, updated_at, kind, reminded_at, id)"
        )
    )
