"""The signed-in approver's page end to end (issue 21): a guard process holds mail for the
sales group's approver; the approver, signed in (a session opened through the console's
Sessions.open, as the sign-in opens it, on the guard's own database), approves it at
/admin/me and the recording upstream receives the message; a stranger's session gets 404."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from proxy.auth import add_user
from quarantine.admin.console import SESSION_COOKIE
from quarantine.admin.sessions import Sessions
from quarantine.store import Store

from .support import make_guard, message, running, sales_approval, wait_until

BOSS, STRANGER, PARTNER = "boss@example.co.jp", "jiro@example.co.jp", "partner@client.example"


@pytest.fixture(scope="module")
def guard(tmp_path_factory, module_upstream):
    work = tmp_path_factory.mktemp("me_delivery")
    for login in (BOSS, STRANGER):
        add_user(work / "users", login, "long enough pw", "sender")
    with running(
        make_guard(work, module_upstream.url, smtp={"users_file": "users"}, **sales_approval(work, BOSS))
    ) as g:
        g.work = work
        yield g


def session_for(guard, login: str) -> str:
    async def open_one() -> str:
        store = await Store.open(f"sqlite+aiosqlite:///{guard.work / 'guard.db'}")
        try:
            session_id, _ = await Sessions(store).open(login, "sender", "127.0.0.1")
            return session_id
        finally:
            await store.close()

    return asyncio.run(open_one())


def signed_in(guard, login: str) -> httpx.Client:
    web = httpx.Client(base_url=guard.base_url)
    web.cookies.set(SESSION_COOKIE, session_for(guard, login), domain="127.0.0.1", path="/admin")
    return web


@pytest.mark.process
def test_an_approval_from_the_signed_in_page_is_delivered(guard, module_upstream):
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", [PARTNER], message("見積書", "お見積りを添付します。"))
    with signed_in(guard, BOSS) as web:
        wait_until(
            lambda: 'data-id="' in web.get("/admin/me").text, "the hold never reached the approver's page"
        )
        page = web.get("/admin/me").text
        [qid] = re.findall(r'<section id="to-approve">.*?data-id="([^"]+)"', page, re.S)
        entry = web.get(f"/admin/me/m/{qid}")
        assert entry.status_code == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', entry.text).group(1)
        with signed_in(guard, STRANGER) as stranger:  # another's id: as unknown as a made-up one
            assert stranger.get(f"/admin/me/m/{qid}").status_code == 404
            assert (
                stranger.post(f"/admin/me/m/{qid}", data={"csrf": csrf, "action": "approve"}).status_code
                == 404
            )
        assert module_upstream.recorder.to(PARTNER) == []
        assert web.post(f"/admin/me/m/{qid}", data={"action": "approve"}).status_code == 403  # no token
        done = web.post(f"/admin/me/m/{qid}", data={"csrf": csrf, "action": "approve", "note": "OK"})
        assert done.status_code == 303
    wait_until(lambda: module_upstream.recorder.to(PARTNER), "the approved message was never delivered")
    assert "お見積りを添付します。" in module_upstream.recorder.to(PARTNER)[0].data.decode()
