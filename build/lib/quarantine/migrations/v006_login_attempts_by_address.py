"""The console's login throttle counts attempts per client address (and refuses a flood before
writing a row): an index, so that the count does not read every earlier attempt."""

from sqlalchemy import text


def upgrade(conn) -> None:
    conn.execute(
        text("CREATE INDEX ix_admin_login_attempts_addr_at ON admin_login_attempts (client_addr, at)")
    )
