"""Issue 21's sign-on after the attacker's review (tests/test_attacks_i21_sso.py has the proofs):
only the company's addresses sign in (sso.allowed_domains), a provider that advertises RFC 9207
must name itself in its answer, Entra ID's groups overage keeps a person a sender, the JWKS is
fetched again at once after a failed fetch, the starts are counted per client (IPv6 by /64)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from quarantine.sso.config import SsoSettings
from quarantine.sso.errors import SsoError
from quarantine.sso.logins import client_key
from quarantine.sso.provider import Provider

from .oidc_provider import provider_leg, sign_in
from .support import free_port
from .test_sso import SsoServer, landed, settings

pytestmark = pytest.mark.process


@pytest.fixture(scope="module")
def guard(provider, guard_port, tmp_path_factory):
    with SsoServer(tmp_path_factory.mktemp("sso"), settings(provider.issuer), guard_port) as server:
        yield server


@pytest.fixture
def browser(guard):
    with httpx.Client(base_url=guard.url, follow_redirects=False, timeout=10) as client:
        yield client


def test_a_guest_of_another_domain_is_refused_though_the_provider_calls_him_admin(guard, provider, browser):
    reply = sign_in(browser, provider, "guest@partner.example", "/admin/rules")
    assert reply.status_code == 403 and "mdg_admin" not in reply.cookies
    assert browser.get("/admin/rules").headers["location"].startswith("/admin/login")
    assert guard.sql("SELECT count(*) FROM admin_sessions WHERE login = 'guest@partner.example'") == [(0,)]


def test_a_callback_without_iss_is_refused_when_the_provider_says_it_sends_it(guard, provider, browser):
    endpoints = asyncio.run(Provider(settings(provider.issuer)).endpoints())
    assert endpoints.iss_parameter  # oidc-provider advertises RFC 9207
    start = browser.get("/admin/sso/start")
    back = urlsplit(provider_leg(browser, provider, start.headers["location"], "boss@example.co.jp"))
    query = [(k, v) for k, v in parse_qsl(back.query) if k != "iss"]  # a mix-up: iss dropped
    reply = browser.get(f"{back.path}?{urlencode(query)}")
    assert reply.status_code == 401 and "mdg_admin" not in reply.cookies


def test_groups_overage_keeps_the_person_a_sender_and_is_logged(guard, provider, browser, caplog):
    with caplog.at_level(logging.WARNING, logger="guard.admin"):
        assert landed(sign_in(browser, provider, "many@example.co.jp", "/admin/rules")) == "/admin/me"
    assert "event=sso_groups_overage" in caplog.text and "many@" not in caplog.text
    assert guard.sql("SELECT role FROM admin_sessions WHERE login = 'many@example.co.jp'") == [("sender",)]
    assert guard.sql("SELECT actor FROM audit_log WHERE action = 'sso_login' AND detail = 'role=sender'")[
        -1
    ] == ("sso",)


def test_role_for_follows_a_dotted_path_but_reads_a_namespaced_claim_whole():
    sso = SsoSettings(
        name="K",
        issuer="https://sso.example.co.jp/realms/corp",
        client_id="mdg",
        roles_claim="resource_access.mdg.roles",
        roles=(("admin", ("boss",)),),
    )
    assert sso.role_for({"resource_access": {"mdg": {"roles": ["boss"]}}}) == "admin"
    assert sso.role_for({"resource_access": {"mdg": "boss"}}) == "sender"
    assert sso.role_for({"resource_access": ["mdg"]}) == "sender"
    auth0 = SsoSettings(
        name="A",
        issuer="https://t.auth0.com/",
        client_id="mdg",
        roles_claim="https://mdg.example.co.jp/roles",
        roles=(("admin", ("boss",)),),
    )
    assert auth0.role_for({"https://mdg.example.co.jp/roles": ["boss"]}) == "admin"
    # the overage pointer wins over anything else: fail closed
    assert (
        sso.role_for(
            {"_claim_names": {"resource_access": "s"}, "resource_access": {"mdg": {"roles": ["boss"]}}}
        )
        == "sender"
    )


def test_allowed_domains_take_subdomains_and_nothing_else():
    sso = SsoSettings(
        name="K", issuer="https://s.example.co.jp", client_id="m", allowed_domains=("example.co.jp",)
    )
    assert sso.allows("a@example.co.jp") and sso.allows("a@osaka.example.co.jp")
    assert not sso.allows("a@badexample.co.jp") and not sso.allows("a@example.co.jp.evil.example")
    assert not SsoSettings(name="K", issuer="https://s.example.co.jp", client_id="m").allows(
        "a@example.co.jp"
    )


def test_starts_are_counted_per_client_and_ipv6_by_its_64():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7" and client_key(None) == ""


def test_the_keys_are_fetched_again_at_once_after_a_failed_fetch():
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    served = {"jwks": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                body, status = (
                    {
                        "issuer": issuer,
                        "authorization_endpoint": f"{issuer}/a",
                        "token_endpoint": f"{issuer}/t",
                        "jwks_uri": f"{issuer}/jwks",
                    },
                    200,
                )
            else:
                served["jwks"] += 1
                ok = served["jwks"] > 1  # the first fetch fails (the provider restarting)
                body, status = (
                    ({"keys": [{"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB"}]}, 200)
                    if ok
                    else ({}, 500)
                )
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        p = Provider(SsoSettings(name="T", issuer=issuer, client_id="mdg"), clock=lambda: 1000.0)

        async def twice():
            with pytest.raises(SsoError):
                await p.key("k1")
            return await p.key("k1")  # the same second: no minute to wait after a failure

        assert asyncio.run(twice())["kid"] == "k1"
        assert asyncio.run(p.key("k9")) is None and served["jwks"] == 2  # after a success: once a minute
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
