"""At least once, said honestly (issue 15, item 5): a send the upstream took but whose outcome
was never recorded is sent again after its lease, flagged "possible duplicate" in the log and
the audit trail; a database that refuses the record for a moment does not make a duplicate."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import event

from inspectors.message import Summary
from proxy.endpoints import parse_upstream
from proxy.upstream import make_sender
from quarantine.records import HeldMessage
from quarantine.store import Store
from quarantine.worker import Worker
from rules.model import Decision, MatchedRule

from .support import MY_NUMBER_BODY, Recorder, Upstream, message, notice_link, wait_until

PARTNER = "partner@client.example"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class TakesThenStalls(Recorder):
    """Records the release's DATA, then keeps its reply back once for `stall` seconds: the
    message is the upstream's, and the guard does not know it yet."""

    stall: float = 0.0
    taken: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if self.stall and PARTNER in envelope.rcpt_tos:
            stall, self.stall = self.stall, 0.0
            self.taken.set()
            await asyncio.sleep(stall)
        return reply


@pytest.mark.process
def test_a_guard_killed_while_the_upstream_takes_a_release_sends_it_again_flagged(tmp_path):
    from .support import make_guard

    upstream = Upstream(TakesThenStalls(stall=60.0)).start()
    # The lease (2 × delivery.timeout + 10 s) runs out 16 s after the claim. The timeout is
    # the guard's wait for the upstream's reply: the kill must come before it, even on a
    # loaded machine.
    guard = make_guard(tmp_path, upstream.url, delivery={"timeout": "3s", "retry": ["1s"]})
    try:
        guard.start()
        raw = message("見積書", MY_NUMBER_BODY)
        with guard.smtp() as client:
            client.sendmail("taro@example.co.jp", [PARTNER], raw)
        link = notice_link(upstream.recorder.wait_for(1)[0])
        page = httpx.get(link).text
        httpx.post(link, data={"action": "release", "csrf": CSRF.search(page).group(1), "confirm": "1"})
        assert upstream.recorder.taken.wait(15), "the release never reached the upstream"
        guard.kill()  # the upstream has it; "sent" is not recorded
        assert len(upstream.recorder.to(PARTNER)) == 1
        guard.start()
        wait_until(
            lambda: len(upstream.recorder.to(PARTNER)) >= 2,
            "the unrecorded release was never sent again",
            timeout=40,
        )
        time.sleep(3)  # a third send would have come by now
        assert [m.data for m in upstream.recorder.to(PARTNER)] == [raw, raw], "exactly twice"
        history = httpx.get(link).text
        assert history.count('data-action="possible_duplicate"') == 1
        assert history.count('data-action="release_sent"') == 1
        assert "2通届いた可能性があります" in history
        assert re.search(r"qid=\w+ event=possible_duplicate kind=release", guard.log)
    finally:
        guard.stop()
        upstream.stop()


class Locker(Recorder):
    """Takes SQLite's write lock (from another connection, as another process would) the
    moment it accepts the first message, and keeps it `hold` seconds: the guard cannot record
    the send it has just made."""

    def __init__(self, db_path, hold: float) -> None:
        super().__init__()
        self.db_path, self.hold = db_path, hold

    async def handle_DATA(self, server, session, envelope):
        if not self.messages:
            db = sqlite3.connect(self.db_path, check_same_thread=False, isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            threading.Timer(self.hold, db.close).start()  # closing rolls back: the lock is free
        return await super().handle_DATA(server, session, envelope)


def _held(qid: str) -> HeldMessage:
    rule = MatchedRule(id="r", action="hold", mode="enforce", reason={"ja": "理由", "en": "why"}, findings=())
    return HeldMessage(
        id=qid,
        mail_from="taro@example.co.jp",
        rcpt_tos=(PARTNER,),
        raw=b"Subject: x\r\n\r\nx\r\n",
        decision=Decision(action="hold", matched=(rule,)),
        findings=(),
        summary=Summary(subject="件名", attachments=()),
    )


async def _store(path) -> Store:
    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    # The guard waits 10 s for SQLite's lock; a short wait makes the lock held below a
    # failure of each write, as a longer outage would be.
    event.listen(
        store.engine.sync_engine, "connect", lambda conn, _: conn.cursor().execute("PRAGMA busy_timeout=100")
    )
    await store.engine.dispose()
    return store


def _run(tmp_path, hold: float, caplog, **options):
    """Release Q1 through a Locker upstream; the worker's first round; then rounds past the lease."""
    upstream = Upstream(Locker(tmp_path / "guard.db", hold)).start()

    async def scenario():
        store = await _store(tmp_path / "guard.db")
        send = make_sender(
            parse_upstream(upstream.url, tmp_path), timeout=5, ca_file=None, local_hostname="guard.test"
        )
        worker = Worker(store, send, notice_from="guard@example.co.jp", lease=30, **options)
        try:
            await store.hold(_held("Q1"), csrf="c", expires_at=time.time() + 600)
            assert await store.decide_hold("Q1", "released", actor="sender", client_addr=None)
            with caplog.at_level(logging.INFO, logger="guard.worker"):
                assert await worker.run_once() == 1
                await asyncio.sleep(hold + 0.5)  # the lock is free again
                await worker.run_once(time.time() + 31)  # past the lease
                await worker.run_once(time.time() + 62)
            return [e.action for e in await store.audit_trail("Q1")], await store.pending_jobs()
        finally:
            await send.close()  # the connection it keeps for reuse
            await store.close()

    try:
        return asyncio.run(scenario()), upstream.recorder.to(PARTNER)
    finally:
        upstream.stop()


@pytest.mark.slow
def test_sent_is_recorded_on_a_retry_when_the_database_refuses_for_a_moment(tmp_path, caplog):
    (trail, pending), delivered = _run(tmp_path, hold=1.5, caplog=caplog)
    assert len(delivered) == 1 and pending == 0
    assert trail == ["held", "released", "release_sent"]
    assert "event=record_sent_failed" in caplog.text and "record_sent_gave_up" not in caplog.text


@pytest.mark.slow
def test_sent_never_recorded_is_sent_again_after_the_lease_flagged(tmp_path, caplog):
    (trail, pending), delivered = _run(tmp_path, hold=2.0, caplog=caplog, record_for=0.5)
    assert len(delivered) == 2 and pending == 0
    assert trail == ["held", "released", "possible_duplicate", "release_sent"]
    assert "event=record_sent_gave_up" in caplog.text and "event=possible_duplicate" in caplog.text


def test_a_claim_that_lost_its_lease_cannot_overwrite_the_next_ones_outcome(store_url):
    async def scenario():
        store = await Store.open(store_url)
        try:
            await store.hold(_held("Q1"), csrf="c", expires_at=time.time() + 600)
            await store.decide_hold("Q1", "released", actor="sender", client_addr=None)
            now = time.time()
            [first] = await store.claim(now, lease=10)
            [second] = await store.claim(now + 11, lease=10)  # the first one's lease ran out
            await store.job_failed(first, "550 late", "code=550 refused=1")
            await store.job_retry(first, "451 late", now + 60, "code=451 refused=0")
            assert await store.pending_jobs() == 1, "the late outcome was ignored"
            assert (await store.get("Q1")).state == "released"
            assert await store.job_sent(second) and not await store.job_sent(second)
            assert (first.reclaimed, second.reclaimed, second.attempts) == (False, True, 1)
            return [e.action for e in await store.audit_trail("Q1")]
        finally:
            await store.close()

    assert asyncio.run(scenario()) == ["held", "released", "possible_duplicate", "release_sent"]
