"""Opening the store at start-up: a database that is down is waited for, not a reason to exit.

It exists apart from the server because it is the one place that tells a database that will
come back (down, starting, unreachable: wait, backing off) from one that will not (a refused
migration, a missing privilege: stop with the error), and it must give way to SIGTERM while
it waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import sqlalchemy.exc

from quarantine.link_delivery import LinkPolicy
from quarantine.store import Store

log = logging.getLogger("guard")  # the server's logger: the start-up's lines read as before


# What a database that is down, starting or unreachable raises while the guard connects.
# (PostgreSQL's "starting up" reaches SQLAlchemy as a plain DBAPIError.) Not waited for: what
# no waiting mends — a migration the database refuses, a missing privilege.
_STORAGE_DOWN = (OSError, TimeoutError, sqlalchemy.exc.DBAPIError, sqlalchemy.exc.TimeoutError)
_STORAGE_BROKEN = (
    sqlalchemy.exc.ProgrammingError,
    sqlalchemy.exc.IntegrityError,
    sqlalchemy.exc.DataError,
    sqlalchemy.exc.NotSupportedError,
)
_WAIT_FIRST, _WAIT_MAX = 1.0, 30.0


async def open_store(
    url: str,
    interrupted: asyncio.Event,
    internal_domains: tuple[str, ...] = (),
    links: LinkPolicy | None = None,
) -> Store | None:
    """The store, once the database answers. A guard started before its database (a host
    booting, a fail-over) waits for it, backing off up to _WAIT_MAX, instead of exiting;
    None when `interrupted` (SIGTERM) first."""
    delay = _WAIT_FIRST
    while not interrupted.is_set():
        opening = asyncio.ensure_future(Store.open(url, internal_domains=internal_domains, links=links))
        stopped = asyncio.ensure_future(interrupted.wait())
        await asyncio.wait({opening, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not opening.done():
            opening.cancel()
            await asyncio.gather(opening, return_exceptions=True)
            break
        error = opening.exception()
        if error is None:
            return opening.result()
        if not isinstance(error, _STORAGE_DOWN) or isinstance(error, _STORAGE_BROKEN):
            raise error
        log.warning(
            "event=storage_unavailable error=%s retry_in=%.0fs detail=%r",
            type(error).__name__,
            delay,
            _first_line(getattr(error, "orig", None) or error),
        )
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(interrupted.wait(), delay)
        delay = min(delay * 2, _WAIT_MAX)
    log.info("event=stopped detail=interrupted_while_waiting_for_storage")
    return None


def _first_line(error: BaseException) -> str:
    """The driver's own words (SQLAlchemy's message adds the statement and a help link)."""
    lines = str(error).splitlines()
    return lines[0][:200] if lines else ""
