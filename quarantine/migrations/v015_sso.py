"""OpenID Connect sign-on (issue 21, quarantine/sso/): the logins under way, between the
redirect to the provider and its answer, kept in the database because the answer may reach
another guard; and each console session's source, 'password' or 'sso' (an SSO session's role is
the one its provider's claims mapped at sign-in, not the users table's).

A row keeps nothing that finishes a sign-on: the state, the browser's cookie and the nonce only
as SHA-256, and no PKCE code_verifier (derived from the cookie and the state when needed); the
client address caps the starts one client may have pending; the retention purges expired rows."""

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
    metadata.create_all(conn)
    conn.execute(text("ALTER TABLE admin_sessions ADD COLUMN source VARCHAR(16) NOT NULL DEFAULT 'password'"))
