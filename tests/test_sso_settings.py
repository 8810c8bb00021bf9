"""The `sso:` section, validated once with errors naming the key (proxy/sso_settings.py); the
roles by claim; and migration v015 on SQLite and PostgreSQL (a console session open before the
upgrade stays a password session; pending sign-ons are taken once, in the browser that began)."""

from __future__ import annotations

import asyncio
import importlib

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from proxy.errors import ConfigError
from proxy.settings import load_settings
from quarantine.admin.sessions import Sessions
from quarantine.migrate import available
from quarantine.schema import schema_version
from quarantine.sso.logins import TTL, SsoLogins
from quarantine.store import Store

ENTRA = """\
organization:
  internal_domains: [example.co.jp]
sso:
  name: Microsoft Entra ID
  issuer: https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0
  client_id: 0a1b2c3d
  client_secret_env: MDG_SSO_CLIENT_SECRET
  login_claim: preferred_username
  roles_claim: roles
  roles: {admin: [MDG.Admin], approver: [MDG.Approver]}
"""


def load(tmp_path, body: str, environ=None):
    path = tmp_path / "guard.yaml"
    path.write_text(body, "utf-8")
    return load_settings(path, environ or {})


def test_the_embedded_default_has_no_sign_on(tmp_path):
    assert load_settings(None, {}).sso is None
    assert load(tmp_path, "sso: {}\n").sso is None


def test_an_entra_id_section_with_its_secret_from_the_environment(tmp_path):
    sso = load(tmp_path, ENTRA, {"MDG_SSO_CLIENT_SECRET": "s3cret"}).sso
    assert sso is not None and sso.client_secret == "s3cret" and sso.local_passwords
    assert sso.issuer.endswith("/v2.0") and sso.login_claim == "preferred_username"
    assert sso.role_for({"roles": ["MDG.Approver", "MDG.Admin"]}) == "admin"  # admin first
    assert sso.role_for({"roles": "MDG.Approver"}) == "approver"
    assert sso.role_for({"roles": ["Other"]}) == sso.role_for({}) == sso.role_for({"roles": 7}) == "sender"
    assert sso.allowed_domains == ("example.co.jp",)  # organization.internal_domains by default
    own = load(tmp_path, ENTRA + "  allowed_domains: [Example.JP.]\n", {"MDG_SSO_CLIENT_SECRET": "s"}).sso
    assert own is not None and own.allowed_domains == ("example.jp",)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (ENTRA, "sso.client_secret_env"),  # the variable is not set
        (ENTRA.replace("https://login", "http://login"), "sso.issuer"),  # http off loopback
        (ENTRA.replace("  roles: {admin", "  roles: {owner: [x], admin"), "sso.roles.owner"),
        (ENTRA.replace("login_claim: preferred_username", "login_claim: 'a b'"), "sso.login_claim"),
        (ENTRA + "  scopes: [email]\n", "sso.scopes"),
        (ENTRA + "  local_passwords: nope\n", "sso.local_passwords"),
        (ENTRA + "  colour: blue\n", "sso.colour"),
        (ENTRA + "  ca_file: no-such-ca.pem\n", "sso.ca_file"),
        ("sso: {local_passwords: false}\n", "sso.local_passwords"),  # nobody could log in
        ("sso: {client_id: x}\n", "sso.issuer"),
        (ENTRA + "  allowed_domains: ['not a domain']\n", "sso.allowed_domains"),
        (
            ENTRA.replace("  internal_domains: [example.co.jp]\n", "  internal_domains: []\n"),
            "sso.allowed_domains",
        ),
    ],
)
def test_a_bad_section_names_its_key(tmp_path, body, key):
    secret = {} if key == "sso.client_secret_env" else {"MDG_SSO_CLIENT_SECRET": "x"}
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load(tmp_path, body, secret)


def test_v015_upgrades_a_store_with_open_sessions(store_url):
    async def scenario():
        engine = create_async_engine(store_url)
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: schema_version.create(c))
            for version, name in available():
                if version >= 15:
                    break
                module = importlib.import_module(f"quarantine.migrations.{name}")
                await conn.run_sync(module.upgrade)
                await conn.execute(schema_version.insert().values(version=version, applied_at=0.0))
            await conn.execute(
                text(
                    "INSERT INTO admin_sessions (id_hash, login, role, csrf, created_at, last_seen)"
                    " VALUES ('h', 'root@example.co.jp', 'admin', 'c', 1, 1)"
                )
            )
        await engine.dispose()
        store = await Store.open(store_url)
        try:
            async with store.reading() as conn:
                versions = (await conn.execute(select(schema_version.c.version))).scalars().all()
                old = (await conn.execute(text("SELECT source FROM admin_sessions"))).scalar()
            assert 15 in versions and old == "password"
            sid, _ = await Sessions(store).open("kacho@example.co.jp", "approver", None, "sso")
            assert (await Sessions(store).find(sid)).source == "sso"
            # a pending sign-on: once, in its own browser, within ten minutes
            clock = [1000.0]
            logins = SsoLogins(store, clock=lambda: clock[0])
            first = await logins.begin("browser-a", "/admin/rules", "192.0.2.1")
            assert await logins.take(first.state, "browser-b") is None  # spent all the same
            assert await logins.take(first.state, "browser-a") is None
            second = await logins.begin("browser-a", "/admin/rules", "192.0.2.1")
            taken = await logins.take(second.state, "browser-a")
            assert taken and taken.code_verifier == second.code_verifier and taken.next == "/admin/rules"
            assert taken.nonce_hash == second.nonce_hash and len(taken.code_verifier) == 43
            late = await logins.begin("browser-a", "/admin/", "192.0.2.1")
            clock[0] += TTL + 1
            assert await logins.take(late.state, "browser-a") is None
            async with store.reading() as conn:
                stored = (await conn.execute(text("SELECT state_hash FROM sso_logins"))).scalars().all()
            assert first.state not in stored and late.state not in stored
        finally:
            await store.close()

    asyncio.run(scenario())


def test_a_flood_of_starts_stops_at_the_cap(tmp_path, monkeypatch):
    from quarantine.sso import logins as module

    monkeypatch.setattr(module, "MAX_PENDING", 3)

    async def scenario():
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}")
        try:
            clock = [1000.0]
            logins = SsoLogins(store, clock=lambda: clock[0])
            started = [await logins.begin(f"b{i}", "/admin/", f"192.0.2.{i}") for i in range(5)]
            assert [p is not None for p in started] == [True, True, True, False, False]
            clock[0] += TTL + 1  # the old ones expire: room again
            assert await logins.begin("b", "/admin/", "192.0.2.9") is not None
        finally:
            await store.close()

    asyncio.run(scenario())
