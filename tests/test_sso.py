"""Sign-on with OpenID Connect against a real provider (tests/oidc_provider.py: panva's
oidc-provider under node): the code flow with PKCE through the provider's own login and consent
forms, roles from the `groups` claim, and the attacks — a state missing, replayed or carried to
another browser, ID tokens for another audience, from another issuer, with an old nonce,
expired, signed with a key the provider never published, `alg: none` and HMAC — plus `next`
pointing off-site, a person mapped to no role knocking on /admin, `local_passwords: false`,
and one whole sign-on in Chromium.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import text

from quarantine.sso.config import SsoSettings
from quarantine.sso.errors import SsoError
from quarantine.sso.id_token import checked_claims
from quarantine.sso.provider import Provider
from quarantine.tokens import token_hash

from .admin_console import ADMIN, ADMIN_PW, SENDER, SENDER_PW
from .admin_server import Server
from .oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_ID,
    OTHER_SECRET,
    OidcProvider,
    provider_leg,
    sign_in,
)
from .page_words import english_words

pytestmark = pytest.mark.process

REFRESH = re.compile(r'http-equiv="refresh" content="0;url=([^"]+)"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def settings(issuer: str, **kw) -> SsoSettings:
    return SsoSettings(
        name="Keycloak",
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        roles=(("admin", ("mdg-admins",)), ("approver", ("mdg-approvers",))),
        allowed_domains=("example.co.jp",),
        **kw,
    )


class SsoServer(Server):
    def __init__(self, tmp_path, sso: SsoSettings, port: int | None = None) -> None:
        super().__init__(tmp_path)
        self.port = port or self.port
        self.sso = sso

    def options(self) -> dict:
        return {"sso": self.sso}

    async def seed(self) -> None:
        pass

    def sql(self, statement: str) -> list:
        async def go():
            async with self.store.engine.begin() as conn:
                return (await conn.execute(text(statement))).all()

        return asyncio.run_coroutine_threadsafe(go(), self.loop).result(10)


@pytest.fixture(scope="module")
def guard(provider, guard_port, tmp_path_factory):
    with SsoServer(tmp_path_factory.mktemp("sso"), settings(provider.issuer), guard_port) as server:
        yield server


@pytest.fixture
def browser_client(guard):
    with httpx.Client(base_url=guard.url, follow_redirects=False, timeout=10) as client:
        yield client


def run(coroutine_fn):
    """A coroutine on a loop of its own thread: Playwright's sync API (the Chromium test of this
    module) keeps an event loop running on the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine_fn()).result()


def landed(reply: httpx.Response) -> str:
    """Where the callback's page moves the browser on to."""
    assert reply.status_code == 200, (reply.status_code, reply.text[:300])
    return unescape(REFRESH.search(reply.text).group(1))


def test_an_admin_signs_in_with_pkce_and_reaches_the_console(guard, provider, browser_client):
    start = browser_client.get("/admin/sso/start?next=/admin/rules")
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert "code_verifier" not in start.headers["location"]
    back = provider_leg(browser_client, provider, start.headers["location"], "boss@example.co.jp")
    reply = browser_client.get(back)
    assert landed(reply) == "/admin/rules"
    assert browser_client.get("/admin/rules").status_code == 200
    rows = guard.sql("SELECT login, role, source FROM admin_sessions")
    assert ("boss@example.co.jp", "admin", "sso") in rows  # the claim's address, lower-case
    audit = guard.sql("SELECT actor, action, detail FROM audit_log WHERE action = 'sso_login'")
    assert ("admin:boss@example.co.jp", "sso_login", "role=admin") in audit
    assert not any("eyJ" in str(row) for row in guard.sql("SELECT * FROM audit_log"))  # never a token
    assert guard.sql("SELECT count(*) FROM sso_logins") == [(0,)]  # the state is spent


def test_a_sender_and_an_approver_go_to_me_and_never_into_the_console(guard, provider, browser_client):
    assert landed(sign_in(browser_client, provider, "taro@example.co.jp", "/admin/rules")) == "/admin/me"
    reply = browser_client.get("/admin/messages")
    assert reply.status_code == 303 and reply.headers["location"] == "/admin/me"
    assert browser_client.post("/admin/rules/save", data={"csrf": "x"}).headers["location"] == "/admin/me"
    with httpx.Client(base_url=guard.url, follow_redirects=False, timeout=10) as other:
        # back to the part of his own page he was going to, never into the console
        assert landed(sign_in(other, provider, "kacho@example.co.jp", "/admin/me/m/Q1")) == "/admin/me/m/Q1"
    roles = dict(guard.sql("SELECT login, role FROM admin_sessions WHERE source = 'sso'"))
    assert roles["taro@example.co.jp"] == "sender" and roles["kacho@example.co.jp"] == "approver"
    # a sender can log out (the form on /admin/me carries his session's CSRF token)
    [(csrf,)] = guard.sql("SELECT csrf FROM admin_sessions WHERE login = 'taro@example.co.jp'")
    assert browser_client.post("/admin/logout", data={"csrf": csrf}).headers["location"] == "/admin/login"
    assert not guard.sql("SELECT 1 FROM admin_sessions WHERE login = 'taro@example.co.jp'")


def test_the_state_is_single_use_and_bound_to_the_browser_that_began(guard, provider, browser_client):
    start = browser_client.get("/admin/sso/start")
    back = provider_leg(browser_client, provider, start.headers["location"], "boss@example.co.jp")
    # an attacker's callback address carried into the victim's browser (login CSRF)
    with httpx.Client(base_url=guard.url, follow_redirects=False, timeout=10) as victim:
        stolen = victim.get(back)
        assert stolen.status_code == 400 and "mdg_admin" not in stolen.cookies
    # the state was spent by that try: its own browser cannot finish it either
    assert browser_client.get(back).status_code == 400
    # a whole good sign-on, then its callback replayed
    start = browser_client.get("/admin/sso/start")
    back = provider_leg(browser_client, provider, start.headers["location"], "boss@example.co.jp")
    assert landed(browser_client.get(back))
    assert browser_client.get(back).status_code == 400
    # no state at all, a made-up one, an error from the provider
    assert browser_client.get("/admin/sso/callback?code=abc").status_code == 400
    assert browser_client.get("/admin/sso/callback?code=abc&state=" + "A" * 43).status_code == 400
    assert browser_client.get("/admin/sso/callback?error=access_denied").status_code == 400


def test_a_code_from_a_mixed_up_issuer_and_an_unverified_address_are_refused(guard, provider, browser_client):
    start = browser_client.get("/admin/sso/start")
    back = provider_leg(browser_client, provider, start.headers["location"], "boss@example.co.jp")
    forged = back.replace(
        f"iss={provider.issuer.replace(':', '%3A').replace('/', '%2F')}", "iss=https%3A%2F%2Fevil.example"
    )
    assert forged != back
    assert browser_client.get(forged).status_code == 401
    reply = sign_in(browser_client, provider, "unverified@example.co.jp")
    assert reply.status_code == 401 and "mdg_admin" not in reply.cookies
    assert not guard.sql("SELECT 1 FROM admin_sessions WHERE login LIKE 'unverified%'")


def test_next_pointing_off_site_stays_in_the_console(provider, browser_client):
    for target in ("https://evil.example/", "//evil.example/admin/", "/admin/\\evil", "/me/../admin"):
        assert landed(sign_in(browser_client, provider, "boss@example.co.jp", target)).startswith("/admin/")


def test_the_login_page_offers_the_provider(browser_client):
    ja = browser_client.get("/admin/login").text
    assert "Keycloak でサインイン" in ja and 'name="password"' in ja
    assert english_words(ja, allow=("Keycloak",)) == []
    failed = browser_client.get("/admin/sso/callback?state=x")
    assert (
        failed.status_code == 400
        and english_words(failed.text) == []
        and "サインインできませんでした" in failed.text
    )
    assert "Sign in with Keycloak" in browser_client.get("/admin/login?lang=en").text


# --- ID tokens the provider's token endpoint never gave the guard -----------------------------


def _token_for(provider: OidcProvider, port: int, client_id: str, secret: str, nonce: str) -> str:
    """A real ID token from the provider, for `client_id`, through its own forms."""
    verifier = "v" * 50

    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect = f"http://127.0.0.1:{port}/admin/sso/callback"
    url = str(
        httpx.URL(
            f"{provider.issuer}/auth",
            params={
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": redirect,
                "scope": "openid email profile",
                "state": "s" * 20,
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
    )
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        back = provider.authorize(browser, url, "boss@example.co.jp", redirect)
    code = parse_qs(urlsplit(back).query)["code"][0]
    answer = httpx.post(
        f"{provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "code_verifier": verifier,
        },
        auth=(client_id, secret),
    )
    return answer.json()["id_token"]


@pytest.fixture(scope="module")
def tokens(provider, guard_port):
    return {
        "mine": _token_for(provider, guard_port, CLIENT_ID, CLIENT_SECRET, "n" * 22),
        "other": _token_for(provider, guard_port, OTHER_ID, OTHER_SECRET, "n" * 22),
    }


def check(
    provider: OidcProvider, token: str, *, sso: SsoSettings | None = None, nonce: str = "n" * 22, now=None
):
    sso = sso or settings(provider.issuer)

    async def go():
        p = Provider(settings(provider.issuer))
        endpoints = await p.endpoints()
        return await checked_claims(
            token,
            sso=sso,
            provider=p,
            algorithms=endpoints.algorithms,
            nonce_hash=token_hash(nonce),
            now=now or time.time(),
        )

    return run(go)


def refused(provider, token, **kw) -> str:
    with pytest.raises(SsoError) as caught:
        check(provider, token, **kw)
    return caught.value.code


def _unsigned(header: dict, claims: dict, signature: bytes = b"") -> str:
    def part(b: bytes) -> str:
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    return ".".join((part(json.dumps(header).encode()), part(json.dumps(claims).encode()), part(signature)))


def test_the_real_token_passes_and_every_forgery_fails(provider, tokens):
    claims = check(provider, tokens["mine"])
    assert claims["email"] == "Boss@Example.co.jp" and claims["groups"] == ["mdg-admins"]
    mine = json.loads(base64.urlsafe_b64decode(tokens["mine"].split(".")[1] + "=="))
    assert refused(provider, tokens["other"]) == "bad_audience"  # the provider's, for another client
    assert refused(provider, tokens["mine"], sso=settings("http://127.0.0.1:1")) == "bad_issuer"
    assert refused(provider, tokens["mine"], nonce="m" * 22) == "bad_nonce"
    assert refused(provider, tokens["mine"], now=time.time() + 7200) == "expired"
    # signed by a key the provider never published, under a new key id and under the provider's
    evil = RSAKey.generate_key(2048, parameters={"kid": "evil"})
    assert refused(provider, jwt.encode({"alg": "RS256", "kid": "evil"}, mine, evil)) == "unknown_key"
    kid = json.loads(base64.urlsafe_b64decode(tokens["mine"].split(".")[0] + "=="))["kid"]
    assert refused(provider, jwt.encode({"alg": "RS256", "kid": kid}, mine, evil)) == "bad_signature"
    # the payload changed under the provider's signature
    head, _, sig = tokens["mine"].split(".")
    changed = _unsigned({}, {**mine, "email": "eve@example.co.jp"}).split(".")[1]
    assert refused(provider, f"{head}.{changed}.{sig}") == "bad_signature"
    # no signature at all, and a MAC keyed with the client secret
    assert refused(provider, _unsigned({"alg": "none"}, mine)) == "bad_alg"
    assert refused(provider, _unsigned({"alg": "HS256", "kid": kid}, mine, b"x" * 32)) == "bad_alg"
    assert refused(provider, "not.a.token") == "bad_token"


# --- passwords beside sign-on ---------------------------------------------------------------


def _password_login(client: httpx.Client, login: str, password: str, target: str = "") -> httpx.Response:
    page = client.get("/admin/login")
    token = CSRF.search(page.text).group(1)
    form = {"login": login, "password": password, "csrf": token, "next": target}
    return client.post("/admin/login", data=form)


def test_a_sender_with_his_password_goes_to_me(browser_client):
    for target, where in (("/admin/me?page=2", "/admin/me?page=2"), ("/admin/meX", "/admin/me")):
        reply = _password_login(browser_client, SENDER, SENDER_PW, target)
        assert reply.status_code == 303 and reply.headers["location"] == where
    reply = _password_login(browser_client, SENDER, SENDER_PW)
    assert reply.status_code == 303 and reply.headers["location"] == "/admin/me"
    assert browser_client.get("/admin/messages").headers["location"] == "/admin/me"
    assert _password_login(browser_client, ADMIN, ADMIN_PW).headers["location"].startswith("/admin/")


def test_local_passwords_off_removes_the_form_and_its_post(provider, tmp_path):
    sso = settings(provider.issuer, local_passwords=False)
    with SsoServer(tmp_path, sso) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        page = client.get("/admin/login")
        assert 'name="password"' not in page.text and "Keycloak でサインイン" in page.text
        csrf = client.cookies.get("mdg_admin_login") or "x" * 30
        reply = client.post(
            "/admin/login", data={"login": ADMIN, "password": ADMIN_PW, "csrf": csrf}, follow_redirects=False
        )
        assert reply.status_code == 404 and "mdg_admin" not in reply.cookies
        assert not server.sql("SELECT 1 FROM admin_sessions")


@pytest.mark.browser
def test_a_whole_sign_on_in_chromium(guard, browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{guard.url}/admin/rules")  # not signed in: the login page, next=/admin/rules
        page.click("text=Keycloak でサインイン")
        page.fill("input[name=login]", "boss@example.co.jp")
        page.fill("input[name=password]", "any")
        page.click("button[type=submit]")
        page.click("button[type=submit]")  # the provider's consent
        # the callback's page moves on, and the Strict session cookie goes with that request
        page.wait_for_url(f"{guard.url}/admin/rules", timeout=10000)
        assert page.locator("textarea").count() >= 1
        cookies = {c["name"]: c for c in context.cookies(f"{guard.url}/admin/sso/callback")}
        assert cookies["mdg_admin"]["sameSite"] == "Strict" and cookies["mdg_admin"]["httpOnly"]
        assert "mdg_sso" not in cookies  # the browser's tie to the sign-on is gone with it
    finally:
        context.close()


def test_made_up_key_ids_refetch_the_keys_at_most_once_a_minute(provider, tokens):
    fetched: list[str] = []

    class Counting(Provider):
        def client(self) -> httpx.AsyncClient:
            return httpx.AsyncClient(timeout=5, event_hooks={"request": [self._count]})

        async def _count(self, request: httpx.Request) -> None:
            fetched.append(request.url.path)

    clock = [1000.0]

    async def go():
        p = Counting(settings(provider.issuer), clock=lambda: clock[0])
        await p.endpoints()
        assert await p.key(None) is not None  # first look: fetched; one key serves a token naming none
        for i in range(5):
            assert await p.key(f"made-up-{i}") is None
        clock[0] += 61
        assert await p.key("made-up-again") is None
        kid = json.loads(base64.urlsafe_b64decode(tokens["mine"].split(".")[0] + "=="))["kid"]
        assert (await p.key(kid))["kid"] == kid

    run(go)
    assert fetched.count("/jwks") == 2, fetched  # the first look, and one more a minute later


def test_a_code_the_provider_will_not_redeem_opens_no_session(guard, provider, browser_client):
    """A code changed, or already spent at the provider (intercepted and tried elsewhere): the
    token endpoint refuses it, and the guard opens nothing."""
    start = browser_client.get("/admin/sso/start")
    back = provider_leg(browser_client, provider, start.headers["location"], "boss@example.co.jp")
    code = parse_qs(urlsplit(back).query)["code"][0]
    before = guard.sql("SELECT count(*) FROM admin_sessions")
    reply = browser_client.get(back.replace(code, code[:-4] + "AAAA"))
    assert reply.status_code == 401 and "mdg_admin" not in reply.cookies
    assert guard.sql("SELECT count(*) FROM admin_sessions") == before
