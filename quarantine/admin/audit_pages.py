"""The audit log: every transition of a held message, every delivery attempt, every admin
action. Filter by message id, actor, action and date; export the same selection as CSV.

The detail column holds codes and counts by construction (quarantine.store, console.record);
nothing here adds a body, a subject or a finding's evidence.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select, true
from starlette.requests import Request
from starlette.responses import Response

from ..schema import audit
from .console import Console
from .directory_csv import csv_download
from .search import PAGE_SIZE, Search, contains

EXPORT_LIMIT = 100_000
_FIELDS = ("message", "actor", "action")


def conditions(search: Search) -> list:
    v, conds = search.values, search.period(audit.c.at)
    if v["message"]:
        conds.append(audit.c.message_id == v["message"])
    if v["actor"]:
        conds.append(contains(audit.c.actor, v["actor"]))
    if v["action"]:
        conds.append(audit.c.action == v["action"])
    return conds


class AuditPages:
    def __init__(self, console: Console) -> None:
        self.console = console

    async def index(self, request: Request, session, form) -> Response:
        search = Search.of(request.query_params, _FIELDS)
        where = and_(true(), *conditions(search))
        async with self.console.store.reading() as conn:
            total = (await conn.execute(select(func.count()).select_from(audit).where(where))).scalar_one()
            rows = (
                await conn.execute(
                    select(audit)
                    .where(where)
                    .order_by(audit.c.id.desc())
                    .offset(search.offset)
                    .limit(PAGE_SIZE)
                )
            ).all()
            actions = (
                (await conn.execute(select(audit.c.action).distinct().order_by(audit.c.action)))
                .scalars()
                .all()
            )
        return self.console.render(
            "audit.html",
            status=400 if search.errors else 200,
            session=session,
            nav="audit",
            search=search,
            errors=search.errors,
            rows=rows,
            total=total,
            actions=actions,
            more=search.offset + len(rows) < total,
            export=search.filters(),
        )

    async def export(self, request: Request, session, form) -> Response:
        search = Search.of(request.query_params, _FIELDS)
        if search.errors:
            return self.console.refuse(400, "bad_request", session, errors=search.errors)
        async with self.console.store.reading() as conn:
            rows = (
                await conn.execute(
                    select(audit)
                    .where(and_(true(), *conditions(search)))
                    .order_by(audit.c.id)
                    .limit(EXPORT_LIMIT)
                )
            ).all()
        header = [("at", "message_id", "actor", "client_addr", "action", "detail")]
        return csv_download(
            header
            + [
                (
                    _iso(r.at, self.console.zone),
                    r.message_id,
                    r.actor,
                    r.client_addr,
                    r.action,
                    r.detail,
                )
                for r in rows
            ],
            "audit",
        )


def _iso(at: float, zone) -> str:
    """A CSV's time: ISO 8601 with its offset, in web.timezone (None: the machine's zone)."""
    moment = datetime.fromtimestamp(at, zone) if zone is not None else datetime.fromtimestamp(at).astimezone()
    return moment.isoformat(timespec="seconds")
