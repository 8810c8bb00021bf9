"""Logging in and out of the console.

The password check is the guard's copy of the users table (scrypt, handed in as `verify_login`:
a disabled account fails it like a wrong password); it runs in a
thread so a login does not stall the event loop, and only after the throttle (throttle.py)
has recorded the attempt and let it through. Every failure gets the same answer, 401 and the
same page: a wrong password, an unknown login, a throttled attempt; an attacker learns nothing
about which it was. Any account with its right password gets a session (issue 21): an admin
goes to the console, anyone else to /admin/me, his own messages (console.guarded keeps him out of
the console's pages). The login form carries its own CSRF token (a cookie and a hidden field
that must match), so no other site can log a browser into the console.

With OpenID Connect configured (quarantine/sso/) the page offers "Sign in with <name>";
with `sso.local_passwords: false` the password form is gone, and its POST is refused too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..sso.config import SsoSettings
from ..tokens import new_csrf, same
from .console import (
    LOGIN_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    Console,
    client_addr,
    landing,
    read_form,
    safe_next,
)
from .sessions import login_key
from .throttle import Attempt, Throttle

log = logging.getLogger("guard.admin")

MAX_LOGIN_FORM = 16 * 1024
VerifyLogin = Callable[[str, str], "str | None"]  # (login, password) -> role or None


class LoginPages:
    def __init__(
        self, console: Console, throttle: Throttle, verify_login: VerifyLogin, sso: SsoSettings | None = None
    ) -> None:
        self.console = console
        self.throttle = throttle
        self.verify_login = verify_login
        self.sso = sso
        self.passwords = sso is None or sso.local_passwords

    async def form(self, request: Request) -> Response:
        self.console.speak(request)
        token = request.cookies.get(LOGIN_COOKIE) or ""
        if not 20 <= len(token) <= 100:
            token = new_csrf()
        response = self._page(request, token)
        self.console.set_cookie(response, LOGIN_COOKIE, token, max_age=3600)
        return response

    async def submit(self, request: Request) -> Response:
        self.console.speak(request)
        if not self.passwords:  # sso.local_passwords: false: no password opens a session
            return self.console.refuse(404, "not_found")
        # Before anyone is logged in: a small form, no files.
        length = request.headers.get("content-length", "0")
        if not (length.isascii() and length.isdigit()) or int(length) > MAX_LOGIN_FORM:
            return self.console.refuse(400, "bad_request")
        form = await read_form(request, max_files=0, max_fields=10, max_part_size=MAX_LOGIN_FORM)
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        if form is None or not cookie or not same(str(form.get("csrf", "")), cookie):
            return self.console.refuse(403, "csrf")
        login = login_key(str(form.get("login", "")))
        password = str(form.get("password", ""))
        if not login or not password or len(password) > 1024:
            return self._page(request, cookie, status=401, failed=True, login=login)
        attempt = await self.throttle.begin(login, client_addr(request))
        if not attempt.allowed:
            return await self._failed(request, cookie, attempt, "admin_login_throttled")
        role = await run_in_threadpool(self.verify_login, login, password)
        if role is None:
            return await self._failed(request, cookie, attempt, "admin_login_failed")
        await self.throttle.end(attempt, succeeded=True)
        return await self._open(request, login, role, str(form.get("next", "")))

    async def logout(self, request: Request, session, form) -> Response:
        await self.console.sessions.close(request.cookies.get(SESSION_COOKIE))
        await self.console.record(session.actor, "admin_logout", request=request)
        response = self.console.redirect("/login")
        self.console.clear_cookie(response, SESSION_COOKIE)
        return response

    async def _failed(self, request: Request, token: str, attempt: Attempt, action: str) -> Response:
        login = attempt.login
        if attempt.allowed:
            await self.throttle.end(attempt, succeeded=False)
            # a login that is no address may be a password typed into the wrong field: not logged
            actor = f"admin:{login}" if "@" in login and " " not in login else "admin:?"
            await self.console.record(actor, action, request=request)
        else:
            # A refused try is in admin_login_attempts (for a day) and in the log, not one audit
            # row each: a guesser's knocking must not fill the audit log for a year.
            log.info("event=%s client=%s recorded=%d", action, attempt.client_addr, attempt.id is not None)
        return self._page(request, token, status=401, failed=True, login=login)

    async def _open(self, request: Request, login: str, role: str, target: str) -> Response:
        session_id, session = await self.console.sessions.open(login, role, client_addr(request))
        if role == "admin":
            await self.console.record(session.actor, "admin_login", request=request)
        else:
            await self.console.record(session.actor, "me_login", f"role={role}", request=request)
        response = self.console.redirect(landing(role, target).removeprefix(PREFIX))
        self.console.set_cookie(response, SESSION_COOKIE, session_id)
        self.console.clear_cookie(response, LOGIN_COOKIE)
        return response

    def _page(self, request: Request, token: str, status: int = 200, **context) -> Response:
        target = safe_next(request.query_params.get("next") or str(context.pop("next", "") or ""))
        return self.console.render(
            "login.html",
            status=status,
            csrf=token,
            next=target,
            session=None,
            sso=self.sso,
            passwords=self.passwords,
            **context,
        )
