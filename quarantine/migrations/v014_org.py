"""The company's directory (issue 21, quarantine/org_store.py): people, their managers, the
directory's groups, and one row saying how fresh the copy is. Tables as of v014, frozen here."""

from sqlalchemy import BigInteger, Column, Float, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData()

Table(
    "org_people",
    metadata,
    Column("mail", String(254), primary_key=True),
    Column("name", Text, nullable=False),
    Column("department", Text, nullable=False),
    Column("manager", String(254)),
    Column("departed_at", Float),
    Column("updated_at", Float, nullable=False),
)
Table(
    "org_groups",
    metadata,
    Column("name", String(254), primary_key=True),
    Column("updated_at", Float, nullable=False),
)
Table(
    "org_members",
    metadata,
    Column("group_name", String(254), ForeignKey("org_groups.name"), primary_key=True),
    Column("mail", String(254), primary_key=True),
)
sync = Table(
    "org_sync",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("revision", BigInteger, nullable=False),
    Column("last_ok_at", Float),
    Column("last_attempt_at", Float),
    Column("last_error", String(32)),
    Column("people", Integer, nullable=False, default=0),
    Column("groups", Integer, nullable=False, default=0),
)


def upgrade(conn) -> None:
    metadata.create_all(conn)
    conn.execute(sync.insert().values(id=1, revision=0, people=0, groups=0))
