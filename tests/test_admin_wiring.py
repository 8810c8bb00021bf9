"""The admin console inside the running guard: users file, login, and the directory it edits
reaching the inspectors."""

from __future__ import annotations

import re

import httpx

from .cli import add_user
from .support import message, wait_until

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def test_admin_logs_in_and_a_client_added_in_the_console_is_inspected(guard_factory, upstream):
    guard = guard_factory(smtp={"users_file": "users"})
    for login, role in (("root@example.co.jp", "admin"), ("taro@example.co.jp", "sender")):
        add_user(guard, login, "long enough pw", role)
    guard.start()
    with httpx.Client(base_url=guard.base_url) as web:
        assert web.get("/admin/messages").status_code in (302, 303)
        form = web.get("/admin/login")
        reply = web.post(
            "/admin/login",
            data={
                "login": "taro@example.co.jp",
                "password": "long enough pw",
                "csrf": CSRF.search(form.text).group(1),
            },
        )
        assert reply.headers.get("location") == "/admin/me", "a sender account goes to his own page"
        assert web.get("/admin/messages").headers.get("location") == "/admin/me", "not into the console"
        form = web.get("/admin/login")
        web.post(
            "/admin/login",
            data={
                "login": "root@example.co.jp",
                "password": "long enough pw",
                "csrf": CSRF.search(form.text).group(1),
            },
        )
        page = web.get("/admin/clients")
        assert page.status_code == 200
        added = web.post(
            "/admin/clients",
            data={
                "csrf": CSRF.search(page.text).group(1),
                "name": "株式会社ゼット",
                "aliases": "ゼット社",
                "domains": "z-corp.co.jp",
            },
        )
        assert added.status_code in (200, 303)

    def held() -> bool:
        with guard.smtp() as client:
            client.ehlo()
            client.mail("taro@example.co.jp")
            client.rcpt("x@y-corp.example")
            _code, text = client.data(message("株式会社ゼット御中 お見積書"))
        return b"Held" in text

    wait_until(held, "the client added in the console never reached the inspectors", timeout=20, interval=1)
