"""Several guards on one PostgreSQL (issue 20): the expiry sweep and the reminders round run on
one guard at a time (the other skips its round, and says so), each hold is finished or
reminded once; each guard sees the other's deliveries in the recipient history within 5 s."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from quarantine import deliveries
from quarantine.deliveries import DeliveryHistory
from quarantine.reminders import ReminderPolicy, Reminders
from quarantine.schema import recipient_history
from quarantine.store import Store
from quarantine.worker import Worker
from rules.model import Action

from .holds import held

QIDS = ("Q1", "Q2", "Q3")
WAITING = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


def _asyncpg(url: str) -> str:
    return "postgresql+asyncpg://" + url.split("://", 1)[1]


async def _nothing_sent(mail_from, rcpt_tos, raw, deadline=None) -> None:
    """The upstream: takes the notices of the expired holds (not what these tests count)."""


async def _two_stores(url: str) -> tuple[Store, Store]:
    return await Store.open(url), await Store.open(url)


async def _one_guard_busy(url: str, busy, other) -> tuple:
    """Run `busy()` while a transaction locks Q1's row, so that its round waits there with its
    advisory lock taken; run `other()` meanwhile; then let the first finish."""
    blocker = create_async_engine(url)
    try:
        async with blocker.begin() as conn:
            await conn.execute(text("SELECT id FROM held_messages WHERE id = 'Q1' FOR UPDATE"))
            first = asyncio.create_task(busy())
            # until the round waits on the row, its advisory lock held: 5 s was too short once
            # in a loaded clone (four workers on two cores), so up to 30 s
            for _ in range(600):
                await asyncio.sleep(0.05)
                waiting = (await conn.execute(WAITING)).scalar()
                if waiting:
                    break
            assert waiting, "the first round never reached the locked row"
            second = await other()
        return await first, second
    finally:
        await blocker.dispose()


def test_the_expiry_sweep_runs_on_one_guard_and_each_hold_expires_once(postgres_url, caplog):
    url = _asyncpg(postgres_url)

    async def scenario():
        a, b = await _two_stores(url)
        try:
            for qid in QIDS:
                await a.hold(held(qid), csrf="c", expires_at=time.time() + 1)
            worker_a = Worker(a, _nothing_sent, notice_from="g@example.co.jp")
            worker_b = Worker(b, _nothing_sent, notice_from="g@example.co.jp")
            later = time.time() + 60
            await _one_guard_busy(url, lambda: worker_a.run_once(later), lambda: worker_b.run_once(later))
            states = [(await b.get(q)).state for q in QIDS]
            trails = [[e.action for e in await b.audit_trail(q)].count("expired") for q in QIDS]
            await worker_b.run_once(later + 1)  # the next round: nothing left to expire
            again = [[e.action for e in await b.audit_trail(q)].count("expired") for q in QIDS]
            return worker_a.expiry_lock, worker_b.expiry_lock, states, trails, again
        finally:
            await a.close()
            await b.close()

    with caplog.at_level(logging.INFO, logger="guard.cluster"):
        lock_a, lock_b, states, trails, again = asyncio.run(scenario())
    assert (lock_a.rounds, lock_a.skipped) == (1, 0)
    assert (lock_b.rounds, lock_b.skipped) == (1, 1)  # skipped while A swept; ran the next one
    assert "event=expiry_skipped reason=another_instance" in caplog.text
    assert states == ["expired"] * 3
    assert trails == again == [1, 1, 1]


def test_the_reminders_round_runs_on_one_guard_and_each_hold_is_reminded_once(postgres_url, caplog):
    url = _asyncpg(postgres_url)
    policy = ReminderPolicy(
        after=3600.0, every=86400.0, public_url="http://g.test", notice_from="g@example.co.jp"
    )

    async def scenario():
        a, b = await _two_stores(url)
        try:
            for qid in QIDS:
                msg = dataclasses.replace(held(qid), kind=Action.HOLD)
                await a.hold(msg, csrf="c", expires_at=time.time() + 3 * 86400)
            rem_a, rem_b = Reminders(a, policy), Reminders(b, policy)
            later = time.time() + 3600 + 60
            counts = await _one_guard_busy(url, lambda: rem_a.run_once(later), lambda: rem_b.run_once(later))
            sent = [[e.action for e in await b.audit_trail(q)].count("reminder_sent") for q in QIDS]
            return rem_a.lock, rem_b.lock, counts, sent
        finally:
            await a.close()
            await b.close()

    with caplog.at_level(logging.INFO, logger="guard.cluster"):
        lock_a, lock_b, counts, sent = asyncio.run(scenario())
    assert counts == (3, 0)
    assert (lock_a.rounds, lock_b.rounds, lock_b.skipped) == (1, 0, 1)
    assert "event=reminders_skipped reason=another_instance" in caplog.text
    assert sent == [1, 1, 1]


def test_on_sqlite_one_guard_takes_no_lock(sqlite_url):
    async def scenario():
        store = await Store.open(sqlite_url)
        try:
            await store.hold(held("Q1"), csrf="c", expires_at=time.time() + 1)
            worker = Worker(store, _nothing_sent, notice_from="g@example.co.jp")
            await worker.run_once(time.time() + 60)
            return worker.expiry_lock, (await store.get("Q1")).state
        finally:
            await store.close()

    lock, state = asyncio.run(scenario())
    assert (lock.rounds, lock.skipped, state) == (1, 0, "expired")


def test_each_guard_sees_the_others_deliveries_within_5_s(postgres_url):
    url = _asyncpg(postgres_url)

    async def scenario():
        a, b = await _two_stores(url)
        hist_a = DeliveryHistory(a.engine, writing=a.writing)
        hist_b = DeliveryHistory(b.engine, writing=b.writing)
        await hist_a.load()
        await hist_b.load()
        stop = asyncio.Event()
        tasks = [asyncio.create_task(h.run(stop)) for h in (hist_a, hist_b)]
        seen = []
        try:
            # Delivered long ago and written only now (a backlog after an outage): not read by
            # the incremental refresh, which reads the rows of the last seconds only.
            async with a.writing() as conn:
                await conn.execute(
                    recipient_history.insert().values(
                        sender="old@example.co.jp",
                        address="x@old.example",
                        domain="old.example",
                        first_at=0.0,
                        last_at=time.time() - 3600,
                        deliveries=1,
                    )
                )
            for giver, taker, sender in (
                (hist_a, hist_b, "taro@example.co.jp"),
                (hist_b, hist_a, "hanako@example.co.jp"),
            ):
                started = time.monotonic()
                giver.delivered(sender, ["p@client.example"])
                while "p@client.example" not in taker.snapshot(sender, ["p@client.example"]).sender_addresses:
                    assert time.monotonic() - started < 5, "not seen within 5 s"
                    await asyncio.sleep(0.05)
                seen.append(time.monotonic() - started)
            refreshes = hist_b.refreshes
            await asyncio.sleep(4.5)
            refreshes = hist_b.refreshes - refreshes
            old = hist_b.snapshot("old@example.co.jp", ["x@old.example"]).sender_addresses
            async with b.reading() as conn:
                rows = (await conn.execute(select(recipient_history.c.sender))).all()
        finally:
            stop.set()
            await asyncio.gather(*tasks)
            await a.close()
            await b.close()
        return seen, refreshes, old, len(rows)

    seen, refreshes, old, rows = asyncio.run(scenario())
    assert all(s < 5 for s in seen), seen
    assert refreshes >= 2, "a refresh about every 2 s"
    assert deliveries.REFRESH_EVERY <= 2.0
    assert old == frozenset() and rows == 3  # the old row is there, read at the next start only


def test_v013_indexes_the_history_by_last_delivery(store_url):
    from sqlalchemy import inspect

    async def scenario():
        store = await Store.open(store_url)
        try:
            async with store.reading() as conn:
                return await conn.run_sync(lambda c: inspect(c).get_indexes("recipient_history"))
        finally:
            await store.close()

    indexes = {i["name"]: i["column_names"] for i in asyncio.run(scenario())}
    assert indexes["ix_history_last_at"] == ["last_at"]


def test_a_round_cancelled_at_its_unlock_does_not_leave_the_lock_held_in_the_pool(postgres_url):
    """A shutdown cancels the round, then cancels again while it unlocks: the connection is
    closed, not pooled with the lock, so the other guards' rounds are not skipped forever.
    (The installed SQLAlchemy also terminates a connection whose check-in is cancelled, so
    this passes without _unlock's own close too: it guards the behaviour, whichever does it.)"""
    from quarantine.cluster_lock import KEYS, ClusterLock

    url = _asyncpg(postgres_url)

    async def scenario():
        engine, other = create_async_engine(url), create_async_engine(url)
        try:
            lock = ClusterLock(engine, "expiry")
            inside = asyncio.Event()

            async def a_round():
                async with lock.round() as mine:
                    assert mine
                    inside.set()
                    await asyncio.sleep(30)

            task = asyncio.create_task(a_round())
            await inside.wait()
            while not task.done():  # cancel at every step, the unlock's included
                task.cancel()
                await asyncio.sleep(0)
            free = False
            deadline = time.monotonic() + 5
            while not free and time.monotonic() < deadline:
                async with other.connect() as conn:
                    free = (
                        await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": KEYS["expiry"]})
                    ).scalar()
                    if free:
                        await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": KEYS["expiry"]})
                    await conn.commit()
                await asyncio.sleep(0.1)
            assert free, "the cancelled round's connection still holds the lock"
            async with lock.round() as again:  # and this guard's own next round runs
                assert again
        finally:
            await engine.dispose()
            await other.dispose()

    asyncio.run(scenario())
