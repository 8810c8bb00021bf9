"""The sender's pages: the held-message page behind the notice link.

GET and HEAD never change anything: mail scanners (Safe Links and the like) prefetch links.
Release and cancel are POSTs carrying the hold's CSRF token. Once a hold is finished
(released, cancelled, expired) and `page_grace` has passed, its link shows only the outcome:
a link found later in a mailbox or a log reveals no recipients, findings or addresses.
The outbox viewer is the admin console's (/admin/outbox); /outbox only points there.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import tzinfo
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from rules.model import Action

from .approver_pages import Approvals
from .download_pages import DownloadPages
from .explain import reasons, technical
from .forwarded import LOOPBACK, Network, only_from
from .hold_page import Clients, sender_context
from .hold_view import checklist, per_attachment, where_text
from .holds import Quarantine
from .i18n import action_label, actor_label, code_label, format_note, language, translator
from .judgement import Judge
from .links_page import LinksPage
from .metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from .metrics import Metrics
from .org_cache import health_line
from .org_chart import OrgStatus
from .records import HoldState, Link
from .reminders import ReminderPolicy
from .rendering import HEADERS, environment, headers
from .sender_decision import sender_decides, sender_fixes
from .store import Store
from .tokens import same
from .work_limit import WorkLimit


def allowed_actions(kind: str, role: str) -> tuple[str, ...]:
    """What a link may do to a held message: the sender decides a hold or a delay; an
    approval is the approver's to give, and the sender may only withdraw the message."""
    if role == "approver":
        return ("approve", "reject") if kind == Action.HOLD_FOR_APPROVAL else ()
    return ("cancel",) if kind == Action.HOLD_FOR_APPROVAL else ("release", "cancel")


class Pages:
    def __init__(
        self,
        *,
        store: Store,
        is_external: Callable[[str], bool],
        outbox: Path | None,
        on_queued: Callable[[], None],
        quarantine: Quarantine,
        metrics: Metrics,
        judge: Judge,
        page_grace: float = 86400.0,
        clock: Callable[[], float] = time.time,
        fix_limit: WorkLimit | None = None,
        zone: tzinfo | None = None,
        clients: Clients | None = None,
        reminders: ReminderPolicy | None = None,
        instance: str = "",
        upstream_check: Callable[[], Awaitable[str]] | None = None,
        detail_to: tuple[Network, ...] = LOOPBACK,
        org_status: Callable[[], OrgStatus] | None = None,
    ) -> None:
        self.store = store
        self.org_status = org_status  # the company directory's freshness (issue 21), or None
        self.detail_to = detail_to  # who reads /healthz's detail (smtp.trusted_networks, loopback)
        self.instance = instance  # instance.id, named in /healthz
        self.upstream_check = upstream_check  # "ok" or "down (why)", cached (proxy/health.py)
        self.is_external = is_external
        self.outbox = outbox
        self.on_queued = on_queued
        self.quarantine = quarantine
        self.metrics = metrics
        self.judge = judge
        self.page_grace = page_grace
        self.clock = clock
        self.fix_limit = fix_limit or WorkLimit()
        self.clients = clients  # the client directory in force, for names beside domains
        self.reminders = reminders  # when the next reminder of a forgotten hold goes (issue 19)
        self.env = environment(zone)  # web.timezone: every time on the pages is written in it
        self.approvals = Approvals(self)  # the approver's own pages (approver_pages.py)
        self.links = LinksPage(self)  # the sender's attachments sent as links (issue 19)

    def render(self, name: str, status: int = 200, request: Request | None = None, **context) -> HTMLResponse:
        lang = language(request) if request is not None else "ja"
        nonce = secrets.token_urlsafe(16)
        html = self.env.get_template(name).render(
            outbox=self.outbox is not None,
            lang=lang,
            t=translator(lang),
            nonce=nonce,
            code_label=lambda code: code_label(code, lang),
            format_note=lambda fmt: format_note(fmt, lang),
            action_label=lambda action: action_label(action, lang),
            actor_label=lambda actor: actor_label(actor, lang),
            where=lambda w: where_text(w, translator(lang)),
            tech=technical,
            say_all=lambda findings: reasons(findings, lang),
            **context,
        )
        csp = HEADERS["Content-Security-Policy"] + f"; script-src 'nonce-{nonce}'"
        return HTMLResponse(html, status_code=status, headers=headers({"Content-Security-Policy": csp}))

    async def home(self, request: Request) -> Response:
        return self.render("home.html", request=request)

    async def healthz(self, request: Request) -> Response:
        """200 only when the store takes a write: a load balancer then sends no mail to a
        guard that could only answer 451 to holds. Fast, and without a traceback, when not.

        Plain text: the verdict's line first ("ok", or "storage unavailable: why"), then
        `instance:`, `database:` and `upstream:` lines. A down upstream leaves the answer 200:
        the guard still holds mail, answers 451 to what would pass (the client retries) and
        serves the hold pages and the console, and the upstream is most often the cluster's
        one relay, down for every guard alike: a 503 would take all of them out of the load
        balancer, turning 451s into refused connections and the pages into errors. Who
        watches the upstream reads its line here, or mdg_upstream_errors in /metrics.

        The detail lines go only to `detail_to` (the load balancer's and monitoring's
        networks): the port also serves the hold links to the internet, and the host name
        (instance.id's default) and the upstream's state are reconnaissance for anyone else,
        who reads the first line alone ("ok" or "storage unavailable"), same status."""
        if self.upstream_check is None:
            why, upstream = await self.store.can_write(), "not checked"
        else:  # side by side: the upstream's probe (at most 1 s) adds nothing to the store's
            why, upstream = await asyncio.gather(self.store.can_write(), self.upstream_check())
        status = 200 if why is None else 503
        peer = request.client.host if request.client else ""
        if not only_from(peer, request.headers.get("x-forwarded-for"), self.detail_to):
            bare = "ok" if why is None else "storage unavailable"
            return PlainTextResponse(bare + "\n", status_code=status, headers={"Cache-Control": "no-store"})
        lines = [
            "ok" if why is None else f"storage unavailable: {why}",
            f"instance: {self.instance}",
            f"database: {'ok' if why is None else 'down'}",
            f"upstream: {upstream}",
        ]
        # The company directory: a stale copy leaves the answer 200 (the guard works on the
        # last good copy); who watches the sync reads this line.
        org_line = health_line(self.org_status(), self.clock()) if self.org_status else None
        if org_line:
            lines.append(org_line)
        return PlainTextResponse(
            "\n".join(lines) + "\n",
            status_code=status,
            headers={"Cache-Control": "no-store"},
        )

    async def metrics_page(self, request: Request) -> Response:
        body = self.metrics.exposition(await self.store.pending_jobs(), await self.store.undelivered())
        return Response(body, media_type=METRICS_CONTENT_TYPE)

    async def show_hold(self, request: Request, error: str | None = None) -> Response:
        link = await self.store.by_link(request.path_params["token"])
        if link is None:
            return self.render("unknown.html", status=404, request=request)
        if link.role == "approver":
            return await self.approvals.page(request, link, error)
        links_path = await self.links.path_for(link, request.path_params["token"])
        return await self.hold_page(request, link, error, links_path=links_path)

    async def hold_page(
        self,
        request: Request,
        link: Link,
        error: str | None = None,
        *,
        links_path: str | None = None,
        me_home: str | None = None,
    ) -> Response:
        """The sender's page of `link`'s hold, its forms posting back to the request's path:
        the notice's link, or a signed-in sender's own page (me_pages.py), which hands in a
        record carrying the session's CSRF token instead of the hold's."""
        if link.role == "approver":
            return await self.approvals.page(request, link, error)
        record = link.record
        if self._past_grace(record):
            return self.render(
                "hold_done.html",
                request=request,
                status=400 if error else 200,
                record=record,
                links_path=links_path,
                me_home=me_home,
            )
        actions = allowed_actions(record.kind, link.role) if record.state == HoldState.HELD else ()
        names = [a[0] for a in record.summary.attachments]
        return self.render(
            "delay.html" if record.kind == Action.DELAY else "hold.html",
            request=request,
            status=400 if error else 200,
            record=record,
            link=link,
            actions=actions,
            error=error,
            now=self.clock(),
            **await sender_context(
                self.store,
                record,
                actions,
                self.is_external,
                self.clients,
                fixed=error is None and request.query_params.get("fixed") == "1",
            ),
            attachment_findings=per_attachment(record.findings, names),
            checklist=checklist(record.decision) if "release" in actions else [],
            # the hold's own path: a refused fix answers at …/fix, its forms post to the hold
            request_path=request.url.path.removesuffix("/fix"),
            trail=await self.store.audit_trail(record.id),
            next_reminder=self.reminders.next_at(record) if self.reminders else None,
            links_path=links_path,
            me_home=me_home,  # the signed-in page's way back to its list
        )

    def _past_grace(self, record) -> bool:
        finished_at = record.acted_at or record.updated_at
        return record.state != HoldState.HELD and finished_at + self.page_grace < self.clock()

    async def _posted(self, request: Request, action: str | None) -> tuple[Link, FormData] | Response:
        """The link and the form of a POST that carries the hold's CSRF token and may do
        `action` (None: the form's own); else the page that refuses it (404, 403)."""
        link = await self.store.by_link(request.path_params["token"])
        if link is None:
            return self.render("unknown.html", status=404, request=request)
        form = await request.form()
        action = action or str(form.get("action", ""))
        if not same(str(form.get("csrf", "")), link.record.csrf) or action not in allowed_actions(
            link.record.kind, link.role
        ):
            return self.render("unknown.html", status=403, request=request, forbidden=True)
        return link, form

    async def act_on_hold(self, request: Request) -> Response:
        posted = await self._posted(request, None)
        if isinstance(posted, Response):
            return posted
        link, form = posted
        if link.role == "approver":  # a rejection needs its reason: approver_pages.py
            return await self.approvals.decide(request, link, form)
        return await sender_decides(self, request, link.record, form, lambda e: self.show_hold(request, e))

    async def fix_hold(self, request: Request) -> Response:
        """Fix, then send: the fixed message is inspected again; if it is clean now it goes,
        otherwise the page shows what is still wrong."""
        posted = await self._posted(request, "release")
        if isinstance(posted, Response):
            return posted
        link, form = posted
        return await sender_fixes(self, request, link.record, form, lambda e: self.show_hold(request, e))

    async def outbox_moved(self, request: Request) -> Response:
        """The outbox holds working links: it is the admin console's, behind its login."""
        return RedirectResponse("/admin/outbox", status_code=303, headers=headers())


def _closing_form(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """A file posted with the form is spooled to disk: closed once the reply is made, not left
    to the collector (as the admin console's `guarded` does)."""

    @functools.wraps(endpoint)
    async def closing(request: Request) -> Response:
        try:
            return await endpoint(request)
        finally:
            await request.close()

    return closing


def create_app(pages: Pages, extra_routes: list | tuple = ()) -> Starlette:
    return Starlette(
        routes=[
            *extra_routes,
            *pages.approvals.routes(),
            *DownloadPages(pages).routes(),  # the external recipient's /d/ pages (issue 19)
            *pages.links.routes(),  # the sender's download log, /h/{token}/links
            Route("/", pages.home),
            Route("/healthz", pages.healthz),
            Route("/metrics", pages.metrics_page),
            Route("/h/{token}", pages.show_hold, methods=["GET"]),
            Route("/h/{token}", _closing_form(pages.act_on_hold), methods=["POST"]),
            Route("/h/{token}/fix", _closing_form(pages.fix_hold), methods=["POST"]),
            Route("/outbox", pages.outbox_moved),
            Route("/outbox/{name:path}", pages.outbox_moved),
        ]
    )
