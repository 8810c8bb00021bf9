"""Attachments sent as download links (issue 19), in the console: the recent shares, one
share's files, recipients and download log, and stopping its links in the admin's name.

Only the console's role (admin: the one that may release and cancel messages) gets here,
through `guarded`. Stopping asks twice, on the server (confirm=1), as the bulk action does; the
audit row "links_revoked" names the admin (admin:LOGIN). No file is served here: the console
shows names, sizes and hashes, never the bytes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response

from ..link_notice import size_text
from ..links_page import downloads_left, share_state
from ..schema import share_downloads, share_recipients
from ..share_records import ACTIVE
from ..store import Store
from .console import Console, client_addr

PAGE_SIZE = 50
LOG_SHOWN = 1000  # downloads the detail lists, the latest first
_ID_LIMIT = 64


class LinkPages:
    def __init__(self, console: Console, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.console = console
        self.store = store
        self.clock = clock
        console.env.filters.setdefault("size", size_text)

    async def index(self, request: Request, session, form) -> Response:
        raw = request.query_params.get("page", "1")
        page = int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 6 and int(raw) > 0 else 1
        found = await self.store.shares.recent(PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
        shown = found[:PAGE_SIZE]
        counts, people = await self._counts([s.id for s in shown])
        now = self.clock()
        return self.console.render(
            "links.html",
            session=session,
            nav="links",
            rows=[
                {
                    "share": s,
                    "state": share_state(s, now),
                    "downloads": counts.get(s.id, 0),
                    "recipients": people.get(s.id, 0),
                }
                for s in shown
            ],
            page=page,
            more=len(found) > PAGE_SIZE,
        )

    async def _counts(self, ids: list[str]) -> tuple[dict[str, int], dict[str, int]]:
        """Downloads and recipients per share, in two queries for the whole page."""
        if not ids:
            return {}, {}
        async with self.store.reading() as conn:
            downloads = await conn.execute(
                select(share_downloads.c.share_id, func.count())
                .where(share_downloads.c.share_id.in_(ids))
                .group_by(share_downloads.c.share_id)
            )
            recipients = await conn.execute(
                select(share_recipients.c.share_id, func.count())
                .where(share_recipients.c.share_id.in_(ids))
                .group_by(share_recipients.c.share_id)
            )
            return {r[0]: r[1] for r in downloads}, {r[0]: r[1] for r in recipients}

    async def detail(self, request: Request, session, form) -> Response:
        share_id = request.path_params["id"]
        log = await self.store.shares.log(share_id) if len(share_id) <= _ID_LIMIT else None
        if log is None:
            return self.console.refuse(404, "not_found", session)
        return self.console.render(
            "link.html",
            session=session,
            nav="links",
            share=log.share,
            state=share_state(log.share, self.clock()),
            recipients=downloads_left(log),
            downloads=tuple(reversed(log.downloads))[:LOG_SHOWN],
            total=len(log.downloads),
            done=request.query_params.get("done", ""),
        )

    async def act(self, request: Request, session, form) -> Response:
        """Stop a share's links: the first POST gets the question, the second (confirm=1) stops."""
        share_id = request.path_params["id"]
        log = await self.store.shares.log(share_id) if len(share_id) <= _ID_LIMIT else None
        if log is None:
            return self.console.refuse(404, "not_found", session)
        if str(form.get("action", "")) != "revoke":
            return self.console.refuse(400, "bad_request", session)
        if log.share.state != ACTIVE:
            return self.console.redirect(f"/links/{share_id}?done=stale")
        if form.get("confirm") != "1":
            return self.console.render(
                "link_confirm.html", session=session, nav="links", share=log.share, recipients=log.recipients
            )
        stopped = await self.store.shares.revoke(share_id, session.actor, client_addr(request), self.clock())
        return self.console.redirect(f"/links/{share_id}?done={'revoked' if stopped else 'stale'}")
