"""Pending sign-ons keep nothing that finishes a sign-on (issue 21 review): the PKCE
code_verifier is derived from the browser's cookie instead of stored, the nonce is kept as its
SHA-256, and each row has its client address (starts capped per client) and its expiry (purged
by the retention). The rows are ten-minute sign-ons under way: the table is made anew; a person
who was at the provider's page during the upgrade signs on again."""

from sqlalchemy import Column, Float, Index, MetaData, String, Table, Text, text

metadata = MetaData()

Table(
    "sso_logins",
    metadata,
    Column("state_hash", String(64), primary_key=True),  # SHA-256 of the state sent to the provider
    Column("browser_hash", String(64), nullable=False),  # SHA-256 of the cookie that started it
    Column("nonce_hash", String(64), nullable=False),  # SHA-256 of the nonce sent
    Column("client", String(64), nullable=False),  # the client address (IPv6: its /64)
    Column("next", Text, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_sso_logins_client", "client"),
)


def upgrade(conn) -> None:
    conn.execute(text("DROP TABLE sso_logins"))
    metadata.create_all(conn)
