"""Throttling console logins: growing delays, never a lock that an attacker can hold shut.

Every attempt is written to admin_login_attempts (outcome "pending") and committed BEFORE its
password is checked; only then are the earlier attempts counted. Parallel guesses therefore
see each other: of twenty sent at once, only the first few are checked. The rows are in the
database, so every guard instance sharing it counts the same attempts (on PostgreSQL two
attempts that commit out of id order may both be checked: the bound is loose by the number of
instances, not open).

Limits, all checked before the password:
- per login and client address: after FREE failures, the next attempt is checked only 2^k
  seconds (k = failures beyond FREE, at most CAP) after the last failure; earlier ones are
  refused without a check and do not count. A success resets it. Each address has its own
  count, so one guesser cannot slow the admin down anywhere else, and the delay is capped:
  a login is never locked, only slowed.
- per client address: ADDR_MAX failures (any login) within ADDR_WINDOW and the address is
  refused until they age out; past ADDR_FLOOD attempts of any outcome it is refused without
  even a row being written, so a flood cannot grow the table.
- per login, across the addresses not known for it: LOGIN_MAX failures within WINDOW (guesses
  spread over many addresses) and those addresses are refused for the login until they age
  out. An address from which the login succeeded within KNOWN is exempt.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..schema import login_attempts as attempts
from ..store import Store

FREE = 3  # failures of a login from one address before any delay
CAP = 60.0  # the longest delay between two checked attempts
WINDOW = 15 * 60.0  # failures older than this no longer count for a login
LOGIN_MAX = 50  # failures of one login from unknown addresses within WINDOW
ADDR_MAX = 20  # failures from one address within ADDR_WINDOW, then refused
ADDR_FLOOD = 100  # attempts of any outcome from one address: then not even recorded
ADDR_WINDOW = 15 * 60.0
KNOWN = 30 * 86400.0  # a success this recent makes an address "known" for that login
_COUNTED = ("pending", "failure")


@dataclass(frozen=True)
class Attempt:
    id: int | None  # None: refused before it was even recorded (a flood)
    login: str
    client_addr: str
    allowed: bool  # False: refused without checking the password


class Throttle:
    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    async def begin(self, login: str, client_addr: str | None) -> Attempt:
        """Record the attempt, then say whether its password may be checked."""
        addr, now = client_addr or "-", self.clock()
        async with self.store.reading() as conn:
            if await self._from_address(conn, addr, now, None, counted=None) >= ADDR_FLOOD:
                return Attempt(id=None, login=login, client_addr=addr, allowed=False)
        async with self.store.writing() as conn:  # committed before anything is counted
            result = await conn.execute(
                attempts.insert().values(login=login, at=now, outcome="pending", client_addr=addr)
            )
            mine = result.inserted_primary_key[0]  # type: ignore[index]  # one row inserted: never None
        async with self.store.reading() as conn:
            allowed = (
                await self._from_address(conn, addr, now, mine, _COUNTED) < ADDR_MAX
                and await self._pair_may_try(conn, login, addr, now, mine)
                and await self._login_may_try(conn, login, addr, now, mine)
            )
        if not allowed:
            await self._set(mine, "throttled")
        return Attempt(id=mine, login=login, client_addr=addr, allowed=allowed)

    async def end(self, attempt: Attempt, succeeded: bool) -> None:
        # Old attempts are removed by the retention purge (successes kept KNOWN, others a day).
        if attempt.id is not None:
            await self._set(attempt.id, "success" if succeeded else "failure")

    async def _pair_may_try(
        self, conn: AsyncConnection, login: str, addr: str, now: float, mine: int
    ) -> bool:
        here = and_(attempts.c.login == login, attempts.c.client_addr == addr, attempts.c.id < mine)
        reset = (
            await conn.execute(select(func.max(attempts.c.at)).where(here, attempts.c.outcome == "success"))
        ).scalar()
        since = max(now - WINDOW, reset if reset is not None else 0.0)
        failures, last = (
            await conn.execute(
                select(func.count(), func.max(attempts.c.at)).where(
                    here, attempts.c.outcome.in_(_COUNTED), attempts.c.at > since
                )
            )
        ).one()
        return failures < FREE or now - last >= delay(failures)

    async def _login_may_try(
        self, conn: AsyncConnection, login: str, addr: str, now: float, mine: int
    ) -> bool:
        known = set(
            (
                await conn.execute(
                    select(attempts.c.client_addr)
                    .distinct()
                    .where(
                        attempts.c.login == login,
                        attempts.c.outcome == "success",
                        attempts.c.at > now - KNOWN,
                    )
                )
            ).scalars()
        )
        if addr in known:
            return True
        failures = (
            await conn.execute(
                select(func.count())
                .select_from(attempts)
                .where(
                    attempts.c.login == login,
                    attempts.c.client_addr.notin_(known) if known else true(),
                    attempts.c.outcome.in_(_COUNTED),
                    attempts.c.at > now - WINDOW,
                    attempts.c.id < mine,
                )
            )
        ).scalar_one()
        return failures < LOGIN_MAX

    @staticmethod
    async def _from_address(
        conn: AsyncConnection, addr: str, now: float, mine: int | None, counted: tuple[str, ...] | None
    ) -> int:
        """Attempts from `addr` within ADDR_WINDOW (before `mine`), of the `counted` outcomes
        or, with None, of any outcome but success."""
        conds = [attempts.c.client_addr == addr, attempts.c.at > now - ADDR_WINDOW]
        conds.append(attempts.c.outcome.in_(counted) if counted else attempts.c.outcome != "success")
        if mine is not None:
            conds.append(attempts.c.id < mine)
        return (await conn.execute(select(func.count()).select_from(attempts).where(*conds))).scalar_one()

    async def _set(self, attempt_id: int, outcome: str) -> None:
        async with self.store.writing() as conn:
            await conn.execute(update(attempts).where(attempts.c.id == attempt_id).values(outcome=outcome))


def delay(failures: int) -> float:
    """Seconds the next check of a login from one address waits after its last failure."""
    return 0.0 if failures < FREE else min(2.0 ** min(failures - FREE, 30), CAP)
