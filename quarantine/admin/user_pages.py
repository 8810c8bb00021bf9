"""The users page (issue 20): accounts and roles, kept in the database, changed by an admin.

Listing, adding an account, changing its role, disabling or enabling it (disabling asks first:
the second POST carries confirm=1), and resetting its password to one the admin types. An admin
cannot disable or demote himself, and must still be an enabled admin in the database when the
change is made (not only in this instance's copy: UserStore's NotAnAdmin), so two admins
demoting each other leave one: the console would lock its last admin out. A password reset ends that account's open sessions. Each change is an
audit row naming the admin (the actor), the action and the account (an account name, not
personal data in the trail's sense); never a password. The change is the database's: this
instance reloads at once (on_changed), the others within seconds (quarantine/user_cache.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..passwords import ROLES, hash_password, login_problem, password_problem
from ..user_store import NotAnAdmin, UserConflict, UserStore
from .console import Console, say
from .sessions import login_key

DONE = ("added", "role", "disabled", "enabled", "password")


class UserPages:
    def __init__(self, console: Console, users: UserStore, on_changed: Callable[[], Awaitable[None]]) -> None:
        self.console = console
        self.users = users
        self.on_changed = on_changed

    async def index(self, request: Request, session, form) -> Response:
        done = request.query_params.get("done", "")
        return await self._page(session, done=done if done in DONE else "")

    async def add(self, request: Request, session, form) -> Response:
        login = str(form.get("login", "")).strip().lower()  # not cut short: too long is refused
        role = str(form.get("role", ""))
        password = str(form.get("password", ""))
        problem = login_problem(login) or (None if role in ROLES else "role") or password_problem(password)
        if problem:
            return await self._page(
                session, status=422, error=_words(problem), typed={"login": login, "role": role}
            )
        try:
            await self.users.add(login, await run_in_threadpool(hash_password, password), role)
        except UserConflict:
            return await self._page(
                session, status=422, error=_words("taken"), typed={"login": login, "role": role}
            )
        return await self._done(request, session, "user_added", login, f"role={role}", "added")

    async def change(self, request: Request, session, form) -> Response:
        try:
            return await self._change(request, session, form)
        except NotAnAdmin:  # demoted or disabled meanwhile, on another instance: nothing changed
            return await self._page(session, status=403, error=_words("not_admin"))

    async def _change(self, request: Request, session, form) -> Response:
        login = login_key(str(form.get("login", "")))
        action = str(form.get("action", ""))
        # Any login on the list (an imported file's may be no address): looked up, never parsed.
        account = await self.users.account(login) if login else None
        if account is None:
            return self.console.refuse(404, "not_found", session)
        if action in ("role", "disable") and login == session.login:
            return await self._page(session, status=422, error=_words("self"))
        if action == "role":
            role = str(form.get("role", ""))
            if role not in ROLES:
                return self.console.refuse(400, "bad_request", session)
            await self.users.set_role(login, role, actor=session.login)
            return await self._done(request, session, "user_role", login, f"role={role}", "role")
        if action == "disable":
            if form.get("confirm") != "1":
                return self.console.render("user_confirm.html", session=session, nav="users", account=account)
            await self.users.set_disabled(login, True, actor=session.login)
            return await self._done(request, session, "user_disabled", login, "", "disabled")
        if action == "enable":
            await self.users.set_disabled(login, False, actor=session.login)
            return await self._done(request, session, "user_enabled", login, "", "enabled")
        if action == "password":
            problem = password_problem(str(form.get("password", "")))
            if problem:
                return await self._page(session, status=422, error=_words(problem))
            await self.users.set_password(
                login, await run_in_threadpool(hash_password, str(form["password"])), actor=session.login
            )
            return await self._done(request, session, "user_password", login, "", "password")
        return self.console.refuse(400, "bad_request", session)

    async def _done(
        self, request: Request, session, action: str, login: str, detail: str, done: str
    ) -> Response:
        await self.console.record(session.actor, action, f"login={login} {detail}".strip(), request=request)
        await self.on_changed()
        return self.console.redirect(f"/users?done={done}")

    async def _page(self, session, status: int = 200, **context) -> Response:
        return self.console.render(
            "users.html",
            status=status,
            session=session,
            nav="users",
            accounts=await self.users.accounts(),
            **context,
        )


def _words(problem: str) -> str:
    return {
        "login": say(
            "ログインIDはメールアドレスで入力してください（「:」や空白は使えません）。",
            "The login must be an email address (no ':' and no spaces).",
        ),
        "role": say("権限を選んでください。", "Choose a role."),
        "password_short": say(
            "パスワードは8文字以上にしてください。", "The password must have at least 8 characters."
        ),
        "password": say(
            "パスワードが長すぎるか、使えない文字を含んでいます。",
            "The password is too long or has characters that cannot be used.",
        ),
        "taken": say(
            "このログインIDはすでに登録されています（無効のユーザーも含みます）。",
            "This login is already an account (disabled ones included).",
        ),
        "self": say(
            "自分自身のアカウントを無効にしたり、権限を変えたりすることはできません。",
            "You cannot disable your own account or change its role.",
        ),
        "not_admin": say(
            "あなたのアカウントは、もう有効な管理者ではありません。",
            "Your account is no longer an enabled admin.",
        ),
    }[problem]
