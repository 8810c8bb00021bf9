"""The first schema: held messages, outbound work, the audit log."""
from ..schema import audit, held, outbound


def upgrade(conn) -> None:
    for table in (held, outbound, audit):
        table.create(conn, checkfirst=True)
