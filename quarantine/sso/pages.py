"""The console's two sign-on addresses: /admin/sso/start sends the browser to the provider,
/admin/sso/callback takes its answer (OpenID Connect Core 1.0 §3.1, the authorization code
flow, with PKCE S256, RFC 7636).

The start page remembers the login in the database (logins.py: hashes only; the PKCE
code_verifier is derived from the browser's cookie, never stored) and ties it to this browser
with a cookie of its own, SameSite=Lax because the provider's redirect back is a cross-site
navigation (a Strict cookie would not come with it). The callback spends the state, exchanges
the code at the token endpoint with the code_verifier (client_secret_basic, RFC 6749 §2.3.1),
checks the ID token (id_token.py), maps the role from its claims and opens a session marked
'sso'. Its answer is a page that moves on by itself: the console's session cookie is
SameSite=Strict, and a browser still inside the provider's cross-site redirect chain would not
send it to the next page.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from html import escape

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..admin.console import PREFIX, SESSION_COOKIE, Console, client_addr, landing, safe_next
from ..rendering import headers
from ..tokens import new_token
from .config import SsoSettings
from .errors import SsoError
from .id_token import checked_claims
from .logins import TTL, SsoLogins
from .provider import Provider

log = logging.getLogger("guard.admin")

BROWSER_COOKIE = "mdg_sso"

# the browser's request was wrong (400), the guard or the provider cannot now (503), else 401
_STATUS = {
    "state": 400,
    "denied": 400,
    "busy": 503,
    "discovery_failed": 503,
    "token_failed": 503,
    "domain_not_allowed": 403,
}
_ADDRESS = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")


class SsoPages:
    def __init__(
        self,
        console: Console,
        sso: SsoSettings,
        public_url: str,
        *,
        provider: Provider | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.console = console
        self.sso = sso
        self.provider = provider or Provider(sso, clock=clock)
        self.logins = SsoLogins(console.store, clock=clock)
        self.redirect_uri = f"{public_url}{PREFIX}/sso/callback"
        self.clock = clock

    async def start(self, request: Request) -> Response:
        self.console.speak(request)
        try:
            endpoints = await self.provider.endpoints()
        except SsoError as exc:
            return self._failed(request, exc.code)
        browser = new_token()
        next_path = safe_next(request.query_params.get("next"))
        pending = await self.logins.begin(browser, next_path, client_addr(request))
        if pending is None:
            return self._failed(request, "busy")
        target = add_params_to_uri(
            endpoints.authorization,
            [
                ("response_type", "code"),
                ("client_id", self.sso.client_id),
                ("redirect_uri", self.redirect_uri),
                ("scope", " ".join(self.sso.scopes)),
                ("state", pending.state),
                ("nonce", pending.nonce),
                ("code_challenge", create_s256_code_challenge(pending.code_verifier)),
                ("code_challenge_method", "S256"),
            ],
        )
        response = RedirectResponse(target, status_code=303, headers=headers())
        response.set_cookie(
            BROWSER_COOKIE,
            browser,
            max_age=int(TTL),
            path=f"{PREFIX}/sso",
            secure=self.console.secure,
            httponly=True,
            samesite="lax",
        )
        return response

    async def callback(self, request: Request) -> Response:
        self.console.speak(request)
        query = request.query_params
        pending = await self.logins.take(query.get("state", ""), request.cookies.get(BROWSER_COOKIE, ""))
        if pending is None:
            return self._failed(request, "state")
        if "error" in query or not query.get("code"):
            return self._failed(request, "denied")  # the person cancelled, or the provider refused
        try:
            # RFC 9207 §2.4: a provider that names itself in the answer must name the right
            # issuer, and one that says it always does (its discovery document) must have (a
            # mix-up attack sends another provider's code here).
            endpoints = await self.provider.endpoints()
            if ("iss" in query or endpoints.iss_parameter) and query.get("iss") != self.sso.issuer:
                raise SsoError("bad_issuer")
            claims = await self._claims(query["code"], pending.code_verifier, pending.nonce_hash)
            login = _login(claims.get(self.sso.login_claim))
            if not self.sso.allows(login):
                raise SsoError("domain_not_allowed")  # a guest, or an account outside the company
        except SsoError as exc:
            return self._failed(request, exc.code)
        if self.sso.roles_elsewhere(claims):
            # Entra ID's groups overage: the groups are not in the token; read as a sender
            log.warning("event=sso_groups_overage client=%s", client_addr(request))
        role = self.sso.role_for(claims)
        session_id, session = await self.console.sessions.open(login, role, client_addr(request), "sso")
        await self.console.record(session.actor, "sso_login", f"role={role}", request=request)
        response = _moving_on(landing(role, pending.next))
        self.console.set_cookie(response, SESSION_COOKIE, session_id)
        response.delete_cookie(
            BROWSER_COOKIE, path=f"{PREFIX}/sso", secure=self.console.secure, httponly=True
        )
        return response

    async def _claims(self, code: str, verifier: str, nonce_hash: str) -> dict:
        endpoints = await self.provider.endpoints()
        form = {
            "grant_type": "authorization_code",
            "code": code[:2000],
            "redirect_uri": self.redirect_uri,
            "code_verifier": verifier,
        }
        if not self.sso.client_secret:
            form["client_id"] = self.sso.client_id  # a public client names itself (RFC 6749 §4.1.3)
        try:
            async with self.provider.client() as http:
                if self.sso.client_secret:
                    auth = httpx.BasicAuth(self.sso.client_id, self.sso.client_secret)
                    reply = await http.post(endpoints.token, data=form, auth=auth)
                else:
                    reply = await http.post(endpoints.token, data=form)
            answer = reply.json()
        except (httpx.HTTPError, ValueError):
            raise SsoError("token_failed") from None  # the provider unreachable or not speaking JSON
        if reply.status_code != 200 or not isinstance(answer, dict) or "id_token" not in answer:
            raise SsoError("token_refused")  # RFC 6749 §5.2: a code bad, spent or expired
        return await checked_claims(
            answer["id_token"],
            sso=self.sso,
            provider=self.provider,
            algorithms=endpoints.algorithms,
            nonce_hash=nonce_hash,
            now=self.clock(),
        )

    def _failed(self, request: Request, code: str) -> Response:
        log.info("event=sso_login_failed error=%s client=%s", code, client_addr(request))
        return self.console.render(
            "refused.html",
            status=_STATUS.get(code, 401),
            reason="sso",
            code=code,
            session=None,
        )


def _login(value: object) -> str:
    """The login claim as the session's login: an address, lower-case."""
    if not isinstance(value, str) or not _ADDRESS.match(value.strip()) or any(ord(c) < 32 for c in value):
        raise SsoError("no_login")
    return value.strip().lower()


def _moving_on(target: str) -> HTMLResponse:
    url = escape(f"{PREFIX}{target.removeprefix(PREFIX)}" if target.startswith(PREFIX) else target)
    html = (
        f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={url}">'
        f'<title>…</title><p><a href="{url}">→</a></p>'
    )
    return HTMLResponse(html, headers=headers())
