"""Decisions of all traffic (findings, never bodies) for statistics and replay; kinds of hold;
approver links."""

from sqlalchemy import BigInteger, Column, Float, Index, Integer, MetaData, String, Table, Text, text

metadata = MetaData()

Table(
    "decisions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("at", Float, nullable=False),
    Column("mail_from", Text, nullable=False),
    Column("rcpt_tos", Text, nullable=False),
    Column("action", String(24), nullable=False),
    Column("findings", Text, nullable=False),
    Index("ix_decisions_at", "at"),
)
Table(
    "decision_rules",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("message_id", String(32), nullable=False),
    Column("rule_id", String(100), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("action", String(24), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_decision_rules_rule_at", "rule_id", "at"),
    Index("ix_decision_rules_message", "message_id"),
)
Table(
    "links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("message_id", String(32), nullable=False),
    Column("role", String(16), nullable=False),
    Column("actor", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_links_message", "message_id"),
)


def upgrade(conn) -> None:
    metadata.create_all(conn)
    conn.execute(text("ALTER TABLE held_messages ADD COLUMN kind VARCHAR(24) NOT NULL DEFAULT 'hold'"))
    conn.execute(text("ALTER TABLE held_messages ADD COLUMN note TEXT"))
