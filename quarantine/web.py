"""The sender's pages: the held-message page behind the notice link, and the outbox viewer.

GET and HEAD never change anything: mail scanners (Safe Links and the like) prefetch links.
Release and cancel are POSTs carrying the hold's CSRF token.
"""
from __future__ import annotations

import email
import email.policy
import time
from pathlib import Path
from typing import Callable

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from inspectors.charsets import decode_header_value

from .notice import approval_result
from .store import Store
from .tokens import same

_HEADERS = {
    # The token is in the URL: never let it leak through a Referer header or a cache.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}


def allowed_actions(kind: str, role: str) -> tuple[str, ...]:
    """What a link may do to a held message: the sender decides a hold or a delay; an
    approval is the approver's to give, and the sender may only withdraw the message."""
    if role == "approver":
        return ("approve", "reject") if kind == "hold_for_approval" else ()
    return ("cancel",) if kind == "hold_for_approval" else ("release", "cancel")


# action -> the state it moves the hold to
_TRANSITIONS = {"release": "released", "cancel": "cancelled", "approve": "released", "reject": "cancelled"}


class Pages:
    def __init__(self, *, store: Store, is_external: Callable[[str], bool], outbox: Path | None,
                 on_queued: Callable[[], None], notice_from: str) -> None:
        self.store = store
        self.is_external = is_external
        self.outbox = outbox
        self.on_queued = on_queued
        self.notice_from = notice_from
        self.env = Environment(loader=PackageLoader("quarantine", "templates"),
                               autoescape=select_autoescape(["html"]))
        self.env.filters["when"] = lambda t: time.strftime("%Y-%m-%d %H:%M", time.localtime(t)) if t else ""

    def render(self, name: str, status: int = 200, **context) -> HTMLResponse:
        html = self.env.get_template(name).render(outbox=self.outbox is not None, **context)
        return HTMLResponse(html, status_code=status, headers=_HEADERS)

    async def home(self, request: Request) -> Response:
        return self.render("home.html")

    async def healthz(self, request: Request) -> Response:
        await self.store.pending_jobs()
        return PlainTextResponse("ok\n")

    async def show_hold(self, request: Request) -> Response:
        link = await self.store.by_link(request.path_params["token"])
        if link is None:
            return self.render("unknown.html", status=404)
        record = link.record
        recipients = [(r, self.is_external(r)) for r in record.rcpt_tos]
        actions = allowed_actions(record.kind, link.role) if record.state == "held" else ()
        return self.render("hold.html", record=record, link=link, actions=actions,
                           recipients=recipients, trail=await self.store.audit_trail(record.id),
                           now=time.time())

    async def act_on_hold(self, request: Request) -> Response:
        token = request.path_params["token"]
        link = await self.store.by_link(token)
        if link is None:
            return self.render("unknown.html", status=404)
        form = await request.form()
        action = str(form.get("action", ""))
        record = link.record
        if not same(str(form.get("csrf", "")), record.csrf) or action not in allowed_actions(record.kind, link.role):
            return self.render("unknown.html", status=403, forbidden=True)
        client = request.client.host if request.client else None
        actor = "sender" if link.role == "sender" else f"approver:{link.actor}"
        note = str(form.get("note", ""))[:1000].strip() or None
        if await self.store.decide_hold(record.id, _TRANSITIONS[action], actor=actor,
                                        client_addr=client, note=note):
            if link.role == "approver" and record.mail_from:
                await self.store.enqueue("notice", record.id, self.notice_from, [record.mail_from],
                                         approval_result(notice_from=self.notice_from, sender=record.mail_from,
                                                         subject=record.summary.subject, approver=link.actor,
                                                         approved=action == "approve", note=note or ""))
            self.on_queued()
        # Post/Redirect/Get: the page then shows what happened, and a reload does nothing.
        return RedirectResponse(f"/h/{token}", status_code=303, headers=_HEADERS)

    async def outbox_list(self, request: Request) -> Response:
        if self.outbox is None:
            return self.render("unknown.html", status=404)
        items = []
        for path in sorted((self.outbox / "new").glob("*"), key=lambda p: p.name, reverse=True)[:200]:
            items.append({"name": path.name, **_headers_of(path)})
        return self.render("outbox.html", items=items)

    async def outbox_item(self, request: Request) -> Response:
        name = request.path_params["name"]
        path = (self.outbox / "new" / name) if self.outbox else None
        if path is None or "/" in name or name.startswith(".") or not path.is_file():
            return self.render("unknown.html", status=404)
        return PlainTextResponse(path.read_bytes().decode("utf-8", "replace"), headers=_HEADERS)


def _headers_of(path: Path) -> dict:
    with open(path, "rb") as f:
        head = f.read(64 * 1024).split(b"\r\n\r\n", 1)[0]
    msg = email.message_from_bytes(head + b"\r\n\r\n", policy=email.policy.compat32)
    return {key: decode_header_value(msg.get(key, "")) for key in ("From", "To", "Subject", "Date")}


def create_app(pages: Pages) -> Starlette:
    return Starlette(routes=[
        Route("/", pages.home),
        Route("/healthz", pages.healthz),
        Route("/h/{token}", pages.show_hold, methods=["GET"]),
        Route("/h/{token}", pages.act_on_hold, methods=["POST"]),
        Route("/outbox", pages.outbox_list),
        Route("/outbox/{name}", pages.outbox_item),
    ])
