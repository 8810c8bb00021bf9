"""Users and roles in the database (issue 20): every instance sharing it applies a change within
seconds, with no restart. The users file (smtp.users_file) is only an import source now; the
contents imported are recorded by their SHA-256 so that a file is imported once.

user_revision is one row that every change bumps in its own transaction: the instances poll it
(an equality test, so clocks that differ between machines do not matter)."""

from sqlalchemy import BigInteger, Column, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

Table(
    "users",
    metadata,
    Column("login", String(254), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("disabled", Integer, nullable=False, default=0),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)
revision = Table(
    "user_revision",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("revision", BigInteger, nullable=False),
)
Table(
    "user_imports",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("imported_at", Float, nullable=False),
    Column("added", Integer, nullable=False),
    Column("kept", Integer, nullable=False),
)


def upgrade(conn) -> None:
    metadata.create_all(conn)
    conn.execute(revision.insert().values(id=1, revision=0))
