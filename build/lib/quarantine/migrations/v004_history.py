"""Who has mailed whom: the recipient history behind recipients.first_time and the
regularly-mailed domains of the look-alike check."""

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

Table(
    "recipient_history",
    metadata,
    Column("sender", Text, primary_key=True),
    Column("address", Text, primary_key=True),
    Column("domain", String(255), nullable=False),
    Column("first_at", Float, nullable=False),
    Column("last_at", Float, nullable=False),
    Column("deliveries", Integer, nullable=False),
    Index("ix_history_domain", "domain"),
    Index("ix_history_address", "address"),
)


def upgrade(conn) -> None:
    metadata.create_all(conn)
