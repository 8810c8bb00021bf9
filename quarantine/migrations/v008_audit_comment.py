"""The audit trail keeps the comment a person wrote with a decision (quarantine/trail.py):
an approver's comment, a rejection's or an admin's reason. Before, it was only on the held
message's row, which the approval's later states and the retention purge do not keep apart."""

from sqlalchemy import text


def upgrade(conn) -> None:
    conn.execute(text("ALTER TABLE audit_log ADD COLUMN comment TEXT"))
