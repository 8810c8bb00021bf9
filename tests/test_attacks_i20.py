"""Attacks on issue 20 (rules and users in the database, the cluster): each test is a proof of
a problem found in review, failing until it is fixed."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from quarantine.rule_versions import RuleVersions
from quarantine.store import Store
from rules.book import RuleBook

from .cli import add_user
from .support import make_guard, running
from .test_users_db import _applied, _in_db, _reloads

ROOT, BOSS = "root@example.co.jp", "boss@example.co.jp"
PW = "long enough pw"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _log_in(web: httpx.Client, login: str, password: str) -> str:
    form = web.get("/admin/login")
    r = web.post(
        "/admin/login", data={"login": login, "password": password, "csrf": CSRF.search(form.text).group(1)}
    )
    assert r.status_code in (200, 303)
    page = web.get("/admin/users")
    assert page.status_code == 200
    return CSRF.search(page.text).group(1)


def test_a_password_reset_ends_the_sessions_opened_with_the_old_password(guard_factory):
    """An admin's password was stolen; another admin (or `user add`) resets it. The thief's
    open console session must end with it: role_of only looks at role/disabled, so it stays."""
    guard = guard_factory(smtp={"users_file": "users"})
    add_user(guard, ROOT, PW, "admin")
    guard.start()
    with httpx.Client(base_url=guard.base_url) as thief:
        _log_in(thief, ROOT, PW)
        before, since = _reloads(guard), time.monotonic()

        async def reset(users):
            from quarantine.passwords import hash_password

            await users.set_password(ROOT, hash_password("a brand new password"))

        _in_db(guard, reset)
        _applied(guard, before, since)
        time.sleep(0.5)
        r = thief.get("/admin/users", follow_redirects=False)
        assert r.status_code == 303, "the session opened with the old password still works"


@pytest.mark.process
def test_two_admins_on_two_instances_cannot_demote_each_other_to_no_admin_at_all(tmp_path, upstream):
    """The only guard against "no admin left" is "not yourself", checked against this
    instance's copy (2 s poll). Two admins on two instances demote each other within the
    window (or race on one): both pass, the cluster has no admin and the console is locked."""
    shared = f"sqlite:///{tmp_path / 'shared.db'}"  # one database (PostgreSQL in production)
    one, two = (make_guard(tmp_path / n, upstream.url, storage=shared) for n in ("one", "two"))
    for guard in (one, two):
        guard.workdir.mkdir()
    add_user(one, ROOT, PW, "admin")
    add_user(one, BOSS, PW, "admin")
    with running(one), running(two):
        with httpx.Client(base_url=one.base_url) as a, httpx.Client(base_url=two.base_url) as b:
            ta, tb = _log_in(a, ROOT, PW), _log_in(b, BOSS, PW)
            ra = a.post(
                "/admin/users/change", data={"csrf": ta, "login": BOSS, "action": "role", "role": "sender"}
            )
            rb = b.post(
                "/admin/users/change", data={"csrf": tb, "login": ROOT, "action": "role", "role": "sender"}
            )
        admins = []

        async def count(users):
            admins.extend(x.login for x in await users.accounts() if x.role == "admin" and not x.disabled)

        _in_db(one, count)
        assert admins, f"no enabled admin left (responses {ra.status_code}, {rb.status_code})"


def test_a_console_version_that_stops_loading_after_a_base_file_change_does_not_stop_every_guard(
    tmp_path,
):
    """The console overrode a base rule (mode: monitor); a deploy then drops that rule from the
    read-only base files on every instance. The newest row no longer loads, and follow() is
    fatal at start-up: every guard restarted refuses to start, and the console that could
    revert the row is on those guards (no CLI revert): a cluster-wide outage from one row.
    Fail closed would be: start on the newest version that loads (or the files alone) with the
    error shown on the rules page, not refuse to run."""
    base = tmp_path / "rules.yaml"
    base.write_text("rules:\n  - {id: uses-x, when: {code: pii.phone}, action: hold}\n", "utf-8")
    url = f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}"

    async def scenario():
        store = await Store.open(url)
        try:
            versions = RuleVersions(store)
            await versions.save("rules:\n  - {id: uses-x, mode: monitor}\n", author="alice", base=0)
            await RuleBook([base], {}).follow(versions)  # loads today
            base.write_text("rules:\n  - {id: other, when: {code: pii.phone}, action: hold}\n", "utf-8")
            book = RuleBook([base], {})
            await book.follow(versions)  # the restart after the deploy: raises RuleError
            assert book.error, "the broken version is named for the admin"
            assert any(r.id == "other" for r in book.current.rules), "the base rules are in force"
        finally:
            await store.close()

    asyncio.run(scenario())


def test_a_disabled_users_open_smtp_session_can_no_longer_send(ca, tmp_path, guard_factory, upstream):
    """AUTH is checked once per connection; the account is not looked at again at MAIL. A user
    disabled by an admin (account stolen, employee gone) keeps relaying on the connection he
    opened before, one message after another (each resets the idle timeout)."""
    import ssl

    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_pem.write_to_path(tmp_path / "key.pem")
    cert.cert_chain_pems[0].write_to_path(tmp_path / "cert.pem")
    ca.cert_pem.write_to_path(tmp_path / "ca.pem")
    tls = {"tls_cert": str(tmp_path / "cert.pem"), "tls_key": str(tmp_path / "key.pem")}
    guard = guard_factory(smtp={"trusted_networks": [], "users_file": "users", **tls})
    add_user(guard, "taro@example.co.jp", "correct horse battery")
    guard.start()
    with guard.smtp() as client:
        client.starttls(context=ssl.create_default_context(cafile=str(tmp_path / "ca.pem")))
        client.login("taro@example.co.jp", "correct horse battery")
        before, since = _reloads(guard), time.monotonic()
        _in_db(guard, lambda users: users.set_disabled("taro@example.co.jp", True))
        _applied(guard, before, since)
        time.sleep(0.3)
        code, _text = client.mail("taro@example.co.jp")
        assert code >= 500, f"MAIL accepted ({code}) for a disabled account on its open connection"


def test_healthz_tells_an_anonymous_internet_client_no_host_name_nor_upstream_state(guard):
    """/healthz is on the web port that serves the hold links (/d/...) to the internet, and
    the shipped haproxy.cfg forwards every path of it. It now answers anyone with the
    machine's host name (instance.id's default) and whether the upstream relay is down: a
    reconnaissance aid. The detail belongs to the load balancer's or monitoring's address
    (trusted networks), a bare "ok"/503 to the rest."""
    import socket

    body = httpx.get(f"{guard.base_url}/healthz", headers={"X-Forwarded-For": "203.0.113.9"}).text
    assert socket.gethostname() not in body and "upstream:" not in body, body
