"""Reminders for forgotten holds (放置メール): when the last reminder of a hold was queued.

NULL: none yet. The reminders' worker claims a reminder by a conditional UPDATE of this column
(quarantine/reminders.py), so guards sharing one database send it once."""

from sqlalchemy import text


def upgrade(conn) -> None:
    conn.execute(text("ALTER TABLE held_messages ADD COLUMN reminded_at FLOAT"))
