"""The console's rules layer (issue 20): every save is a new row, the newest is in force on
every instance. `parent` is the version the save was built from; it is unique, so of two saves
built from the same version only the first is taken (the second is told "changed meanwhile"),
and the history stays one line."""

from sqlalchemy import BigInteger, Column, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

Table(
    "rule_versions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("parent", BigInteger, nullable=False, unique=True),  # 0 for the first version
    Column("text", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("at", Float, nullable=False),
    Column("summary", String(300), nullable=False),
    Column("reverted_from", BigInteger),  # a revert: the version whose text it took
)


def upgrade(conn) -> None:
    metadata.create_all(conn)
