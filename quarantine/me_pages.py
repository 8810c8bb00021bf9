"""A signed-in person's own page, /admin/me (issue 21): "my messages" — his held, delayed and
recently finished mail — and "to approve" — what waits for his approval. So a sender who lost
the notice is not stuck, and an approver need not keep the notices.

Any session will do (a sender's, an approver's, an admin's; password or SSO: the session
store is the console's, found as the console finds it, console.signed_in). The identity is
the session's login, an address. The pages live under /admin because the session cookie's
path is /admin; /me only points here.

Nothing here decides who may do what: a hold opens with the role the link pages would give
(an approver the hold names: approver; the mailbox it was sent from: sender; anyone else:
the same 404 as an unknown id), and it is shown and acted on by the link pages' own code
(Pages.hold_page, sender_decision.py; Approvals.page, decide, part_of), with the
record's CSRF token replaced by the session's. The audit rows are theirs: actor `sender` or
`approver:<address>`, as from the notice's link (statistics and the sender's history read
them so).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from inspectors.base import domain_of

from .admin.console import SESSION_COOKIE, read_form, signed_in
from .admin.sessions import Session, Sessions
from .approver_pages import asks
from .i18n import language
from .me_list import PAGE, mine, mine_count, owns, to_approve, to_approve_count
from .records import Link
from .rendering import headers
from .sender_decision import sender_decides, sender_fixes
from .sso.config import SsoSettings
from .web import Pages, allowed_actions

HOME = "/admin/me"
_DIGITS = re.compile(r"[0-9]{1,4}")
MAX_FORM = 256 * 1024  # a decision's form: a note, the ticks, a fix's choices


class MePages:
    def __init__(
        self,
        pages: Pages,
        sessions: Sessions,
        *,
        role_of: Callable[[str], str | None] | None = None,
        secure: bool = False,
        sso: SsoSettings | None = None,
    ) -> None:
        self.pages = pages
        self.store = pages.store
        self.sessions = sessions
        self.role_of = role_of  # the users' roles in force (console.signed_in ends a stale session)
        self.secure = secure
        self.sso = sso  # the sign-on in force (console.signed_in ends sessions whose way in closed)

    def routes(self) -> list[BaseRoute]:
        """Before the console's Mount: its catch-all would answer these paths otherwise."""
        return [
            Route("/me", self.moved, methods=["GET"]),
            Route(HOME, self.index, methods=["GET"]),
            Route(f"{HOME}/logout", self.logout, methods=["POST"]),
            Route(HOME + "/m/{hold_id}", self.entry, methods=["GET"]),
            Route(HOME + "/m/{hold_id}", self.act, methods=["POST"]),
            Route(HOME + "/m/{hold_id}/fix", self.fix, methods=["POST"]),
            Route(HOME + "/m/{hold_id}/part/{part}", self.part, methods=["GET"]),
        ]

    async def moved(self, request: Request) -> Response:
        return RedirectResponse(HOME, status_code=303, headers=headers())

    async def _session(self, request: Request) -> Session | None:
        return await signed_in(self.sessions, request, self.role_of, self.sso)

    def _to_login(self, request: Request) -> Response:
        target = "/admin/login"
        if request.method == "GET":
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target += "?next=" + quote(path, safe="")
        return RedirectResponse(target, status_code=303, headers=headers())

    def _unknown(self, request: Request, status: int = 404) -> Response:
        return self.pages.render("unknown.html", status=status, request=request, forbidden=status == 403)

    async def _hold(self, request: Request, session: Session) -> Link | None:
        """The hold the path names, as this session may see it; None when it is not his."""
        hold_id = request.path_params["hold_id"]
        record = await self.store.get(hold_id) if len(hold_id) <= 64 else None
        if record is None:
            return None
        if asks(record, session.login):
            role = "approver"
        elif owns(record, session.login):
            role = "sender"
        else:
            return None
        # The page's forms carry the session's CSRF token, checked here, never the hold's.
        return Link(record=replace(record, csrf=session.csrf), role=role, actor=session.login)

    async def index(self, request: Request) -> Response:
        session = await self._session(request)
        if session is None:
            return self._to_login(request)
        lang = language(request)
        page, apage = _number(request, "page"), _number(request, "apage")
        now = self.pages.clock()
        own = await mine(self.store, session.login, now, page)
        own_count = await mine_count(self.store, session.login, now)
        waiting = await to_approve(self.store, session.login, apage)
        waiting_count = await to_approve_count(self.store, session.login)
        return self.pages.render(
            "me.html",
            request=request,
            say=lambda ja, en: ja if lang == "ja" else en,
            login=session.login,
            csrf=session.csrf,
            own=own,
            own_pages=_pages(own_count),
            page=page,
            waiting=waiting,
            waiting_pages=_pages(waiting_count),
            apage=apage,
            waiting_count=waiting_count,
            home=HOME,
            domains=_domains,
        )

    async def entry(self, request: Request) -> Response:
        session = await self._session(request)
        if session is None:
            return self._to_login(request)
        link = await self._hold(request, session)
        if link is None:
            return self._unknown(request)
        return await self.pages.hold_page(request, link, me_home=HOME)

    async def act(self, request: Request) -> Response:
        """Release, cancel, send now; approve, reject: as the link's page does them."""
        try:
            posted = await self._posted(request)
            if isinstance(posted, Response):
                return posted
            link, form = posted
            if link.role == "approver":  # a rejection needs its reason: approver_pages.py
                return await self.pages.approvals.decide(request, link, form)
            return await sender_decides(
                self.pages,
                request,
                link.record,
                form,
                lambda e: self.pages.hold_page(request, link, e, me_home=HOME),
            )
        finally:
            await request.close()

    async def fix(self, request: Request) -> Response:
        """Fix, then send (the sender's page's fix forms post here)."""
        try:
            posted = await self._posted(request, "release")
            if isinstance(posted, Response):
                return posted
            link, form = posted
            if link.role != "sender":
                return self._unknown(request, 403)
            return await sender_fixes(
                self.pages,
                request,
                link.record,
                form,
                lambda e: self.pages.hold_page(request, link, e, me_home=HOME),
            )
        finally:
            await request.close()

    async def _posted(self, request: Request, action: str | None = None):
        """(link, form) of a POST by the hold's sender or approver carrying the session's
        CSRF token and an action the link pages allow that role; else the refusal."""
        session = await self._session(request)
        if session is None:
            return self._to_login(request)
        form = await read_form(request, max_files=0, max_fields=3000, max_part_size=MAX_FORM)
        if form is None:
            return self._unknown(request, 403)
        link = await self._hold(request, session)
        if link is None:
            return self._unknown(request)
        action = action or str(form.get("action", ""))
        if not session.csrf_ok(str(form.get("csrf", ""))) or action not in allowed_actions(
            link.record.kind, link.role
        ):
            return self._unknown(request, 403)
        return link, form

    async def part(self, request: Request) -> Response:
        """An attachment, for an approver of the hold (as his link's page opens them)."""
        session = await self._session(request)
        if session is None:
            return self._to_login(request)
        link = await self._hold(request, session)
        return await self.pages.approvals.part_of(
            request, link if link is not None and link.role == "approver" else None
        )

    async def logout(self, request: Request) -> Response:
        """A sender's way out (the console's logout is for admins' pages)."""
        session = await self._session(request)
        form = await read_form(request, max_files=0, max_fields=5, max_part_size=1024)
        if session is None or form is None or not session.csrf_ok(str(form.get("csrf", ""))):
            return self._unknown(request, 403)
        await self.sessions.close(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/admin/login", status_code=303, headers=headers())
        response.delete_cookie(
            SESSION_COOKIE, path="/admin", secure=self.secure, httponly=True, samesite="strict"
        )
        return response


def _number(request: Request, name: str) -> int:
    """A page number, 1 to 1000; anything else is page 1. ASCII digits only: str.isdigit()
    accepts '²' or '①', which int() refuses."""
    value = request.query_params.get(name, "1")
    return min(int(value), 1000) if _DIGITS.fullmatch(value) and int(value) > 0 else 1


def _domains(record) -> str:
    """The recipients' domains, not their addresses: what a list needs to tell mail apart."""
    seen = dict.fromkeys(domain_of(r) for r in record.rcpt_tos)
    shown = [d for d in seen if d][:3]
    return ", ".join(shown) + (f" +{len(seen) - len(shown)}" if len(seen) > len(shown) else "")


def _pages(count: int) -> int:
    return max(1, -(-count // PAGE))
