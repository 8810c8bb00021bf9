"""The sender's decision on his hold — release, cancel, fix then send — as the notice's link
page (web.py) and a signed-in sender's own page (me_pages.py) both make it: one copy of what
must be asked first (the checklist, "send unchanged?", a delay's cancel asked twice), of the
fix's limits, and of the audit row's actor (`sender`, which the statistics count)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rules.model import Action

from .fix_flow import fixed
from .hold_view import all_ticked, unconfirmed_cancel
from .records import STATE_AFTER, HoldState
from .rendering import headers

if TYPE_CHECKING:
    from .web import Pages

Shown = Callable[[str], Awaitable[Response]]  # the hold's page again, with an error


async def sender_decides(pages: Pages, request: Request, record, form: FormData, show: Shown) -> Response:
    """The sender's release or cancel (CSRF token and action already checked by the
    caller), the notice's link or a signed-in sender's page alike: what the page must
    ask first is asked (`show(error)`: the page again, with its error), then it is done."""
    action = str(form.get("action", ""))
    if action == "release" and not all_ticked(record, form.getlist("ack")):
        return await show("checklist_missing")
    if unconfirmed_cancel(record, action, form):
        # A delay's cancel is asked twice, here on the server: a form posted without
        # confirm=1 (a stray tap, a script) only gets the question.
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return pages.render("delay_confirm.html", request=request, record=record, back=back)
    if action == "release" and record.kind == Action.HOLD and form.get("confirm") != "1":
        # Sending what was held unchanged is the risky choice (issue 18): said twice.
        return await show("confirm_missing")
    client = request.client.host if request.client else None
    if await pages.store.decide_hold(record.id, STATE_AFTER[action], actor="sender", client_addr=client):
        pages.on_queued()
    # Post/Redirect/Get: the page then shows what happened, and a reload does nothing.
    return RedirectResponse(request.url.path, status_code=303, headers=headers())


async def sender_fixes(pages: Pages, request: Request, record, form: FormData, show: Shown) -> Response:
    """Fix, then send, from the notice's link or a signed-in sender's page."""
    # The cheap checks first: a finished hold, or a link asking too often, costs no inspection.
    if record.state != HoldState.HELD:
        return await show("fix_stale")
    if not pages.fix_limit.start(record.id):
        response = await show("fix_busy")
        response.status_code = 429
        return response
    try:
        return await fixed(pages, request, record, form, show)
    finally:
        pages.fix_limit.done(record.id)
