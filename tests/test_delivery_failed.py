"""Released mail that is never delivered (issue 15, item 3): the hold goes to
"delivery_failed", which the sender's page and the console show; an admin retries it once the
upstream is fixed; a notice that cannot be sent is logged and counted."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import httpx

from inspectors.message import Summary
from proxy.auth import add_user
from proxy.endpoints import parse_upstream
from proxy.upstream import make_sender
from quarantine.records import HeldMessage
from quarantine.store import Store
from quarantine.worker import Worker
from rules.model import Decision, MatchedRule

from .support import MY_NUMBER_BODY, message, notice_link, wait_until

ADMIN, ADMIN_PW = "root@example.co.jp", "correct horse battery"
DEPUTY, DEPUTY_PW = "deputy@example.co.jp", "another long password"
SENDER, SENDER_PW = "taro@example.co.jp", "sender password"
PARTNER = "partner@client.example"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _start(guard_factory, tmp_path):
    add_user(tmp_path / "users", ADMIN, ADMIN_PW, "admin")
    add_user(tmp_path / "users", DEPUTY, DEPUTY_PW, "admin")
    add_user(tmp_path / "users", SENDER, SENDER_PW, "sender")
    return guard_factory(smtp={"users_file": "users"}).start()


def _hold_and_release(guard, upstream, raw: bytes, refuse: str) -> str:
    with guard.smtp() as client:
        client.sendmail(SENDER, [PARTNER], raw)
    link = notice_link(upstream.recorder.wait_for(1)[0])
    upstream.recorder.refuse_rcpt[PARTNER] = refuse
    page = httpx.get(link).text
    assert (
        httpx.post(
            link, data={"action": "release", "csrf": CSRF.search(page).group(1), "confirm": "1"}
        ).status_code
        == 303
    )
    return link


def _showing(get, text: str, what: str) -> str:
    """The page `get()` returns, once it contains `text`."""

    def check() -> str | None:
        page = get().text
        return page if text in page else None

    return wait_until(check, what, timeout=20)


def _console(guard, login: str = ADMIN, password: str = ADMIN_PW) -> httpx.Client:
    web = httpx.Client(base_url=f"{guard.base_url}/admin", follow_redirects=False)
    try:
        form = web.get("/login").text
        r = web.post(
            "/login", data={"login": login, "password": password, "csrf": CSRF.search(form).group(1)}
        )
        assert r.status_code == 303, r.text
    except BaseException:
        web.close()  # a refused login returns no client for the caller to close
        raise
    return web


def _qid(link: str) -> str:
    return re.search(r"ID ([A-Za-z0-9]+)", httpx.get(link).text).group(1)


def test_a_refused_release_is_shown_failed_and_an_admin_retry_delivers_it_once(
    guard_factory, upstream, tmp_path
):
    guard = _start(guard_factory, tmp_path)
    raw = message("見積書", MY_NUMBER_BODY)
    link = _hold_and_release(guard, upstream, raw, "550 5.1.1 no such user")
    failure = upstream.recorder.wait_for(2)[1]  # the sender is told
    assert failure.rcpt_tos == [SENDER] and b"no such user" in failure.data

    ja = _showing(
        lambda: httpx.get(link), "state-delivery_failed", "the sender's page never showed the failed delivery"
    )
    assert "配送できませんでした" in ja and "管理者がもう一度送信できます" in ja
    en = httpx.get(link, params={"lang": "en"}).text
    assert "Could not be delivered" in en and "an administrator can send it again" in en

    qid = _qid(link)
    with closing(_console(guard)) as admin, closing(_console(guard, DEPUTY, DEPUTY_PW)) as demoted:
        listed = admin.get("/messages", params={"state": "delivery_failed"})
        assert (
            listed.status_code == 200 and "見積書" in listed.text and "state-delivery_failed" in listed.text
        )
        page = admin.get(f"/messages/{qid}").text
        assert "配送できませんでした" in page and 'value="retry"' in page and "release_failed" in page
        csrf = CSRF.search(page).group(1)
        # No retry from a session that is no longer an admin's, without the CSRF token, or
        # without a session (a sender who logs in goes to /admin/me: the console is for admins only).
        theirs = CSRF.search(demoted.get(f"/messages/{qid}").text).group(1)
        with sqlite3.connect(tmp_path / "guard.db") as db:
            db.execute("UPDATE admin_sessions SET role = 'sender' WHERE login = ?", (DEPUTY,))
        assert demoted.post(f"/messages/{qid}", data={"action": "retry", "csrf": theirs}).status_code == 303
        assert admin.post(f"/messages/{qid}", data={"action": "retry"}).status_code == 403
        with closing(_console(guard, SENDER, SENDER_PW)) as sender:
            assert (
                sender.post(f"/messages/{qid}", data={"action": "retry"}).headers["location"] == "/admin/me"
            )
        anonymous = httpx.post(
            f"{guard.base_url}/admin/messages/{qid}", data={"action": "retry", "csrf": csrf}
        )
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/admin/login")
        time.sleep(1.5)  # a retry queued now would be sent by now
        assert upstream.recorder.to(PARTNER) == [] and "state-delivery_failed" in httpx.get(link).text

        del upstream.recorder.refuse_rcpt[PARTNER]  # the cause fixed; two admins click at once
        with ThreadPoolExecutor(2) as pool:
            answers = list(
                pool.map(
                    lambda _: admin.post(f"/messages/{qid}", data={"action": "retry", "csrf": csrf}), range(2)
                )
            )
        assert sorted(a.headers["location"].rsplit("=", 1)[1] for a in answers) == ["not_retried", "retried"]
        wait_until(
            lambda: upstream.recorder.to(PARTNER), "the retried release was never delivered", timeout=20
        )
        time.sleep(2.5)  # more than one retry interval (1 s)
        assert [m.data for m in upstream.recorder.to(PARTNER)] == [raw], "delivered exactly once"
        page = _showing(
            lambda: admin.get(f"/messages/{qid}"), "release_sent", "the delivery was never recorded"
        )
        assert "state-released" in page and f"管理者 {ADMIN}" in page and "delivery_retried" in page
    history = httpx.get(link).text
    assert "管理者が再送を指示しました" in history and "宛先に配送しました" in history


def test_a_notice_that_cannot_be_sent_is_logged_and_counted(guard_factory, upstream, tmp_path):
    guard = _start(guard_factory, tmp_path)
    link = _hold_and_release(guard, upstream, message("請求書", MY_NUMBER_BODY), "550 5.1.1 no such user")
    upstream.recorder.refuse_rcpt[SENDER] = "550 5.1.1 mailbox gone"  # the failure notice too
    qid = _qid(link)

    def counted() -> str | None:
        text = httpx.get(f"{guard.base_url}/metrics").text
        return text if re.search(r'^mdg_notices_failed_total\{instance="[^"]+"\} 1\.0$', text, re.M) else None

    metrics = wait_until(counted, "the failed notice was not counted", timeout=20)
    assert re.search(r'^mdg_delivery_failed_holds\{instance="[^"]+"\} 1\.0$', metrics, re.M)
    wait_until(
        lambda: re.search(rf"qid={qid} event=notice_failed", guard.log), "no event=notice_failed", timeout=20
    )
    assert len(upstream.recorder.messages) == 1  # only the hold notice got through
    with closing(_console(guard)) as admin:
        assert "state-delivery_failed" in admin.get(f"/messages/{qid}").text


def _held(qid: str, mail_from: str) -> HeldMessage:
    rule = MatchedRule(id="r", action="hold", mode="enforce", reason={"ja": "理由", "en": "why"}, findings=())
    return HeldMessage(
        id=qid,
        mail_from=mail_from,
        rcpt_tos=(PARTNER,),
        raw=b"Subject: x\r\n\r\nx\r\n",
        decision=Decision(action="hold", matched=(rule,)),
        findings=(),
        summary=Summary(subject="自動応答", attachments=()),
    )


def test_a_null_sender_release_that_fails_tells_nobody_but_the_admins(tmp_path, upstream):
    """A bounce or an auto-reply (MAIL FROM:<>) has nobody to tell: no notice goes out (it
    would itself bounce), the hold is "delivery_failed" for the admins to see."""
    upstream.recorder.refuse_rcpt[PARTNER] = "550 5.1.1 no such user"

    async def scenario():
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}")
        send = make_sender(
            parse_upstream(upstream.url, tmp_path), timeout=5, ca_file=None, local_hostname="guard.test"
        )
        worker = Worker(store, send, notice_from="guard@example.co.jp")
        try:
            await store.hold(_held("N1", ""), csrf="c", expires_at=time.time() + 600)
            assert await store.decide_hold("N1", "released", actor="admin:root", client_addr=None)
            assert await worker.run_once() == 1
            assert (await store.get("N1")).state == "delivery_failed"
            assert await store.pending_jobs() == 0 and await store.undelivered() == 1
        finally:
            await send.close()  # the connection it keeps for reuse
            await store.close()

    asyncio.run(scenario())
    assert upstream.recorder.messages == []


def test_a_retry_queues_one_delivery_and_none_once_the_bytes_are_purged(store_url):
    """The store's side of the admin's retry, on both databases: only a "delivery_failed"
    hold, once however often (or however concurrently) it is asked, and not without its bytes."""
    from sqlalchemy import update

    from quarantine.schema import held

    async def scenario():
        store = await Store.open(store_url)
        try:
            for qid in ("R1", "R2"):
                await store.hold(_held(qid, "taro@example.co.jp"), csrf="c", expires_at=time.time() + 600)
                assert not await store.retry_delivery(qid, actor="admin:root", client_addr=None)
                await store.decide_hold(qid, "released", actor="sender", client_addr=None)
                [job] = await store.claim(time.time(), lease=60)
                assert await store.job_failed(job, "550 5.1.1 no such user", "code=550 refused=1")
            async with store.writing() as conn:  # what the retention purge does to old bytes
                await conn.execute(update(held).where(held.c.id == "R2").values(raw=b""))
            answers = await asyncio.gather(
                *(store.retry_delivery("R1", actor="admin:root", client_addr="192.0.2.9") for _ in range(3))
            )
            assert sorted(answers) == [False, False, True]
            assert not await store.retry_delivery("R2", actor="admin:root", client_addr=None)
            assert await store.pending_jobs() == 1 and await store.undelivered() == 1
            [job] = await store.claim(time.time(), lease=60)
            assert (job.message_id, job.attempts, job.raw) == ("R1", 0, b"Subject: x\r\n\r\nx\r\n")
            trail = await store.audit_trail("R1")
            assert [(e.action, e.actor) for e in trail][-2:] == [
                ("release_failed", "system"),
                ("delivery_retried", "admin:root"),
            ]
            assert [(await store.get(q)).state for q in ("R1", "R2")] == ["released", "delivery_failed"]
        finally:
            await store.close()

    asyncio.run(scenario())
