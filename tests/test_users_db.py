"""Users and roles in the database (issue 20): a change applies on a running guard within 5 s,
with no restart, over a real SMTP socket with STARTTLS and AUTH; `user add` writes the
database; a users file is imported once; two instances on one database see each other's
changes."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import time

import pytest

from proxy.auth import add_user as add_to_file
from quarantine.passwords import hash_password
from quarantine.store import Store
from quarantine.user_cache import UserCache
from quarantine.user_store import UserStore

from .cli import add_user
from .support import make_guard, running, wait_until

APPLIED_WITHIN = 5.0
TARO, HANAKO = "taro@example.co.jp", "hanako@example.co.jp"


def _url(storage: str) -> str:
    return storage.replace("sqlite:///", "sqlite+aiosqlite:///", 1)


def _in_db(guard, change) -> None:
    """`change(UserStore)` on the guard's own database, from outside the guard (as another
    instance, or the console of another instance, would write it)."""

    async def go():
        store = await Store.open(_url(guard.config["storage"]))
        try:
            await change(UserStore(store))
        finally:
            await store.close()

    asyncio.run(go())


def _auth(guard, ca_path, login: str, password: str) -> bool:
    with guard.smtp() as client:
        client.starttls(context=ssl.create_default_context(cafile=str(ca_path)))
        try:
            client.login(login, password)
        except smtplib.SMTPAuthenticationError:
            return False
        return True


def _reloads(guard) -> int:
    return guard.log.count("event=users_reloaded")


def _applied(guard, before: int, since: float) -> float:
    """Seconds from the change until the guard reloaded its users (at most APPLIED_WITHIN)."""
    wait_until(lambda: _reloads(guard) > before, "the guard never reloaded its users", timeout=APPLIED_WITHIN)
    elapsed = time.monotonic() - since
    assert elapsed <= APPLIED_WITHIN
    return elapsed


@pytest.fixture
def tls_guard(ca, tmp_path, guard_factory):
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_pem.write_to_path(tmp_path / "key.pem")
    cert.cert_chain_pems[0].write_to_path(tmp_path / "cert.pem")
    ca.cert_pem.write_to_path(tmp_path / "ca.pem")
    tls = {"tls_cert": str(tmp_path / "cert.pem"), "tls_key": str(tmp_path / "key.pem")}
    return guard_factory(smtp={"trusted_networks": [], "users_file": "users", **tls})


def test_users_added_and_disabled_while_the_guard_runs_apply_within_5_s(tls_guard, tmp_path):
    guard = tls_guard.start()
    ca_path = tmp_path / "ca.pem"
    before = _reloads(guard)
    out = add_user(guard, TARO, "correct horse battery")  # `user add`, the guard running
    since = time.monotonic()  # its write committed just before it exited
    assert "added to the database" in out.stdout
    _applied(guard, before, since)
    assert _auth(guard, ca_path, TARO, "correct horse battery")

    before, since = _reloads(guard), time.monotonic()
    _in_db(guard, lambda users: users.add(HANAKO, hash_password("hanako's password"), "sender"))
    _applied(guard, before, since)
    assert _auth(guard, ca_path, HANAKO, "hanako's password")

    before, since = _reloads(guard), time.monotonic()
    _in_db(guard, lambda users: users.set_disabled(TARO, True))
    _applied(guard, before, since)
    assert not _auth(guard, ca_path, TARO, "correct horse battery"), "a disabled user is refused"
    assert _auth(guard, ca_path, HANAKO, "hanako's password")

    before = _reloads(guard)
    out = add_user(guard, TARO, "a new battery staple")  # replaced: new password, enabled again
    since = time.monotonic()
    assert "replaced in the database" in out.stdout
    _applied(guard, before, since)
    assert _auth(guard, ca_path, TARO, "a new battery staple")
    assert not (tmp_path / "users").exists(), "`user add` writes no file"


def test_a_users_file_is_imported_once_and_the_database_wins(tls_guard, tmp_path):
    add_to_file(tmp_path / "users", TARO, "taro's file password")
    add_to_file(tmp_path / "users", HANAKO, "hanako's file password", "admin")
    _in_db(tls_guard, lambda users: users.add(TARO, hash_password("taro's newer password"), "sender"))
    guard = tls_guard.start()
    ca_path = tmp_path / "ca.pem"
    assert _auth(guard, ca_path, HANAKO, "hanako's file password")
    assert _auth(guard, ca_path, TARO, "taro's newer password"), "a login in the database keeps its own"
    assert "event=users_file_imported" in guard.log and "added=1 kept=1" in guard.log
    # The file imported, an admin disables hanako; a restart must not bring her back.
    _in_db(guard, lambda users: users.set_disabled(HANAKO, True))
    guard.stop()
    guard.start()
    assert guard.log.count("event=users_file_imported") == 1
    assert guard.log.count("event=users_file_already_imported") == 1
    assert not _auth(guard, ca_path, HANAKO, "hanako's file password")
    rows = []
    _in_db(guard, lambda users: _audit(users, rows))
    assert rows == [("system:users_file", "added=1 kept=1")]


async def _audit(users: UserStore, into: list) -> None:
    from sqlalchemy import text

    async with users.store.reading() as conn:
        into.extend(
            tuple(r)
            for r in await conn.execute(
                text("SELECT actor, detail FROM audit_log WHERE action = 'users_imported'")
            )
        )


def test_a_disabled_admin_leaves_the_console_within_5_s(guard_factory):
    import re

    import httpx

    guard = guard_factory(smtp={"users_file": "users"})
    add_user(guard, "root@example.co.jp", "long enough pw", "admin")
    guard.start()
    csrf = re.compile(r'name="csrf" value="([^"]+)"')
    with httpx.Client(base_url=guard.base_url) as web:
        form = web.get("/admin/login")
        web.post(
            "/admin/login",
            data={
                "login": "root@example.co.jp",
                "password": "long enough pw",
                "csrf": csrf.search(form.text).group(1),
            },
        )
        page = web.get("/admin/users")
        assert page.status_code == 200 and "root@example.co.jp" in page.text
        before, since = _reloads(guard), time.monotonic()
        _in_db(guard, lambda users: users.set_disabled("root@example.co.jp", True))
        _applied(guard, before, since)
        assert web.get("/admin/users", follow_redirects=False).status_code == 303, "back to the login page"


@pytest.mark.process
@pytest.mark.postgres
def test_a_user_added_in_one_guards_console_authenticates_on_the_other(ca, tmp_path, postgres_url, upstream):
    """Two guard processes on one PostgreSQL: the console of one adds and disables, the other's
    SMTP AUTH follows within 5 s."""
    import re

    import httpx

    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_pem.write_to_path(tmp_path / "key.pem")
    cert.cert_chain_pems[0].write_to_path(tmp_path / "cert.pem")
    ca.cert_pem.write_to_path(tmp_path / "ca.pem")
    smtp = {
        "trusted_networks": [],
        "tls_cert": str(tmp_path / "cert.pem"),
        "tls_key": str(tmp_path / "key.pem"),
    }
    one, two = (
        make_guard(tmp_path / name, upstream.url, storage=postgres_url, smtp=smtp) for name in ("one", "two")
    )
    for guard in (one, two):
        guard.workdir.mkdir()
    add_user(one, "root@example.co.jp", "long enough pw", "admin")
    csrf = re.compile(r'name="csrf" value="([^"]+)"')
    with running(one), running(two), httpx.Client(base_url=one.base_url) as web:
        form = web.get("/admin/login")
        web.post(
            "/admin/login",
            data={
                "login": "root@example.co.jp",
                "password": "long enough pw",
                "csrf": csrf.search(form.text).group(1),
            },
        )
        token = csrf.search(web.get("/admin/users").text).group(1)
        before, since = _reloads(two), time.monotonic()
        added = web.post(
            "/admin/users",
            data={"csrf": token, "login": HANAKO, "role": "sender", "password": "hanako's password"},
        )
        assert added.status_code == 303 and HANAKO in web.get("/admin/users").text
        _applied(two, before, since)
        assert _auth(two, tmp_path / "ca.pem", HANAKO, "hanako's password")
        before, since = _reloads(two), time.monotonic()
        web.post(
            "/admin/users/change", data={"csrf": token, "login": HANAKO, "action": "disable", "confirm": "1"}
        )
        _applied(two, before, since)
        assert not _auth(two, tmp_path / "ca.pem", HANAKO, "hanako's password")


def test_two_instances_on_one_database_see_each_others_changes(store_url):
    async def go() -> list[float]:
        one, two = await Store.open(store_url), await Store.open(store_url)
        caches = [UserCache(UserStore(s)) for s in (one, two)]
        stopping = asyncio.Event()
        for cache in caches:
            await cache.load()
        watching = [asyncio.create_task(c.watch(stopping)) for c in caches]
        seen = []
        try:
            since = time.monotonic()
            await UserStore(one).add(TARO, hash_password("taro's password"), "admin")
            seen.append(await _until(lambda: caches[1].role_of(TARO) == "admin", since))
            assert caches[1].check(TARO, "taro's password") is not None
            assert caches[1].admins() == (TARO,)
            since = time.monotonic()
            await UserStore(two).set_disabled(TARO, True)
            seen.append(await _until(lambda: caches[0].role_of(TARO) is None, since))
            assert caches[0].check(TARO, "taro's password") is None and caches[0].admins() == ()
        finally:
            stopping.set()
            await asyncio.gather(*watching)
            await one.close()
            await two.close()
        return seen

    for elapsed in asyncio.run(go()):
        assert elapsed <= APPLIED_WITHIN


async def _until(predicate, since: float) -> float:
    while not predicate():
        assert time.monotonic() - since <= APPLIED_WITHIN, "not applied within 5 s"
        await asyncio.sleep(0.05)
    return time.monotonic() - since


def test_two_admins_demoting_each_other_at_once_leave_one_and_a_reset_ends_sessions(store_url):
    """Each change is checked in its transaction, not against an instance's copy: of two
    admins demoting each other on two stores at the same moment, one is refused (NotAnAdmin).
    A password reset, by the console or `user add`, ends that login's console sessions."""
    from quarantine.admin.sessions import Sessions
    from quarantine.user_store import NotAnAdmin

    async def scenario():
        one, two = await Store.open(store_url), await Store.open(store_url)
        try:
            a, b = UserStore(one), UserStore(two)
            await a.add("a@example.co.jp", hash_password("long enough pw"), "admin")
            await a.add("b@example.co.jp", hash_password("long enough pw"), "admin")
            outcomes = await asyncio.gather(
                a.set_role("b@example.co.jp", "sender", actor="a@example.co.jp"),
                b.set_role("a@example.co.jp", "sender", actor="b@example.co.jp"),
                return_exceptions=True,
            )
            assert sorted(type(o).__name__ for o in outcomes) == ["NotAnAdmin", "bool"], outcomes
            assert [x.login for x in await a.accounts() if x.role == "admin"], "an admin remains"
            # Whichever won the race, the one it demoted can do nothing more.
            demoted = "b@example.co.jp" if isinstance(outcomes[0], bool) else "a@example.co.jp"
            winner = "a@example.co.jp" if demoted == "b@example.co.jp" else "b@example.co.jp"
            with pytest.raises(NotAnAdmin):
                await b.set_password(winner, hash_password("x" * 12), actor=demoted)

            sessions = Sessions(one)
            first, _ = await sessions.open("a@example.co.jp", "admin", None)
            await b.set_password("a@example.co.jp", hash_password("a new password"))
            assert await sessions.find(first) is None, "the reset ended the session"
            second, _ = await sessions.open("a@example.co.jp", "admin", None)
            await b.put("a@example.co.jp", hash_password("another password"), "admin")
            assert await sessions.find(second) is None, "`user add` ended it too"
        finally:
            await one.close()
            await two.close()

    asyncio.run(scenario())
