"""The first schema: held messages, outbound work, the audit log.

A migration is a frozen snapshot: its tables are spelled out here, not imported from
schema.py, which always describes the newest shape.
"""

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# Times are Unix seconds (float): one representation for both databases and for arithmetic.
held = Table(
    "held_messages",
    metadata,
    Column("id", String(32), primary_key=True),  # the queue id
    Column("state", String(16), nullable=False),  # held, released, cancelled, expired
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("mail_from", Text, nullable=False),
    Column("rcpt_tos", Text, nullable=False),  # JSON list
    Column("raw", LargeBinary, nullable=False),
    Column("decision", Text, nullable=False),  # JSON: rules.Decision
    Column("findings", Text, nullable=False),  # JSON list of inspectors.Finding
    Column("summary", Text, nullable=False),  # JSON: inspectors.message.Summary
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("csrf", String(64), nullable=False),
    Column("acted_at", Float),
    Column("acted_by", Text),
    Index("ix_held_state_expires", "state", "expires_at"),
)

outbound = Table(
    "outbound",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # release, notice
    Column("message_id", String(32), ForeignKey("held_messages.id")),
    Column("mail_from", Text, nullable=False),
    Column("rcpt_tos", Text, nullable=False),  # JSON list
    Column("raw", LargeBinary),  # None: send the held message itself
    Column("state", String(16), nullable=False),  # pending, sent, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("lease_until", Float),
    Column("last_error", Text),
    Column("created_at", Float, nullable=False),
    Index("ix_outbound_due", "state", "next_attempt_at"),
)

audit = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("message_id", String(32)),
    Column("actor", Text, nullable=False),  # sender, system, admin:NAME
    Column("client_addr", Text),
    Column("action", String(32), nullable=False),
    Column("detail", Text),  # codes and counts only, never raw data
    Index("ix_audit_message", "message_id"),
)


def upgrade(conn) -> None:
    metadata.create_all(conn)
