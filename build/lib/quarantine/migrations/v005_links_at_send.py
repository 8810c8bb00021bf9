"""No working link at rest: notices with a link are queued as drafts and get their link when
they are sent; the sender's link joins the approvers' in `links`; whom approval was asked of
is kept for the page."""

from sqlalchemy import text


def upgrade(conn) -> None:
    conn.execute(text("ALTER TABLE outbound ADD COLUMN draft TEXT"))
    conn.execute(text("ALTER TABLE held_messages ADD COLUMN approvers TEXT"))
    # Links already mailed keep working: their hashes move to `links`.
    conn.execute(
        text(
            "INSERT INTO links (token_hash, message_id, role, actor, created_at) "
            "SELECT token_hash, id, 'sender', mail_from, created_at FROM held_messages"
        )
    )
    # Notices no longer owed are not kept: their links were in them, in clear.
    conn.execute(text("UPDATE outbound SET raw = NULL WHERE kind = 'notice' AND state <> 'pending'"))
