"""A database that hangs or fails (issue 15, items 4 and 7): PostgreSQL frozen (SIGSTOP) and
stopped, SQLite on a full filesystem, a guard started before its database, and a COMMIT whose
answer never comes. Each asserts what the client gets, what is stored and how often."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import smtplib
import sqlite3
import subprocess
import threading
import time

import asyncpg
import httpx
import pytest
from sqlalchemy import event

from quarantine.decisions import DecisionLog, DecisionRecord
from quarantine.deliveries import DeliveryHistory
from quarantine.engine import STATEMENT_TIMEOUT
from quarantine.migrations.v007_store_health import HOLD_COMMIT_WITHIN
from quarantine.store import Store
from rules.model import MessageFacts

from .holds import held
from .postgres import PostgresServer
from .support import MY_NUMBER_BODY, message, wait_until

_names = itertools.count()
HOLD = message("給与", MY_NUMBER_BODY)
PASS = message("打合せ", "Meeting tomorrow at 10.")


@pytest.fixture(scope="module")
def server():
    """A PostgreSQL of this module's own: the tests stop and freeze it."""
    pg = PostgresServer().start()
    yield pg
    pg.stop()


@pytest.fixture
def pg(server):
    yield server
    server.thaw()
    if not (server.dir / "data" / "postmaster.pid").exists():
        server.resume()


@pytest.fixture
def pg_url(pg):
    return pg.create_database(f"faults{next(_names)}")


async def asql(url: str, query: str):
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"), timeout=10)
    try:
        return await conn.fetchval(query)
    finally:
        await conn.close()


def sql(url: str, query: str):
    return asyncio.run(asql(url, query))


def send(guard, raw: bytes, *, timeout: float = 30) -> tuple[int, bytes, float]:
    """One SMTP transaction; the DATA reply and how long it took."""
    with smtplib.SMTP("127.0.0.1", guard.smtp_port, timeout=timeout) as client:
        client.ehlo()
        client.mail("taro@example.co.jp")
        client.rcpt("partner@client.example")
        started = time.monotonic()
        code, text = client.data(raw)
        return code, text, time.monotonic() - started


def healthz(guard) -> tuple[int, str, float]:
    started = time.monotonic()
    r = httpx.get(guard.base_url + "/healthz", timeout=10)
    return r.status_code, r.text, time.monotonic() - started


def wait_healthy(guard, timeout: float = 40) -> None:
    wait_until(
        lambda: healthz(guard)[0] == 200,
        lambda: f"/healthz never 200 again:\n{guard.log[-3000:]}",
        timeout=timeout,
        interval=0.2,
    )


@pytest.mark.postgres
@pytest.mark.timing
def test_frozen_postgresql_a_hold_answers_451_fast_and_the_retry_makes_one_hold(
    pg, pg_url, guard_factory, upstream
):
    guard = guard_factory(storage=pg_url).start()
    pg.freeze()
    try:
        status, text, took = healthz(guard)
        assert status == 503 and took < 2 and "Traceback" not in text, (status, took, text)
        code, reply, took = send(guard, HOLD, timeout=25)
        assert code == 451 and took < 15, (code, reply, took)
        code, reply, _ = send(guard, PASS, timeout=25)
        assert code == 250, "mail that passes needs no database"
    finally:
        pg.thaw()
    wait_healthy(guard)
    code, reply, _ = send(guard, HOLD)  # the client's retry
    assert code == 250 and b"Held" in reply
    time.sleep(2)  # a first attempt that still committed would be there by now
    assert sql(pg_url, "SELECT count(*) FROM held_messages") == 1
    upstream.recorder.wait_for(2)  # the passed message and the one hold notice
    time.sleep(1)  # a second notice, had the first attempt committed, would be out by now
    assert len(upstream.recorder.to("taro@example.co.jp")) == 1, "the sender is told once"
    assert len(upstream.recorder.to("partner@client.example")) == 1


@pytest.mark.postgres
@pytest.mark.timing
def test_stopped_postgresql_health_503_holds_451_and_both_work_again(pg, pg_url, guard_factory, upstream):
    guard = guard_factory(storage=pg_url).start()
    pg.halt()
    try:
        status, text, took = healthz(guard)
        assert status == 503 and took < 2 and "Traceback" not in text, (status, took, text)
        code, reply, took = send(guard, HOLD)
        assert code == 451 and took < 15, (code, reply, took)
        passed = [send(guard, message(f"pass {i}"))[0] for i in range(5)]
        assert passed == [250] * 5
        time.sleep(2)  # the decision log tries (and fails) to write them meanwhile
    finally:
        pg.resume()
    wait_healthy(guard)
    code, reply, _ = send(guard, HOLD)
    assert code == 250 and b"Held" in reply
    assert sql(pg_url, "SELECT count(*) FROM held_messages") == 1
    # Item 7: the decisions made during the outage are written once it is over, each once.
    wait_until(lambda: sql(pg_url, "SELECT count(*) FROM decisions") >= 7, "decisions missing", interval=0.2)
    assert sql(pg_url, "SELECT count(*) FROM decisions") == 7  # 451'd hold, 5 passed, the hold
    assert sql(pg_url, "SELECT count(DISTINCT id) FROM decisions") == 7
    assert len(upstream.recorder.to("partner@client.example")) == 5


def _start_in_background(guard) -> list:
    errors: list = []

    def start():
        try:
            guard.start(timeout=60)
        except AssertionError as exc:
            errors.append(exc)

    threading.Thread(target=start, daemon=True).start()
    wait_until(lambda: "event=storage_unavailable" in guard.log, lambda: guard.log, timeout=30)
    return errors


@pytest.mark.postgres
def test_guard_started_while_postgresql_is_down_waits_and_then_serves(pg, pg_url, guard_factory):
    pg.halt()
    guard = guard_factory(storage=pg_url)
    errors = _start_in_background(guard)
    time.sleep(1)  # the test: a second later, the guard is still waiting, not gone
    assert guard.proc.poll() is None, guard.log
    assert "retry_in=" in guard.log and "Traceback" not in guard.log
    pg.resume()

    def serving() -> bool:
        assert not errors, (errors, guard.log)
        return healthz_or_none(guard) == 200

    wait_until(serving, lambda: guard.log, timeout=40, interval=0.2)
    code, reply, _ = send(guard, HOLD)
    assert code == 250 and b"Held" in reply


@pytest.mark.postgres
def test_guard_waiting_for_its_database_stops_cleanly_on_sigterm(pg, pg_url, guard_factory):
    pg.halt()
    guard = guard_factory(storage=pg_url)
    _start_in_background(guard)
    guard.proc.send_signal(signal.SIGTERM)
    assert guard.proc.wait(15) == 0
    assert "Traceback" not in guard.log


def healthz_or_none(guard) -> int | None:
    try:
        return healthz(guard)[0]
    except httpx.HTTPError:
        return None


@pytest.fixture
def small_fs(tmp_path):
    """A 16 MB tmpfs (needs root: CAP_SYS_ADMIN), so that the disk really fills."""
    mount = tmp_path / "fs"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(path) -> None:
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                f.write(chunk)
            except OSError:
                break
        while True:  # and the last partial block
            try:
                f.write(b"\0" * 512)
            except OSError:
                return


@pytest.mark.timing
def test_sqlite_on_a_full_filesystem_health_503_and_holds_451(small_fs, guard_factory, upstream):
    db = small_fs / "guard.db"
    guard = guard_factory(storage=f"sqlite:///{db}").start()
    stored = []
    code, reply, _ = send(guard, HOLD)
    assert code == 250
    stored.append(reply.split()[-1].decode())
    _fill(small_fs / "filler")
    status, text, took = healthz(guard)
    assert status == 503 and took < 2 and "Traceback" not in text, (status, took, text)
    replies = [send(guard, message(f"給与 {i}", MY_NUMBER_BODY))[:2] for i in range(3)]
    assert [code for code, _ in replies] == [451] * 3, replies
    (small_fs / "filler").unlink()
    wait_healthy(guard)
    code, reply, _ = send(guard, HOLD)
    assert code == 250
    stored.append(reply.split()[-1].decode())
    with sqlite3.connect(db) as conn:
        ids = sorted(r[0] for r in conn.execute("SELECT id FROM held_messages"))
    assert ids == sorted(stored), "every 250 is a stored hold, and nothing else is"


def _freeze_own_backend_at_commit(store: Store, frozen: list[int]):
    """Freeze the PostgreSQL backend of a transaction just before its COMMIT is sent: the
    COMMIT waits in its socket and is carried out when the backend is thawed, long after
    the guard stopped waiting for its answer (a host that stalls, a storage freeze)."""

    def before_commit(conn):
        pid = conn.connection.dbapi_connection.driver_connection.get_server_pid()
        os.kill(pid, signal.SIGSTOP)
        frozen.append(pid)

    event.listen(store.engine.sync_engine, "commit", before_commit)
    return lambda: event.remove(store.engine.sync_engine, "commit", before_commit)


def test_the_guard_waits_longer_than_a_late_hold_may_commit():
    # The deadline trigger (v007) only prevents a commit after the 451 if it is the shorter.
    assert STATEMENT_TIMEOUT > HOLD_COMMIT_WITHIN


def _decision(qid: str) -> DecisionRecord:
    message = held(qid)
    return DecisionRecord(
        id=qid,
        at=time.time(),
        facts=MessageFacts(mail_from=message.mail_from, rcpt_tos=message.rcpt_tos),
        findings=message.findings,
        decision=message.decision,
    )


@pytest.mark.postgres
@pytest.mark.timing
def test_commits_whose_answer_is_lost_hold_none_and_write_statistics_once(pg, pg_url):
    url = "postgresql+asyncpg://" + pg_url.split("://", 1)[1]

    async def scenario():
        store = await Store.open(url)
        log = DecisionLog(store.engine, writing=store.writing)
        history = DeliveryHistory(store.engine, writing=store.writing)
        try:
            for qid in ("D1", "D2"):
                log.record(_decision(qid))
            await log.flush()
            # An outage: what cannot be written is kept.
            pg.halt()
            for qid in ("D3", "D4", "D5"):
                log.record(_decision(qid))
            history.delivered("taro@example.co.jp", ["p@client.example", "q@client.example"])
            for flush in (log.flush, log.flush, history.flush):
                with pytest.raises(Exception):  # noqa: B017 -- whatever the driver raises for a server gone
                    await asyncio.wait_for(flush(), 20)
            pg.resume()
            # Back, but every COMMIT's answer is lost: the hold must not commit after the
            # guard gave up on it; the statistics commit and are retried.
            frozen: list[int] = []
            unhook = _freeze_own_backend_at_commit(store, frozen)
            started = time.monotonic()
            outcomes = await asyncio.gather(
                asyncio.wait_for(store.hold(held("H1"), csrf="c", expires_at=time.time() + 60), 30),
                asyncio.wait_for(log.flush(), 30),
                asyncio.wait_for(history.flush(), 30),
                return_exceptions=True,
            )
            took = time.monotonic() - started
            unhook()
            assert len(frozen) == 3 and all(isinstance(o, Exception) for o in outcomes), outcomes
            assert took < 15, took
            for pid in frozen:
                os.kill(pid, signal.SIGCONT)
            await asyncio.sleep(1)  # every thawed COMMIT lands, the hold's too if it were to
            assert await asql(url, "SELECT count(*) FROM decisions") == 5, "the lost answer: committed"
            await log.flush()
            await history.flush()
            assert await store.get("H1") is None, "a hold answered 451 must not be stored"
            assert await asql(url, "SELECT count(*) FROM decisions") == 5
            assert await asql(url, "SELECT count(*) FROM decision_rules") == 5
            assert await asql(url, "SELECT sum(deliveries) FROM recipient_history") == 2
            await store.hold(held("H1"), csrf="c", expires_at=time.time() + 60)  # the retry
            assert (await store.get("H1")).state == "held"
        finally:
            await store.close()

    asyncio.run(scenario())


@pytest.mark.postgres
def test_decision_backlog_is_bounded_and_a_refused_record_costs_only_itself(pg, pg_url, caplog):
    url = "postgresql+asyncpg://" + pg_url.split("://", 1)[1]

    async def scenario():
        store = await Store.open(url)
        log = DecisionLog(store.engine, writing=store.writing, backlog=3)
        try:
            pg.halt()
            for qid in ("B1", "B2", "B3", "B4", "B5"):
                log.record(_decision(qid))
            with pytest.raises(Exception):  # noqa: B017 -- whatever the driver raises for a server gone
                await log.flush()
            pg.resume()
            # PostgreSQL's text cannot hold NUL: the database refuses this one record.
            hostile = _decision("B6")
            log.record(
                DecisionRecord(
                    id="B6",
                    at=hostile.at,
                    facts=MessageFacts(mail_from="a\x00b@example.co.jp", rcpt_tos=("p@client.example",)),
                    findings=hostile.findings,
                    decision=hostile.decision,
                )
            )
            log.record(_decision("B7"))
            await log.flush()
            ids = await asql(url, "SELECT string_agg(id, ',' ORDER BY id) FROM decisions")
            # B1-B4: the oldest, dropped beyond the bound of 3; B6: refused, alone
            assert ids == "B5,B7"
        finally:
            await store.close()

    with caplog.at_level("WARNING", logger="guard"):
        asyncio.run(scenario())
    assert caplog.text.count("event=decision_log_dropped count=2 limit=3") == 2
    assert "qid=B6 event=decision_log_refused" in caplog.text
