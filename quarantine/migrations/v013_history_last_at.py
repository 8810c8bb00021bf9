"""The recipient history by last delivery: what each guard reads every two seconds to learn the
other guards' deliveries (quarantine/deliveries.py, issue 20). Without the index that read is a
scan of the whole history per guard per refresh; with it, the few rows of the last seconds."""

from sqlalchemy import text


def upgrade(conn) -> None:
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_history_last_at ON recipient_history (last_at)"))
