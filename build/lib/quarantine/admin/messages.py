"""Held, released, cancelled and expired messages: search, detail, release and cancel; and a
release whose delivery failed ("delivery_failed"), which an admin may send again ("retry").

Never a body: the list and the detail read the summary (subject, attachment names), the
masked findings, the decision and the audit trail; the raw message is not even selected.
An admin may decide any hold, a hold_for_approval one too (for an absent approver); the
audit row then names the admin.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import and_, func, select, true
from starlette.requests import Request
from starlette.responses import Response

from rules.model import Action, Decision

from ..records import STATE_AFTER, STATES
from ..schema import held
from ..store import Store
from .console import Console, client_addr
from .search import PAGE_SIZE, Search, contains

_RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_ACTIONS = ("release", "cancel")  # an admin decides any hold; approving is an approver's
_LISTED = (
    held.c.id,
    held.c.state,
    held.c.kind,
    held.c.created_at,
    held.c.mail_from,
    held.c.rcpt_tos,
    held.c.summary,
    held.c.decision,
    held.c.acted_at,
    held.c.acted_by,
)


@dataclass(frozen=True, kw_only=True)
class Row:
    id: str
    state: str
    kind: str
    created_at: float
    mail_from: str
    rcpt_tos: tuple[str, ...]
    subject: str
    rules: tuple[str, ...]  # the deciding rules
    acted_at: float | None
    acted_by: str | None

    @classmethod
    def of(cls, r) -> Row:
        decision = Decision.from_dict(json.loads(r.decision))
        return cls(
            id=r.id,
            state=r.state,
            kind=r.kind,
            created_at=r.created_at,
            mail_from=r.mail_from,
            rcpt_tos=tuple(json.loads(r.rcpt_tos)),
            subject=json.loads(r.summary).get("subject", ""),
            rules=tuple(m.id for m in decision.deciding),
            acted_at=r.acted_at,
            acted_by=r.acted_by,
        )


def conditions(search: Search) -> list:
    v, conds = search.values, search.period(held.c.created_at)
    if v["sender"]:
        conds.append(contains(held.c.mail_from, v["sender"]))
    if v["recipient"]:
        conds.append(contains(held.c.rcpt_tos, v["recipient"]))
    if v["rule"] and _RULE_ID.match(v["rule"]):
        # the hold's own decision (JSON) names every matched rule as "id": "<rule>"
        conds.append(held.c.decision.like(f'%"id": "{v["rule"]}"%'))
    if v["state"] in STATES:
        conds.append(held.c.state == v["state"])
    return conds


def check(search: Search) -> tuple[str, ...]:
    errors = list(search.errors)
    if search.values["rule"] and not _RULE_ID.match(search.values["rule"]):
        errors.append(
            "rule: ルールIDは英小文字・数字・ハイフン / a rule id is kebab-case; "
            f"got {search.values['rule']!r}"
        )
    if search.values["state"] and search.values["state"] not in STATES:
        errors.append(f"state: must be one of {', '.join(STATES)}")
    return tuple(errors)


class MessagePages:
    def __init__(
        self,
        console: Console,
        store: Store,
        on_queued: Callable[[], None],
        on_approval_decided: Callable[..., Awaitable[None]],
    ) -> None:
        self.console = console
        self.store = store
        self.on_queued = on_queued
        self.on_approval_decided = on_approval_decided

    async def index(self, request: Request, session, form) -> Response:
        search = Search.of(request.query_params, ("sender", "recipient", "rule", "state"))
        errors = check(search)
        where = and_(true(), *conditions(search))
        async with self.store.reading() as conn:
            total = (await conn.execute(select(func.count()).select_from(held).where(where))).scalar_one()
            rows = (
                await conn.execute(
                    select(*_LISTED)
                    .where(where)
                    .order_by(held.c.created_at.desc(), held.c.id)
                    .offset(search.offset)
                    .limit(PAGE_SIZE)
                )
            ).all()
        return self.console.render(
            "messages.html",
            status=400 if errors else 200,
            session=session,
            nav="messages",
            search=search,
            errors=errors,
            total=total,
            rows=[Row.of(r) for r in rows],
            states=STATES,
            more=search.offset + len(rows) < total,
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
        record = await self.store.get(message_id)
        changed = await self.store.decide_hold(
            message_id, STATE_AFTER[action], actor=session.actor, client_addr=client_addr(request), note=note
        )
        if changed and record is not None and record.kind == Action.HOLD_FOR_APPROVAL:
            # An admin acting for an absent approver: the sender hears of it as from one.
            await self.on_approval_decided(record, session.actor, action == "release", note or "")
        if changed and action == "release":
            self.on_queued()
        outcome = STATE_AFTER[action] if changed else "stale"
        return self.console.redirect(f"/messages/{message_id}?done={outcome}")

    async def _retry(self, request: Request, session, message_id: str) -> Response:
        """Queue a failed release again (once: the store's conditional UPDATE), in the admin's
        name; "not_retried" when it was not waiting for a retry (retried already, or gone)."""
        retried = await self.store.retry_delivery(
            message_id, actor=session.actor, client_addr=client_addr(request)
        )
        if retried:
            self.on_queued()
        return self.console.redirect(f"/messages/{message_id}?done={'retried' if retried else 'not_retried'}")
