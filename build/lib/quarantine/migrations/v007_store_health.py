"""A database that hangs: the health check's one-row write, and (PostgreSQL) a hold that may not
commit once the guard has given up on it.

The guard waits STATEMENT_TIMEOUT for a COMMIT and then answers the client 451. A server that
was frozen with the COMMIT in its socket would otherwise commit the hold when it wakes, and the
client's retry would make a second hold. So, at commit time, a deferred trigger refuses a hold
inserted longer ago than HOLD_COMMIT_WITHIN, which is less than the guard's wait for a statement
(engine.STATEMENT_TIMEOUT). Both times are the server's own clock (no skew). The hold's INSERT
is timed when the server has received all of it, so the transfer of a large message does not
count; the few small statements after it (links, notices, audit) and the COMMIT must fit in
the wait. A constant, not a per-connection setting: connection poolers such as PgBouncer
refuse unknown start-up parameters.
"""

from sqlalchemy import Column, Float, Integer, MetaData, Table, text

metadata = MetaData()

HOLD_COMMIT_WITHIN = 7  # seconds; engine.STATEMENT_TIMEOUT must stay above it

Table(
    "store_heartbeat",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Float, nullable=False),
)

_INSERTED = """
CREATE FUNCTION mdg_hold_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('mdg.hold_inserted_at', extract(epoch FROM statement_timestamp())::text, true);
  RETURN NULL;
END $$
"""

_DEADLINE = (
    """
CREATE FUNCTION mdg_hold_commit_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE inserted text := current_setting('mdg.hold_inserted_at', true);
BEGIN
  IF coalesce(inserted, '') <> ''
     AND extract(epoch FROM clock_timestamp()) > inserted::float8 + %d THEN
    RAISE EXCEPTION 'hold committed too late: the guard already answered 451'
      USING ERRCODE = '57014';
  END IF;
  RETURN NULL;
END $$
"""
    % HOLD_COMMIT_WITHIN
)


def upgrade(conn) -> None:
    metadata.create_all(conn)
    conn.execute(text("INSERT INTO store_heartbeat (id, at) VALUES (1, 0)"))
    if conn.dialect.name == "postgresql":
        conn.execute(text(_INSERTED))
        conn.execute(text(_DEADLINE))
        conn.execute(
            text(
                "CREATE TRIGGER held_inserted AFTER INSERT ON held_messages "
                "FOR EACH ROW EXECUTE FUNCTION mdg_hold_inserted()"
            )
        )
        conn.execute(
            text(
                "CREATE CONSTRAINT TRIGGER held_commit_deadline AFTER INSERT ON held_messages "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION mdg_hold_commit_deadline()"
            )
        )
