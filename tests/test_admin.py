"""The admin console's door: login, sessions, lock-out, role, CSRF and headers, for every route."""

from __future__ import annotations

import hashlib
import time

import pytest

from quarantine.rendering import HEADERS

from .admin_console import ADMIN, ADMIN_PW, CSRF, SENDER, SENDER_PW, open_console

GETS = [
    "/admin/",
    "/admin/messages",
    "/admin/messages/Q1",
    "/admin/rules",
    "/admin/stats",
    "/admin/stats?days=30",
    "/admin/clients",
    "/admin/clients/1",
    "/admin/clients.csv",
    "/admin/suppressions",
    "/admin/suppressions/1",
    "/admin/suppressions.csv",
    "/admin/audit",
    "/admin/audit.csv",
]
POSTS = [
    "/admin/logout",
    "/admin/messages/Q1",
    "/admin/rules/check",
    "/admin/rules/save",
    "/admin/rules/edit",
    "/admin/rules/test",
    "/admin/rules/replay",
    "/admin/clients",
    "/admin/clients/import",
    "/admin/clients/1",
    "/admin/suppressions",
    "/admin/suppressions/import",
    "/admin/suppressions/1",
]
POST_DATA = {
    "action": "release",
    "draft": "rules: []\n",
    "name": "株式会社エー",
    "domains": "a.example",
    "entry": "x@y.example",
    "op": "delete",
    "days": "7",
}


@pytest.mark.parametrize("path", GETS)
def test_not_logged_in_get_goes_to_login(console, path):
    r = console.client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/login?next=%2Fadmin%2F")


@pytest.mark.parametrize("path", POSTS)
def test_not_logged_in_post_goes_to_login_and_changes_nothing(console, path):
    console.hold("Q1")
    r = console.client.post(path, data={**POST_DATA, "csrf": "x"}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/admin/login")
    assert console.run(console.store.get, "Q1").state == "held"


def test_login_opens_a_session_with_a_hashed_id_and_strict_cookie(console):
    r = console.login()
    assert (r.status_code, r.headers["location"]) == (303, "/admin/messages")
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("mdg_admin="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/admin"} <= flags and "secure" not in flags
    session_id = cookie.split(";")[0].split("=", 1)[1]
    assert len(session_id) >= 40
    rows = console.sql("SELECT id_hash, login, role, csrf FROM admin_sessions")
    assert rows == [(hashlib.sha256(session_id.encode()).hexdigest(), ADMIN, "admin", rows[0][3])]
    assert console.client.get("/admin/messages").status_code == 200
    actions = [a for (a,) in console.sql("SELECT action FROM audit_log")]
    assert actions == ["admin_login"]


def test_secure_cookie_when_the_public_url_is_https(tmp_path, sqlite_url):
    with open_console(
        tmp_path, sqlite_url, public_url="https://guard.example.co.jp", base_url="https://testserver"
    ) as c:
        r = c.login()
        cookies = r.headers.get_list("set-cookie")
        assert all("; secure" in cookie.lower() for cookie in cookies), cookies
        assert c.client.get("/admin/messages", follow_redirects=False).status_code == 200


def test_each_login_gets_a_new_session_and_logout_ends_it(console):
    first = console.login().cookies["mdg_admin"]
    second = console.login().cookies["mdg_admin"]
    assert first != second
    token = console.csrf()
    r = console.client.post("/admin/logout", data={"csrf": token}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/admin/login")
    assert 'mdg_admin=""' in r.headers["set-cookie"]
    console.client.cookies.set("mdg_admin", second, path="/admin")
    assert console.client.get("/admin/messages", follow_redirects=False).status_code == 303


def test_idle_session_expires(console):
    console.login()
    assert console.client.get("/admin/messages", follow_redirects=False).status_code == 200
    console.sql("UPDATE admin_sessions SET last_seen = last_seen - 1801")
    r = console.client.get("/admin/messages", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/login")
    assert console.sql("SELECT count(*) FROM admin_sessions") == [(0,)]


def test_a_sender_account_signs_in_to_me_not_to_the_console(console):
    # issue 21: any account with its right password signs in; only an admin enters the console
    r = console.login(SENDER, SENDER_PW)
    assert r.status_code == 303 and r.headers["location"] == "/admin/me"
    assert console.sql("SELECT login, role, source FROM admin_sessions") == [(SENDER, "sender", "password")]
    r = console.client.get("/admin/messages", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/me"
    assert [a for (a,) in console.sql("SELECT action FROM audit_log")] == ["me_login"]


def test_a_session_whose_role_is_not_admin_goes_to_me(console):
    console.login()
    console.sql("UPDATE admin_sessions SET role = 'sender'")
    for path in ("/admin/messages", "/admin/rules", "/admin/audit.csv"):
        r = console.client.get(path, follow_redirects=False)
        assert (r.status_code, r.headers.get("location")) in (
            (303, "/admin/me"),
            (303, "/admin/login?next=" + path.replace("/", "%2F")),
        )


def test_login_form_needs_its_csrf_cookie(console):
    r = console.client.post(
        "/admin/login", data={"login": ADMIN, "password": ADMIN_PW, "csrf": "forged"}, follow_redirects=False
    )
    assert r.status_code == 403 and "mdg_admin" not in r.cookies


def test_login_refuses_oversized_forms_and_files(console):
    token = CSRF.search(console.client.get("/admin/login").text).group(1)
    r = console.client.post("/admin/login", data={"csrf": token, "login": "x" * 20000, "password": "p"})
    assert r.status_code == 400 and r.headers["Cache-Control"] == "no-store"
    r = console.client.post(
        "/admin/login",
        data={"csrf": token, "login": ADMIN, "password": ADMIN_PW},
        files={"f": ("a.bin", b"x")},
        follow_redirects=False,
    )
    assert r.status_code == 403 and "mdg_admin" not in r.cookies


def test_wrong_password_is_401_and_next_stays_inside_the_console(console):
    r = console.login(ADMIN, "wrong")
    assert r.status_code == 401 and "ログインできませんでした" in r.text
    page = console.client.get("/admin/login?next=//evil.example/x")
    token = CSRF.search(page.text).group(1)
    assert 'name="next" value="/admin/messages"' in page.text
    r = console.client.post(
        "/admin/login?next=//evil.example/x",
        follow_redirects=False,
        data={"login": ADMIN, "password": ADMIN_PW, "csrf": token, "next": "//evil.example/x"},
    )
    assert r.headers["location"] == "/admin/messages"
    console.client.cookies.clear()
    page = console.client.get("/admin/login?next=/admin/rules")
    r = console.client.post(
        "/admin/login",
        data={
            "login": ADMIN,
            "password": ADMIN_PW,
            "next": "/admin/rules",
            "csrf": CSRF.search(page.text).group(1),
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/admin/rules"


@pytest.mark.timing
def test_throttle_is_shared_by_instances_and_never_a_lock(console, tmp_path, sqlite_url):
    for _ in range(3):
        assert console.login(ADMIN, "guess").status_code == 401
    started = time.monotonic()
    r = console.login(ADMIN, ADMIN_PW)
    assert r.status_code == 401 and "少し待ってから" in r.text, "too soon after three failures"
    assert time.monotonic() - started < 0.5, "a throttled login is refused before the password is checked"
    with open_console(tmp_path / "other", sqlite_url) as other:  # another guard instance, same DB
        assert other.login(ADMIN, ADMIN_PW).status_code == 401
        assert other.login(ADMIN.upper(), ADMIN_PW).status_code == 401, "logins are case-insensitive"
    assert console.login(SENDER, "guess").status_code == 401
    actions = [a for (a,) in console.sql("SELECT action FROM audit_log ORDER BY id")]
    assert actions[:4] == ["admin_login_failed"] * 4  # refused tries are log lines only
    console.sql("UPDATE admin_login_attempts SET at = at - 2")  # the delay after 3 failures: 1 s
    assert console.login(ADMIN, ADMIN_PW).status_code == 303
    for _ in range(3):
        assert console.login(ADMIN, "guess").status_code == 401, "a success restarts the count"
    outcomes = [
        o
        for (o,) in console.sql(
            "SELECT outcome FROM admin_login_attempts WHERE login = :l ORDER BY id", l=ADMIN
        )
    ]
    assert outcomes == ["failure"] * 3 + ["throttled"] * 3 + ["success"] + ["failure"] * 3


@pytest.mark.parametrize("path", POSTS)
def test_every_post_without_the_session_csrf_is_refused(admin, path):
    admin.hold("Q1")
    token = admin.csrf()
    for bad in (None, "", "wrong-token", token[:-1]):
        data = dict(POST_DATA) if bad is None else {**POST_DATA, "csrf": bad}
        files = {"file": ("c.csv", b"name\nA\n"), "message": ("m.eml", b"Subject: x\r\n\r\nx\r\n")}
        r = admin.client.post(
            path,
            data=data,
            files=files if "import" in path or "test" in path else None,
            follow_redirects=False,
        )
        assert r.status_code == 403 and "操作できませんでした" in r.text, (path, bad)
        assert admin.run(admin.store.get, "Q1").state == "held"
        assert admin.client.get("/admin/messages").status_code == 200, "still logged in"
    assert admin.csrf() == token
    assert admin.sql("SELECT count(*) FROM clients") == [(0,)]
    assert admin.rules_file.read_text() == "rules: []\n" and admin.console_text() == ""


def test_a_csrf_token_of_another_session_is_refused(console, tmp_path, sqlite_url):
    console.hold("Q1")
    console.login()
    token = console.csrf()
    console.client.cookies.clear()
    console.login()
    r = console.client.post("/admin/messages/Q1", data={"action": "release", "csrf": token})
    assert r.status_code == 403 and console.run(console.store.get, "Q1").state == "held"


def test_every_page_sends_the_security_headers(admin):
    admin.hold("Q1")
    admin.client.post("/admin/clients", data={"csrf": admin.csrf(), "name": "A", "domains": "a.example"})
    admin.client.post("/admin/suppressions", data={"csrf": admin.csrf(), "entry": "x@y.example"})
    for path in GETS:
        r = admin.client.get(path)
        assert r.status_code == 200, path
        for key, value in HEADERS.items():
            assert r.headers[key] == value, (path, key)


def test_refusals_and_unknown_pages_send_the_headers_too(console):
    for r in (
        console.client.get("/admin/nowhere"),
        console.client.get("/admin/login"),
        console.client.post("/admin/login", data={"csrf": "x"}),
    ):
        assert r.headers["Content-Security-Policy"] == HEADERS["Content-Security-Policy"]
        assert r.headers["Cache-Control"] == "no-store"
