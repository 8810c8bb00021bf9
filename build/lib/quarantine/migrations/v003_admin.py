"""The admin console: login sessions and attempts (shared by every guard instance, so a
lock-out holds across them), the client directory and the suppression list."""

from sqlalchemy import BigInteger, Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

Table(
    "admin_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("login", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Column("client_addr", Text),
    Index("ix_admin_sessions_last_seen", "last_seen"),
)
Table(
    "admin_login_attempts",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("login", String(254), nullable=False),
    Column("at", Float, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("client_addr", Text),
    Index("ix_admin_login_attempts_login_at", "login", "at"),
)
Table(
    "clients",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("aliases", Text, nullable=False),
    Column("domains", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
)
Table(
    "suppressions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("entry", String(320), nullable=False, unique=True),
    Column("note", Text, nullable=False, default=""),
    Column("updated_at", Float, nullable=False),
)


def upgrade(conn) -> None:
    metadata.create_all(conn)
