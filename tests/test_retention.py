"""Retention: with a clock, what the purge removes and when; two purges at once; the guard runs it.

The store stamps rows with the real time; the purge is then run at that time plus so many
days, as the clock it takes says.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time

import httpx
import pytest
from sqlalchemy import func, select

from proxy.errors import ConfigError
from proxy.settings import load_settings
from quarantine.decisions import DecisionLog, DecisionRecord
from quarantine.records import HeldMessage
from quarantine.retention import DAY, Retention, RetentionPolicy
from quarantine.schema import (
    admin_sessions,
    audit,
    decisions,
    held,
    held_approvers,
    login_attempts,
    outbound,
    recipient_history,
)
from quarantine.store import Store
from rules.model import MessageFacts

from . import holds
from .support import MY_NUMBER_BODY, message, notice_link, wait_until

FINAL = ("R", "C", "E", "F")  # released and sent, cancelled, expired, released and failed


def body(qid: str) -> bytes:
    # Big enough for overflow pages: the purged bytes must not survive in free pages either.
    return b"Subject: x\r\n\r\n" + (f"SECRET-BODY-{qid}-".encode() * 600) + b"\r\n"


def held_message(qid: str) -> HeldMessage:
    return holds.held(qid, raw=body(qid), attachments=())


async def _scene(store: Store, t0: float) -> None:
    """H still held; P released, its release still pending; R released and sent; F released
    and failed; C cancelled; E expired. Every notice sent."""
    for qid in ("H", "P", *FINAL):
        await store.hold(
            held_message(qid),
            token=f"tok-{qid}",
            csrf="c",
            expires_at=t0 + 1000 * DAY,
            notices=[("g@example.co.jp", ("taro@example.co.jp",), b"notice " + qid.encode())],
            approver_tokens=[(f"appr-{qid}", "boss@example.co.jp")],
            approvers=["boss@example.co.jp"],
        )
    for qid, state in (
        ("P", "released"),
        ("R", "released"),
        ("F", "released"),
        ("C", "cancelled"),
        ("E", "expired"),
    ):
        assert await store.decide_hold(qid, state, actor="sender", client_addr="192.0.2.1")
    for job in await store.claim(time.time(), lease=60, limit=100):
        if job.kind == "notice" or job.message_id == "R":
            await store.job_sent(job)
        elif job.message_id == "F":
            await store.job_failed(job, "550 no such user", "code=550 refused=1")
    log = DecisionLog(store.engine, writing=store.writing)
    facts = MessageFacts(mail_from="taro@example.co.jp", rcpt_tos=("p@client.example",))
    decision = held_message("x").decision
    for qid, at in (("old", t0), ("new", t0 + 300 * DAY)):
        log.record(DecisionRecord(id=qid, at=at, facts=facts, findings=(), decision=decision))
    await log.flush()
    async with store.writing() as conn:
        await conn.execute(
            recipient_history.insert(),
            [
                {
                    "sender": "taro@example.co.jp",
                    "address": a,
                    "domain": "client.example",
                    "first_at": at,
                    "last_at": at,
                    "deliveries": 1,
                }
                for a, at in (("old@client.example", t0), ("new@client.example", t0 + 300 * DAY))
            ],
        )
        # a failure goes after a day, a success (the throttle's known address) after 30 days
        await conn.execute(
            login_attempts.insert(),
            [
                {"login": "root@example.co.jp", "at": at, "outcome": outcome, "client_addr": "192.0.2.9"}
                for at, outcome in ((t0 + 5.5 * DAY, "failure"), (t0, "success"))
            ],
        )
        await conn.execute(
            admin_sessions.insert().values(
                id_hash="0" * 64,
                login="root@example.co.jp",
                role="admin",
                csrf="c",
                created_at=t0 + 20 * DAY,
                last_seen=t0 + 20 * DAY,
                client_addr="192.0.2.9",
            )
        )


async def _raw_sizes(store: Store) -> dict[str, int]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(select(held.c.id, func.length(held.c.raw)))
        return {r[0]: r[1] for r in rows}


async def _count(store: Store, table, *where) -> int:
    async with store.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


def test_purge_follows_the_clock(store_url, tmp_path):
    async def scenario():
        store = await Store.open(store_url)
        try:
            t0 = time.time()
            await _scene(store, t0)
            size = len(body("H"))
            purge = Retention(
                store, RetentionPolicy(raw=30 * DAY, outbound=7 * DAY, records=365 * DAY, history=180 * DAY)
            )
            assert set((await purge.run_once(t0 + 6 * DAY)).values()) == {0}
            assert await _count(store, outbound) == 6 + 3  # 6 notices, 3 releases

            # Sent and failed jobs (and their bodies) go after `outbound`; P's release stays.
            counts = await purge.run_once(t0 + 8 * DAY)
            assert counts["outbound"] == 6 + 2 and counts["raw"] == 0 and counts["logins"] == 1
            async with store.engine.connect() as conn:
                left = (
                    await conn.execute(select(outbound.c.kind, outbound.c.message_id, outbound.c.state))
                ).all()
            assert [tuple(r) for r in left] == [("release", "P", "pending")]

            counts = await purge.run_once(t0 + 29 * DAY)
            assert counts["raw"] == 0 and counts["sessions"] == 1  # a session dead for 8 days
            assert set((await _raw_sizes(store)).values()) == {size}

            if store_url.startswith("sqlite"):  # a month on, the bodies are in the file itself
                _checkpoint(tmp_path / "guard.db", [f"SECRET-BODY-{q}-" for q in FINAL])
            counts = await purge.run_once(t0 + 31 * DAY)
            assert counts["raw"] == 4 and counts["held"] == 0 and counts["logins"] == 1
            assert await _raw_sizes(store) == {"H": size, "P": size, **{q: 0 for q in FINAL}}
            # the outcome stays, and the links still open it
            link = await store.by_link("tok-C")
            assert link.record.state == "cancelled" and link.record.findings[0].evidence == (
                "****-****-9018",
            )
            [job] = await store.claim(time.time() + 3600, lease=60)
            assert job.message_id == "P" and job.raw == body("P"), "a pending release keeps its bytes"
            if store_url.startswith("sqlite"):
                _assert_gone_from_files(
                    tmp_path, [f"SECRET-BODY-{q}-" for q in FINAL], kept=["SECRET-BODY-H-", "SECRET-BODY-P-"]
                )

            counts = await purge.run_once(t0 + 364 * DAY)  # only the history is shorter
            assert counts["history"] == 1 and counts["held"] == counts["decisions"] == 0
            counts = await purge.run_once(t0 + 366 * DAY)
            assert counts["held"] == 4 and counts["decisions"] == 1 and counts["logins"] == 0
            assert counts["decision_rules"] == 1 and counts["audit"] > 0
            assert sorted(await _raw_sizes(store)) == ["H", "P"]
            assert await store.by_link("tok-R") is None and await store.by_link("appr-R") is None
            assert (await store.by_link("appr-P")).record.id == "P"
            async with store.engine.connect() as conn:
                assert (await conn.execute(select(decisions.c.id))).scalars().all() == ["new"]
                asked = (await conn.execute(select(held_approvers.c.hold_id))).scalars().all()
                assert sorted(asked) == ["H", "P"], "whom a purged hold asked goes with it (v016)"
                assert (await conn.execute(select(recipient_history.c.address))).scalars().all() == [
                    "new@client.example"
                ]
                rows = (
                    await conn.execute(select(audit.c.at, audit.c.action, audit.c.actor, audit.c.detail))
                ).all()
            assert all(r.at >= t0 + DAY for r in rows), "audit rows older than `records` are gone"
            purged = [r for r in rows if r.action == "purged"]
            assert [r.actor for r in purged] == ["system"] * 5  # +8, +29, +31, +364, +366 (+6: nothing)
            assert "held=4" in purged[-1].detail and "decisions=1" in purged[-1].detail
        finally:
            await store.close()

    asyncio.run(scenario())


def _checkpoint(path, markers: list[str]) -> None:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    assert all(m.encode() in path.read_bytes() for m in markers)


def _assert_gone_from_files(tmp_path, gone: list[str], kept: list[str]) -> None:
    data = b"".join(p.read_bytes() for p in tmp_path.glob("guard.db*"))
    for marker in kept:
        assert marker.encode() in data, "the check must be able to see kept bytes"
    for marker in gone:
        assert marker.encode() not in data, f"{marker} still in the database files"


def test_two_purges_at_once_remove_each_row_once(store_url):
    async def scenario():
        first, second = await Store.open(store_url), await Store.open(store_url)
        try:
            t0 = time.time()
            for i in range(23):
                await first.hold(held_message(f"Q{i}"), token=f"t{i}", csrf="c", expires_at=t0 + DAY)
                await first.decide_hold(f"Q{i}", "cancelled", actor="sender", client_addr=None)
            policy = RetentionPolicy()
            purges = [
                Retention(first, policy, batch=4),
                Retention(second, policy, batch=4),
                Retention(first, policy, batch=4),
            ]
            for at, key in ((t0 + 31 * DAY, "raw"), (t0 + 366 * DAY, "held")):
                results = await asyncio.gather(*(p.run_once(at) for p in purges))
                done = [r for r in results if r is not None]
                assert done and sum(r[key] for r in done) == 23, results
            assert await _count(first, held) == 0
            assert await _count(first, audit, audit.c.action == "purged") >= 2
        finally:
            await first.close()
            await second.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "text, error",
    [
        ("quarantine: {retention: {raw: soon}}", "quarantine.retention.raw: expected a duration"),
        ("quarantine: {retention: {records: 0}}", "quarantine.retention.records: must be longer than 0"),
        ("quarantine: {retention: {bodies: 3d}}", "unknown key quarantine.retention.bodies"),
        ("quarantine: {retention: [raw]}", "quarantine.retention: must be a mapping"),
    ],
)
def test_settings_name_the_retention_key(tmp_path, text, error):
    path = tmp_path / "guard.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(path, {})
    assert str(path) in str(err.value) and error in str(err.value)


def test_settings_retention_defaults_and_overrides(tmp_path):
    path = tmp_path / "guard.yaml"
    path.write_text("quarantine: {retention: {raw: 7d, every: 1m}}")
    policy = load_settings(path, {}).retention
    assert (policy.raw, policy.every) == (7 * DAY, 60)
    assert (policy.outbound, policy.records, policy.history) == (7 * DAY, 365 * DAY, 365 * DAY)


def test_admin_page_of_a_purged_hold_says_the_body_is_gone(admin):
    admin.hold("Q1")
    assert "バイト" in admin.client.get("/admin/messages/Q1").text
    admin.run(lambda: admin.store.decide_hold("Q1", "cancelled", actor="sender", client_addr=None))
    counts = admin.run(lambda: Retention(admin.store).run_once(time.time() + 31 * DAY))
    assert counts["raw"] == 1
    assert admin.login().status_code == 303  # a month on, the old session is gone too
    page = admin.client.get("/admin/messages/Q1")
    assert page.status_code == 200 and "保存期間を過ぎたため削除しました" in page.text
    assert "cancelled" in page.text


def test_the_guard_purges_released_bodies(guard_factory, upstream, tmp_path):
    guard = guard_factory(quarantine={"retention": {"raw": "1s", "every": "1s"}}).start()
    raw = message("見積書", MY_NUMBER_BODY)
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["partner@client.example"], raw)
    link = notice_link(upstream.recorder.wait_for(1)[0])
    page = httpx.get(link).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert httpx.post(link, data={"action": "release", "csrf": csrf, "confirm": "1"}).status_code == 303
    assert upstream.recorder.wait_for(2)[1].data == raw
    wait_until(
        lambda: _raw_length(tmp_path / "guard.db") == 0, lambda: f"the body was never purged:\n{guard.log}"
    )
    assert httpx.get(link).status_code == 200, "the page of a purged hold still opens"
    fixed = httpx.post(f"{link}/fix", data={"csrf": csrf, "bcc": "1"})
    # a fix of a purged (so no longer held) hold: answered, never a crash
    assert 400 <= fixed.status_code < 500 and "<html" in fixed.text.lower()
    assert "event=purged raw=1" in guard.log


def _raw_length(path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute("SELECT length(raw) FROM held_messages").fetchone()[0]
