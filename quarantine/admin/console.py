"""What every console page shares: templates, the security headers, the session check,
the CSRF check on every POST, and the audit rows of admin actions.

A page handler is `async (request, session, form) -> Response`; `guarded()` turns it into a
Starlette endpoint that lets only a logged-in admin in: no session -> the login page; a
session whose role is not admin -> /admin/me (his own messages); a POST without the session's CSRF
token -> 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import tzinfo
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import trail
from ..explain import sentence
from ..i18n import ACTIONS, LANGS, action_label, language
from ..rendering import environment, headers
from ..sso.config import SsoSettings
from ..store import Store
from .sessions import Session, Sessions

PREFIX = "/admin"
ME = f"{PREFIX}/me"  # where a signed-in person who is no admin goes: his own messages (issue 21)
SESSION_COOKIE = "mdg_admin"
LOGIN_COOKIE = "mdg_admin_login"  # the login form's CSRF token (double submit)
MAX_FORM_PART = 2 * 1024 * 1024  # a rules file or a CSV pasted into a field

LANG_COOKIE = "mdg_lang"  # the language a ?lang= link chose: not a secret, kept across pages

Handler = Callable[[Request, Session, FormData | None], Awaitable[Response]]

# The language of the request being answered: set once where a request comes in (`speak`),
# read by `render`, so that no handler passes it along.
_LANG: ContextVar[tuple[str, bool]] = ContextVar("admin_lang", default=("ja", False))


def current_language() -> str:
    """The language of the console page being answered ("ja" or "en"), for the words a
    handler makes in Python (errors, chart labels): the same one `render` uses."""
    return _LANG.get()[0]


def say(ja: str, en: str) -> str:
    """A handler's words in the page's language, as templates write say("…", "…")."""
    return ja if current_language() == "ja" else en


def client_addr(request: Request) -> str | None:
    return request.client.host if request.client else None


def _rate(r: float | None) -> str:
    return "—" if r is None else f"{r * 100:.0f}%"


class Console:
    def __init__(
        self,
        *,
        store: Store,
        sessions: Sessions,
        secure: bool,
        zone: tzinfo | None = None,
        role_of: Callable[[str], str | None] | None = None,
        sso: SsoSettings | None = None,
    ) -> None:
        self.store = store
        self.sso = sso  # the sign-on in force: which sessions' ways in are still open
        # The account's role in force now (UserCache.role_of): a session outlives no demotion
        # or disabling, on any instance, by more than the users' refresh (issue 20).
        self.role_of = role_of
        self.sessions = sessions
        self.secure = secure
        self.zone = zone  # web.timezone: the console's times (and the audit CSV's) are written in it
        self.env = environment(
            zone,
            rate=_rate,
            # What the sender was told
            said=lambda finding: sentence(finding, "ja"),
            # An audit row's action as the sender's page words it (i18n.ACTIONS), under its name
            worded=lambda action: action_label(action, "ja") if action in ACTIONS else "",
        )

    @staticmethod
    def speak(request: Request) -> str:
        """The language of this request's pages: ?lang=, then the cookie a ?lang= link set,
        then Accept-Language; Japanese by default."""
        chosen = request.query_params.get("lang", "")
        cookie = request.cookies.get(LANG_COOKIE, "")
        lang = chosen if chosen in LANGS else cookie if cookie in LANGS else language(request)
        _LANG.set((lang, chosen in LANGS and chosen != cookie))
        return lang

    def render(self, name: str, status: int = 200, **context) -> HTMLResponse:
        lang, chosen = _LANG.get()
        html = self.env.get_template(f"admin/{name}").render(
            prefix=PREFIX,
            lang=lang,
            # say("メール", "Messages"): the page's words in its language, written side by side
            say=lambda ja, en: ja if lang == "ja" else en,
            **context,
        )
        response = HTMLResponse(html, status_code=status, headers=headers())
        if chosen:
            response.set_cookie(LANG_COOKIE, lang, path=PREFIX, secure=self.secure, samesite="lax")
        return response

    def refuse(self, status: int, reason: str, session: Session | None = None, **context) -> HTMLResponse:
        """403 (csrf, role), 404 (not_found), 400 (bad_request)."""
        return self.render("refused.html", status=status, reason=reason, session=session, **context)

    def redirect(self, path: str) -> RedirectResponse:
        """Post/Redirect/Get: after a change, the page shows it and a reload does nothing."""
        return RedirectResponse(f"{PREFIX}{path}", status_code=303, headers=headers())

    def set_cookie(self, response: Response, name: str, value: str, max_age: int | None = None) -> None:
        response.set_cookie(
            name, value, max_age=max_age, path=PREFIX, secure=self.secure, httponly=True, samesite="strict"
        )

    def clear_cookie(self, response: Response, name: str) -> None:
        response.delete_cookie(name, path=PREFIX, secure=self.secure, httponly=True, samesite="strict")

    def guarded(self, handler: Handler, *, anyone: bool = False) -> Callable[[Request], Awaitable[Response]]:
        """`anyone`: every signed-in person, not only admins (logging out: a sender on /admin/me too)."""

        async def endpoint(request: Request) -> Response:
            self.speak(request)
            session = await signed_in(self.sessions, request, self.role_of, self.sso)
            if session is None:
                return self._to_login(request)
            if session.role != "admin" and not anyone:
                # a sender or an approver signed in: his own page, not the console (issue 21)
                return RedirectResponse(ME, status_code=303, headers=headers())
            if request.method != "POST":
                return await handler(request, session, None)
            form = await read_form(request, max_part_size=MAX_FORM_PART)
            if form is None:
                return self.refuse(400, "bad_request", session)
            try:
                if not session.csrf_ok(str(form.get("csrf", ""))):
                    return self.refuse(403, "csrf", session)
                return await handler(request, session, form)
            finally:
                await form.close()  # an uploaded file is spooled to disk: not left to the collector

        endpoint.__name__ = handler.__name__
        return endpoint

    def _to_login(self, request: Request) -> Response:
        target = f"{PREFIX}/login"
        if request.method == "GET":
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target += "?next=" + quote(path, safe="")
        return RedirectResponse(target, status_code=303, headers=headers())

    async def record(
        self,
        actor: str,
        action: str,
        detail: str = "",
        *,
        request: Request | None = None,
        message_id: str | None = None,
    ) -> None:
        """An audit row for an admin action: codes and counts only, never personal data."""
        addr = client_addr(request) if request else None
        async with self.store.writing() as conn:
            await trail.record(conn, message_id, actor[:300], addr, action[:32], detail[:500])


async def signed_in(
    sessions: Sessions,
    request: Request,
    role_of: Callable[[str], str | None] | None,
    sso: SsoSettings | None = None,
) -> Session | None:
    """The live session behind the request's cookie, or None. A password session whose account
    no longer has the session's role in force (demoted, disabled: role_of, the users' copy) is
    ended here: the console's pages and a sender's own (/admin/me) ask the same question. An SSO
    session's role is the one its provider's claims mapped at sign-in (issue 21): the users
    table does not know that person, so it is not asked.

    A session also ends when the way it came in is closed now (`sso`, the sign-on in force): an
    SSO session once no `sso:` is configured (the provider given up, or compromised), a password
    session once `sso.local_passwords: false` — not up to 12 hours later."""
    cookie = request.cookies.get(SESSION_COOKIE)
    session = await sessions.find(cookie)
    if session is None:
        return None
    if session.source == "sso":
        stale = sso is None
    else:
        stale = (sso is not None and not sso.local_passwords) or bool(
            role_of and role_of(session.login) != session.role
        )
    if stale:
        await sessions.close(cookie)
        return None
    return session


async def read_form(request: Request, **limits) -> FormData | None:
    """The posted form, or None when it cannot be read (too large, malformed multipart)."""
    try:
        return await request.form(**limits)
    except HTTPException:
        return None


def safe_next(target: str | None) -> str:
    """Where to go after login: only a path inside the console (no open redirect)."""
    if (
        not target
        or not target.startswith(f"{PREFIX}/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return f"{PREFIX}/messages"
    return target


def landing(role: str, target: str | None) -> str:
    """Where a person goes once signed in (password or sign-on): an admin where he was going in
    the console; anyone else to his own page, or to the part of it he was going to."""
    path = safe_next(target)
    if role == "admin":
        return path
    return path if path == ME or path.startswith((f"{ME}/", f"{ME}?")) else ME
