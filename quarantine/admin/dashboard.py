"""The console's home page (issue 18): what a help desk looks at first — today's holds, what
waits for an approver, how often held mail is released, the hold that has waited longest.

Every figure is one aggregate query: the page costs the same with ten holds or a million.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import case, func, select
from starlette.requests import Request
from starlette.responses import Response

from ..org_chart import OrgStatus
from ..records import RELEASED, HoldState
from ..schema import held
from ..store import Store
from . import search
from .console import Console

RATE_DAYS = 30  # the release rate is over the holds decided in this many days


@dataclass(frozen=True, kw_only=True)
class Figures:
    held_today: int  # held since local midnight, whatever became of them
    waiting: int  # held now
    approvals: int  # held now, waiting for an approver
    released: int  # of the holds decided in RATE_DAYS days
    decided: int
    oldest_id: str | None  # the hold that has waited longest
    oldest_at: float | None
    oldest_subject: str = ""

    @property
    def release_rate(self) -> float | None:
        return self.released / self.decided if self.decided else None


async def figures(store: Store, now: float | None = None, zone: dt.tzinfo | None = None) -> Figures:
    """The dashboard's counts; "today" is the day in `zone` (web.timezone; None: the machine's)."""
    now = time.time() if now is None else now
    midnight = search.midnight(search.today(now, zone), zone)
    waiting = held.c.state == HoldState.HELD

    def count(cond):
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    decided = held.c.state.in_((*RELEASED, HoldState.CANCELLED, HoldState.REJECTED, HoldState.EXPIRED))
    since = held.c.acted_at >= now - RATE_DAYS * 86400
    async with store.reading() as conn:
        totals = (
            await conn.execute(
                select(
                    count(held.c.created_at >= midnight).label("today"),
                    count(waiting).label("waiting"),
                    count(waiting & (held.c.kind == "hold_for_approval")).label("approvals"),
                    count(decided & since & held.c.state.in_(RELEASED)).label("released"),
                    count(decided & since).label("decided"),
                )
            )
        ).one()
        oldest = (
            await conn.execute(
                select(held.c.id, held.c.created_at, held.c.summary)
                .where(waiting)
                .order_by(held.c.created_at, held.c.id)
                .limit(1)
            )
        ).first()
    return Figures(
        held_today=int(totals.today),
        waiting=int(totals.waiting),
        approvals=int(totals.approvals),
        released=int(totals.released),
        decided=int(totals.decided),
        oldest_id=oldest.id if oldest else None,
        oldest_at=oldest.created_at if oldest else None,
        oldest_subject=_subject(oldest.summary) if oldest else "",
    )


def _subject(summary: str) -> str:
    return str(json.loads(summary).get("subject", ""))


class DashboardPage:
    def __init__(
        self, console: Console, store: Store, org_status: Callable[[], OrgStatus] | None = None
    ) -> None:
        self.console = console
        self.store = store
        self.org_status = org_status  # the company directory (issue 21): a banner when stale

    async def show(self, request: Request, session, form) -> Response:
        return self.console.render(
            "dashboard.html",
            session=session,
            nav="dashboard",
            figures=await figures(self.store, zone=self.console.zone),
            rate_days=RATE_DAYS,
            today=search.today(time.time(), self.console.zone).isoformat(),
            org=self.org_status() if self.org_status else None,
        )
