"""Held, released, cancelled and expired messages: search, detail, release and cancel; and a
release whose delivery failed ("delivery_failed"), which an admin may send again ("retry").

Never a body: the list and the detail read the summary (subject, attachment names), the
masked findings, the decision and the audit trail; the raw message is not even selected.
An admin may decide any hold, a hold_for_approval one too (for an absent approver); the
audit row then names the admin.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response

from rules.book import RuleBook

from ..records import STATE_AFTER
from ..schema import held
from ..store import Store
from . import message_search
from .console import Console, client_addr
from .search import PAGE_SIZE, Search
from .words import rule_choices

_ACTIONS = ("release", "cancel")  # an admin decides any hold; approving is an approver's


class MessagePages:
    def __init__(
        self,
        console: Console,
        store: Store,
        on_queued: Callable[[], None],
        on_admin_decided: Callable[..., Awaitable[None]],
        rulebook: RuleBook,
    ) -> None:
        self.console = console
        self.store = store
        self.on_queued = on_queued
        self.on_admin_decided = on_admin_decided
        self.rulebook = rulebook

    async def index(self, request: Request, session, form) -> Response:
        search = Search.of(request.query_params, message_search.FIELDS, self.console.zone)
        errors = message_search.problems(search)
        total, rows = 0, list[message_search.Row]()
        if not errors:
            async with self.store.reading() as conn:
                total, rows = await message_search.find(conn, search)
        return self.console.render(
            "messages.html",
            status=400 if errors else 200,
            session=session,
            nav="messages",
            search=search,
            errors=errors,
            total=total,
            rows=rows,
            states=message_search.CHOICES,
            rules=rule_choices(self.rulebook()),
            more=search.offset + len(rows) < total,
            bulk=_bulk_outcome(request.query_params),
        )

    async def detail(self, request: Request, session, form) -> Response:
        record = await self.store.get(request.path_params["id"])
        if record is None:
            return self.console.refuse(404, "not_found", session)
        async with self.store.reading() as conn:  # 0: cleared by the retention purge
            body_size = (
                await conn.execute(select(func.length(held.c.raw)).where(held.c.id == record.id))
            ).scalar() or 0
        return self.console.render(
            "message.html",
            session=session,
            nav="messages",
            record=record,
            trail=await self.store.audit_trail(record.id),
            body_size=body_size,
            done=request.query_params.get("done", ""),
        )

    async def act(self, request: Request, session, form) -> Response:
        message_id = request.path_params["id"]
        action = str(form.get("action", ""))
        if action == "retry":
            return await self._retry(request, session, message_id)
        if action not in _ACTIONS:
            return self.console.refuse(400, "bad_request", session)
        note = str(form.get("note", ""))[:1000].strip() or None
        changed = await self.decide(request, session, message_id, action, note)
        if changed and action == "release":
            self.on_queued()
        outcome = STATE_AFTER[action] if changed else "stale"
        return self.console.redirect(f"/messages/{message_id}?done={outcome}")

    async def decide(self, request: Request, session, message_id: str, action: str, note: str | None) -> bool:
        """Release or cancel one hold in the admin's name (an audit row, as every transition
        has), and tell its sender; False when it was no longer held. The caller wakes the
        delivery worker."""
        record = await self.store.get(message_id)
        changed = await self.store.decide_hold(
            message_id, STATE_AFTER[action], actor=session.actor, client_addr=client_addr(request), note=note
        )
        if changed and record is not None:
            await self.on_admin_decided(record, session.actor, action == "release", note or "")
        return changed

    async def _retry(self, request: Request, session, message_id: str) -> Response:
        """Queue a failed release again (once: the store's conditional UPDATE), in the admin's
        name; "not_retried" when it was not waiting for a retry (retried already, or gone),
        "links_ended" when its download links ran out (the store refuses: no copy can go)."""
        retried = await self.store.retry_delivery(
            message_id, actor=session.actor, client_addr=client_addr(request)
        )
        if retried:
            self.on_queued()
            return self.console.redirect(f"/messages/{message_id}?done=retried")
        share = await self.store.shares.info(message_id)
        ended = share is not None and share.ran_out(time.time())
        return self.console.redirect(
            f"/messages/{message_id}?done={'links_ended' if ended else 'not_retried'}"
        )


def _bulk_outcome(params) -> dict | None:
    """What a bulk action did, as its redirect says (?bulk=released&done=3&stale=Q1,Q2)."""
    action = params.get("bulk", "")
    if action not in ("released", "cancelled"):
        return None
    done = params.get("done", "0")
    stale = [s for s in params.get("stale", "").split(",")[:PAGE_SIZE] if s.isalnum() and len(s) <= 32]
    return {
        "action": action,
        "done": int(done) if done.isascii() and done.isdigit() and len(done) < 6 else 0,
        "stale": stale,
    }
