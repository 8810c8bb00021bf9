"""Releasing or cancelling several held messages at once (issue 18), from the message list.

Two steps, both POSTs carrying the CSRF token: the first shows what would happen (which of the
chosen messages are still held, which are not) and asks for the reason again; only the second,
with `confirm=1` and a reason, acts. Each message is decided as a single action would decide it
(MessagePages.decide: its audit row, the sender's notice); one that is no longer held by then
— another admin, the sender, the expiry got there first — is left alone and reported.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from ..records import STATE_AFTER, HoldState
from .console import Console
from .messages import MessagePages
from .search import PAGE_SIZE

_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
MAX_NOTE = 1000


class BulkPages:
    def __init__(self, console: Console, messages: MessagePages) -> None:
        self.console = console
        self.messages = messages

    async def act(self, request: Request, session, form) -> Response:
        action = str(form.get("action", ""))
        if action not in ("release", "cancel"):
            return self.console.refuse(400, "bad_request", session)
        ids = list(dict.fromkeys(str(i) for i in form.getlist("ids")))
        if len(ids) > PAGE_SIZE or not all(_ID.match(i) for i in ids):
            return self.console.refuse(400, "bad_request", session)
        note = str(form.get("note", "")).strip()[:MAX_NOTE]
        records = [r for r in [await self.messages.store.get(i) for i in ids] if r is not None]
        holding = [r for r in records if r.state == HoldState.HELD]
        errors = []
        if not ids:
            errors.append(("メールを選んでください。", "Choose at least one message."))
        if not note:
            errors.append(
                (
                    "理由を入力してください（送信者への通知と監査ログに残ります）。",
                    "Give a reason: the senders are told it, and the audit log keeps it.",
                )
            )
        if errors or form.get("confirm") != "1" or not holding:
            return self.console.render(
                "bulk.html",
                status=422 if errors else 200,
                session=session,
                nav="messages",
                action=action,
                note=note,
                holding=holding,
                others=[r for r in records if r.state != HoldState.HELD],
                missing=len(ids) - len(records),
                errors=errors,
            )
        done, stale = 0, []
        for record in holding:
            if await self.messages.decide(request, session, record.id, action, note):
                done += 1
            else:
                stale.append(record.id)
        stale += [r.id for r in records if r.state != HoldState.HELD]
        if done and action == "release":
            self.messages.on_queued()
        query = {"bulk": STATE_AFTER[action], "done": done, "stale": ",".join(stale)}
        return self.console.redirect("/messages?" + urlencode({k: v for k, v in query.items() if v != ""}))
