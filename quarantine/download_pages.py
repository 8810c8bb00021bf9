"""The external recipient's pages of an attachment link (issue 19): /d/{token}.

GET shows the share (sender, subject, files, sizes, expiry, downloads left) and changes
nothing: mail scanners open every link, so a GET never sends a code and never counts. The
recipient asks for a code (POST .../code: mailed to the link's own address), enters it (POST
.../verify) and gets a session cookie; each download is a POST .../file/{n} with it.

CSRF: a double-submit cookie. GET sets a random `csrf` cookie (SameSite=Strict, HttpOnly,
Path=/d/{token}) and writes the same value in its forms; a POST is taken only when both are
there and equal. A hold's CSRF value lives in its row, but a share's recipient has none, and
an HMAC of the token would need a server secret the guard does not keep (instances share only
the database, and a secret at rest there protects nothing). A foreign site can neither read the
cookie nor make the browser send it (Strict), so its forged POST carries no pair.

A revoked, expired or purged link's page says only that: no file name, no subject, no sender.
A code belongs to the browser that asked for it: the code request sets a random `nonce`
cookie (SameSite=Strict, HttpOnly, Path=/d/{token}, 10 minutes) whose hash keys the code
(share_codes.py): whoever else holds the link cannot burn or lock the recipient's own code.
Every form is read with bounds before any database work (download_forms.py).

Nothing here logs an address, a file name or a code; Shares writes the audit rows.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from . import outbound
from .download_drafts import CODE_MINUTES, code_draft, first_download_draft
from .download_forms import code_value, read_form
from .download_reply import file_response, masked, set_cookie, size_text
from .rendering import headers
from .share_codes import CODE_LIFETIME, SESSION_LIFETIME
from .share_records import REVOKED, RecipientLink
from .tokens import token_hash

if TYPE_CHECKING:
    from .web import Pages

CSRF, SESSION, NONCE = "csrf", "session", "nonce"  # the cookies (Path keeps them to one link)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")  # tokens.new_token's alphabet
_COOKIE = re.compile(r"[A-Za-z0-9_-]{20,64}")
_FILE_N = re.compile(r"[1-9][0-9]{0,3}")


class DownloadPages:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.store = pages.store
        self.policy = pages.quarantine.policy  # public_url, notice_from/name, zone
        self.secure = self.policy.public_url.startswith("https://")

    def routes(self) -> list[Route]:
        return [
            Route("/d/{token}", self.show, methods=["GET"]),
            Route("/d/{token}/code", self.ask_code, methods=["POST"]),
            Route("/d/{token}/verify", self.verify, methods=["POST"]),
            Route("/d/{token}/file/{n}", self.download, methods=["POST"]),
            # A reload or a bookmark of where a POST answered lands on the page itself.
            Route("/d/{token}/code", self.back, methods=["GET"]),
            Route("/d/{token}/verify", self.back, methods=["GET"]),
            Route("/d/{token}/file/{n}", self.back, methods=["GET"]),
        ]

    async def show(self, request: Request) -> Response:
        link = await self._link(request)
        if link is None:
            return self._gone(request, "unknown", 404)
        now = self.pages.clock()
        if not link.share.live(now):
            return self._dead(request, link)
        verified = await self._session_ok(request, link, now)
        csrf = self._csrf_cookie(request) or secrets.token_urlsafe(24)
        response = self._render("download.html", request, link, csrf, verified=verified)
        set_cookie(response, CSRF, csrf, request.path_params["token"], None, self.secure)
        return response

    async def back(self, request: Request) -> Response:
        return RedirectResponse(self._page_url(request), status_code=303, headers=headers())

    async def ask_code(self, request: Request) -> Response:
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        link, _form, csrf = posted
        share, now = link.share, self.pages.clock()
        nonce = self._cookie(request, NONCE) or secrets.token_urlsafe(24)
        browser = token_hash(nonce)
        draft = code_draft(self.policy, share, link.address, browser)
        outcome = await self.store.shares.request_code(
            share.id, link.address, now, draft, browser=browser, client_addr=_client(request)
        )
        if outcome == "too_many":
            return self._gone(request, "too_many", 429, token=True)
        if outcome == "stopped":
            return self._gone(request, "stopped", 403, token=True)
        if outcome != "queued":
            return await self._reread(request, link)
        self.pages.on_queued()  # the worker mints the code and mails it now
        response = self._render("download_code.html", request, link, csrf, sent=True)
        set_cookie(response, NONCE, nonce, request.path_params["token"], int(CODE_LIFETIME), self.secure)
        return response

    async def verify(self, request: Request) -> Response:
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        link, form, csrf = posted
        code = code_value(form.get("code"))
        if code is None:  # not a code at all: said at once, not counted as an attempt
            return self._render("download_code.html", request, link, csrf, status=400, error="bad_format")
        nonce = self._cookie(request, NONCE)
        if nonce is None:  # this browser asked for no code (or 10 minutes ago)
            return self._render("download_code.html", request, link, csrf, status=400, error="no_code_yet")
        share, now, browser = link.share, self.pages.clock(), token_hash(nonce)
        session = secrets.token_urlsafe(32)
        outcome = await self.store.shares.check_code(
            share.id, link.address, code, now, session, browser=browser, client_addr=_client(request)
        )
        if outcome == "ok":
            response = RedirectResponse(self._page_url(request), status_code=303, headers=headers())
            set_cookie(
                response,
                SESSION,
                session,
                request.path_params["token"],
                int(SESSION_LIFETIME),
                self.secure,
                samesite="lax",
            )
            return response
        if outcome == "stopped":
            return self._gone(request, "stopped", 403, token=True)
        if outcome == "wrong":
            left = await self.store.shares.codes_left(share.id, link.address, browser)
            error = "wrong" if left > 0 else "locked"
            return self._render("download_code.html", request, link, csrf, status=400, error=error, left=left)
        errors = {"expired": "code_expired", "locked": "locked"}
        return self._render(
            "download_code.html", request, link, csrf, status=400, error=errors.get(outcome, "no_code_yet")
        )

    async def download(self, request: Request) -> Response:
        if not _FILE_N.fullmatch(request.path_params["n"]):
            return self._gone(request, "unknown", 404)
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        link, _form, _csrf = posted
        now = self.pages.clock()
        if not await self._session_ok(request, link, now):
            return self._gone(request, "not_verified", 403, token=True)
        n, share = int(request.path_params["n"]), link.share
        outcome, info, data, first = await self.store.shares.download(
            share.id, link.address, n, _client(request), now
        )
        if outcome == "limit":
            return self._gone(request, "limit", 403, token=True)
        if outcome == "no_file":
            return self._gone(request, "unknown", 404)
        if outcome != "ok" or info is None or data is None:
            return await self._reread(request, link)
        if first and share.notify and share.mail_from:
            await self._first_download(share.id, link, info.name, now)
        return file_response(info.name, data)

    async def _link(self, request: Request) -> RecipientLink | None:
        token = request.path_params["token"]
        if not _TOKEN.fullmatch(token):
            return None
        return await self.store.shares.by_token(token, self.pages.clock())

    async def _posted(self, request: Request) -> tuple[RecipientLink, FormData, str] | Response:
        """The link, the form and its CSRF value of a POST whose form and cookie agree; else
        the page that refuses it (413 too large, 400 not our form, 403 no CSRF pair, 404
        unknown, 410 no longer live). The form is read, bounded, before the database."""
        try:
            if not _TOKEN.fullmatch(request.path_params["token"]):
                return self._gone(request, "unknown", 404)
            form = await read_form(request)
            if isinstance(form, int):
                return self._gone(request, "refused", form, token=True)
            link = await self._link(request)
            if link is None:
                return self._gone(request, "unknown", 404)
            if not link.share.live(self.pages.clock()):
                return self._dead(request, link)
            cookie, field = self._csrf_cookie(request), form.get("csrf")
            if not cookie or not isinstance(field, str) or not secrets.compare_digest(cookie, field):
                return self._gone(request, "refused", 403, token=True)
            return link, form, cookie
        finally:
            await request.close()

    async def _reread(self, request: Request, link: RecipientLink) -> Response:
        """The share stopped being live between the page and the POST: say how, read anew."""
        return self._dead(request, await self._link(request) or link)

    def _dead(self, request: Request, link: RecipientLink) -> Response:
        return self._gone(request, "revoked" if link.share.state == REVOKED else "expired", 410)

    def _gone(self, request: Request, what: str, status: int, token: bool = False) -> Response:
        """A page that says one thing, nothing about the files; `token`: with a way back."""
        back = self._page_url(request) if token else None
        page = f"/d/{request.path_params['token']}" if token else None
        return self.pages.render(
            "download_gone.html", status=status, request=request, what=what, back=back, page=page
        )

    def _render(
        self, name: str, request: Request, link: RecipientLink, csrf: str, status: int = 200, **context
    ) -> Response:
        return self.pages.render(
            name,
            status=status,
            request=request,
            share=link.share,
            link=link,
            csrf=csrf,
            base=f"/d/{request.path_params['token']}",
            masked=masked(link.address),
            minutes=CODE_MINUTES,
            size_text=size_text,
            **context,
        )

    def _page_url(self, request: Request) -> str:
        lang = request.query_params.get("lang")
        query = f"?lang={lang}" if lang in ("ja", "en") else ""
        return f"/d/{request.path_params['token']}{query}"

    def _csrf_cookie(self, request: Request) -> str | None:
        return self._cookie(request, CSRF)

    def _cookie(self, request: Request, name: str) -> str | None:
        value = request.cookies.get(name, "")
        return value if _COOKIE.fullmatch(value) else None

    async def _session_ok(self, request: Request, link: RecipientLink, now: float) -> bool:
        value = request.cookies.get(SESSION, "")
        if not _COOKIE.fullmatch(value):
            return False
        return await self.store.shares.session_ok(link.share.id, link.address, value, now)

    async def _first_download(self, share_id: str, link: RecipientLink, file_name: str, now: float) -> None:
        """The sender asked to hear of the share's first download (LinkTerms.notify): queued
        after the download's own transaction; a crash between them loses only this notice."""
        draft = first_download_draft(self.policy, link.share, link.address, file_name, now)
        async with self.store.writing() as conn:
            await outbound.enqueue_notice(conn, share_id, draft, now)
        self.pages.on_queued()


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None
