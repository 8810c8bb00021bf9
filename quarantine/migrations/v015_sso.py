"""OpenID Connect sign-on (issue 21, quarantine/sso/): the logins under way, between the
redirect to the provider and its answer, kept in the database because the answer may reach
another guard; and each console session's source, 'password' or 'sso' (an SSO session's role is
the one its provider's claims mapped at sign-in, not the users table's)."""

from sqlalchemy import Column, Float, MetaData, String, Table, Text, text

metadata = MetaData()

Table(
    "sso_logins",
    metadata,
    Column("state_hash", String(64), primary_key=True),  # SHA-256 of the state sent to the provider
    Column("browser_hash", String(64), nullable=False),  # SHA-256 of the cookie that started it
    Column("nonce", String(100), nullable=False),
    Column("code_verifier", String(128), nullable=False),
    Column("next", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)


def upgrade(conn) -> None:
    metadata.create_all(conn)
    conn.execute(text("ALTER TABLE admin_sessions ADD COLUMN source VARCHAR(16) NOT NULL DEFAULT 'password'"))
