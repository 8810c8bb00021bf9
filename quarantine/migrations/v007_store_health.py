"""A database that hangs: the health check's one-row write, and (PostgreSQL) a hold that may not
commit once the guard has given up on it.

The guard waits STATEMENT_TIMEOUT for a COMMIT and then answers the client 451. A server that
was frozen with the COMMIT in its socket would otherwise commit the hold when it wakes, and the
client's retry would make a second hold. This deferred trigger refuses, at commit time, a hold
whose transaction began longer ago (by the server's own clock, so no clock skew) than the guard
waits: `mdg.hold_commit_within`, set by the guard for its connections (store.make_engine).
Other clients (psql, an older guard) do not set it and are not checked.
"""
from sqlalchemy import Column, Float, Integer, MetaData, Table, text

metadata = MetaData()

Table(
    "store_heartbeat", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Float, nullable=False),
)

_DEADLINE = """
CREATE FUNCTION mdg_hold_commit_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE within text := current_setting('mdg.hold_commit_within', true);
BEGIN
  IF coalesce(within, '') <> ''
     AND clock_timestamp() > transaction_timestamp() + within::float * interval '1 second' THEN
    RAISE EXCEPTION 'hold committed too late: the guard already answered 451'
      USING ERRCODE = '57014';
  END IF;
  RETURN NULL;
END $$
"""


def upgrade(conn) -> None:
    metadata.create_all(conn)
    conn.execute(text("INSERT INTO store_heartbeat (id, at) VALUES (1, 0)"))
    if conn.dialect.name == "postgresql":
        conn.execute(text(_DEADLINE))
        conn.execute(text("CREATE CONSTRAINT TRIGGER held_commit_deadline AFTER INSERT ON held_messages "
                          "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                          "EXECUTE FUNCTION mdg_hold_commit_deadline()"))
