"""Attachment links (issue 19): a held message's attachments, stored in the database before
250 (they survive a crash, and every instance sharing the PostgreSQL serves them), the
recipients with their codes and sessions, the hashes of the links mailed, and the downloads.

No foreign keys: the retention purge deletes a held row and its share rows together."""

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

Table(
    "shares",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("mail_from", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("max_downloads", Integer, nullable=False),
    Column("notify", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("revoked_at", Float),
    Column("first_download_at", Float),
    Column("template", LargeBinary),
    Index("ix_shares_state_expires", "state", "expires_at"),
    Index("ix_shares_created", "created_at"),
)
Table(
    "share_files",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("share_id", String(32), nullable=False),
    Column("n", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary),
    Index("ix_share_files_share", "share_id"),
)
Table(
    "share_recipients",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("share_id", String(32), nullable=False),
    Column("address", String(320), nullable=False),
    Column("code_failures", Integer, nullable=False, default=0),
    Column("code_requests", Text, nullable=False, default="[]"),
    Column("session_hash", String(64)),
    Column("session_expires_at", Float),
    UniqueConstraint("share_id", "address", name="uq_share_recipients"),
)
Table(
    "share_codes",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("share_id", String(32), nullable=False),
    Column("address", String(320), nullable=False),
    Column("browser", String(64), nullable=False),
    Column("code_hash", String(160)),
    Column("expires_at", Float),
    Column("attempts", Integer, nullable=False, default=0),
    Column("requested_at", Float, nullable=False),
    UniqueConstraint("share_id", "address", "browser", name="uq_share_codes"),
)
Table(
    "share_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("share_id", String(32), nullable=False),
    Column("address", String(320), nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_share_links_share", "share_id"),
)
Table(
    "share_downloads",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("share_id", String(32), nullable=False),
    Column("file_id", BigInteger, nullable=False),
    Column("address", String(320), nullable=False),
    Column("at", Float, nullable=False),
    Column("client_addr", Text),
    Index("ix_share_downloads_share", "share_id"),
)


def upgrade(conn) -> None:
    metadata.create_all(conn)
