"""Review 2 of issue 19, the reminders for forgotten holds, from an attacker's view: each
test states the behaviour that should hold (all failed before the fixes)."""

from __future__ import annotations


def test_the_reminders_due_query_does_not_read_the_held_rows(tmp_path):
    """Each round runs the reminders' due query over every live hold. With only the index
    (state, expires_at), kind and reminded_at came after `raw` in the row, so SQLite walked each
    held message's overflow pages to read them: 5,000 holds of 1 MB took 1.7 s per poll in
    review. It must be answered from an index (bench/reminders_scan.py measures it)."""
    import asyncio
    import time

    from sqlalchemy import event

    from quarantine.reminders import ReminderPolicy, Reminders
    from quarantine.store import Store

    from .holds import held

    async def main():
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}")
        seen: list[tuple[str, object]] = []

        def grab(conn, cursor, statement, parameters, context, executemany):
            if (
                "held_messages" in statement
                and "reminded_at" in statement
                and statement.lstrip().startswith("SELECT")
            ):
                seen.append((statement, parameters))

        try:
            await store.hold(held("Q1"), csrf="c", expires_at=time.time() + 86400)
            event.listen(store.engine.sync_engine, "before_cursor_execute", grab)
            await Reminders(store, ReminderPolicy(after=3600.0, every=86400.0)).run_once(time.time())
            event.remove(store.engine.sync_engine, "before_cursor_execute", grab)
            assert seen
            plans = []
            async with store.reading() as conn:
                raw = await conn.get_raw_connection()
                for statement, parameters in seen:
                    cursor = await raw.driver_connection.execute(
                        "EXPLAIN QUERY PLAN " + statement, parameters
                    )
                    plans.append([row[-1] for row in await cursor.fetchall()])
            return plans
        finally:
            await store.close()

    # Each SELECT of the round: answered from an index alone, or a fetch by id (of the due ones).
    for plan in asyncio.run(main()):
        assert any("COVERING INDEX" in step or "(id=?)" in step for step in plan), plan


def test_a_hold_fixed_into_an_approval_hold_reminds_its_approvers_after_remind_after(tmp_path):
    """reminders.py: a hold is recalled `after` seconds after it was held *or last fixed by the
    sender*. A hold reminded once, then fixed by its sender into an approval hold, keeps its
    reminded_at (the fix does not reset it): next_at() is max(fix + after, reminded_at + every),
    so the new approvers are first reminded up to remind_every (1 day) late, and the sender
    never gets the one "still waiting for approval" reminder (first=0)."""
    import asyncio
    import time

    from quarantine.records import HoldState
    from quarantine.reminders import ReminderPolicy, Reminders
    from quarantine.store import Store
    from rules.model import Action

    from .holds import held

    after, every = 4 * 3600.0, 86400.0

    async def main():
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}")
        try:
            msg = held("Q1")
            await store.hold(msg, csrf="c", expires_at=time.time() + 3 * every)
            from sqlalchemy import update

            from quarantine.schema import held as table

            past = time.time() - 10 * 3600  # held 10 hours ago
            async with store.writing() as conn:
                await conn.execute(
                    update(table).where(table.c.id == "Q1").values(created_at=past, updated_at=past)
                )
            reminders = Reminders(
                store, ReminderPolicy(after=after, every=every, notice_from="g@example.co.jp")
            )
            record = await store.get("Q1")
            # The first reminder went 6 hours ago (held + 4 h) ...
            assert await reminders.run_once(past + after) == 1
            await store.claim(past + after, 10 * every, limit=100)
            # ... and the sender fixes it now; it now needs approval.
            assert await store.replace_held(
                "Q1",
                read_at=record.updated_at,
                raw=msg.raw,
                rcpt_tos=msg.rcpt_tos,
                findings=msg.findings,
                summary=msg.summary,
                decision=msg.decision,
                kind=Action.HOLD_FOR_APPROVAL,
                expires_at=time.time() + 3 * every,
                actor="sender",
                client_addr=None,
                detail="",
                approvers=("boss@example.co.jp",),
            )
            fixed = await store.get("Q1")
            assert fixed.state == HoldState.HELD
            when = fixed.updated_at + after + 1  # 4 hours after the fix, nobody acted
            count = await reminders.run_once(when)
            jobs = await store.claim(when, 10 * every, limit=100)
            return count, sorted((j.draft.template, j.rcpt_tos) for j in jobs if j.draft is not None)
        finally:
            await store.close()

    count, drafts = asyncio.run(main())
    assert count == 1 and ("approval_reminder", ("boss@example.co.jp",)) in drafts, (count, drafts)


def test_a_failed_reminder_round_logs_no_address_nor_subject(tmp_path, caplog):
    """worker.py logs a failed round with log.exception("event=reminders_error"). The engine is
    made without hide_parameters, so a database error while queueing the reminder (locked,
    disk full, a statement timeout) carries "[parameters: ...]": the approver's address, the
    sender's address and the subject (the draft's JSON) go to the log with the traceback."""
    import asyncio
    import logging
    import time

    from sqlalchemy import text

    from quarantine.reminders import ReminderPolicy, Reminders
    from quarantine.store import Store
    from quarantine.worker import Worker
    from rules.model import Action

    from .holds import held

    async def main():
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}")
        try:
            import dataclasses

            msg = dataclasses.replace(held("Q1"), kind=Action.HOLD_FOR_APPROVAL)
            await store.hold(msg, csrf="c", expires_at=time.time() + 86400, approvers=("boss@example.co.jp",))
            async with store.writing() as conn:  # stands for any database error at that insert
                await conn.execute(
                    text(
                        "CREATE TRIGGER no_room BEFORE INSERT ON outbound "
                        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
                    )
                )

            async def send(*args, **kwargs):
                return None

            reminders = Reminders(
                store, ReminderPolicy(after=1.0, every=86400.0, notice_from="g@example.co.jp")
            )
            worker = Worker(store, send, notice_from="g@example.co.jp", reminders=reminders)
            with caplog.at_level(logging.INFO):
                await worker.run_once(time.time() + 10)
        finally:
            await store.close()

    asyncio.run(main())
    assert "reminders_error" in caplog.text
    logged = caplog.text
    assert "boss@example.co.jp" not in logged and "件名" not in logged, logged[-1500:]


def test_a_guard_runs_its_reminders_at_most_once_a_minute(tmp_path):
    """The worker polls every 2 s and wakes at every message queued; the reminders' round (a
    query over every live hold) runs at most once a minute per guard, a reminder being due
    hours after its hold."""
    import asyncio
    import time

    from sqlalchemy.ext.asyncio import create_async_engine

    from quarantine.reminders import ReminderPolicy
    from quarantine.worker import REMINDERS_EVERY, Worker

    rounds: list[float] = []

    class Counting:
        policy = ReminderPolicy()  # remind_after 4h: the worker's own pace, a minute, holds

        async def run_once(self, now: float) -> int:
            rounds.append(now)
            return 0

    class Idle:
        engine = create_async_engine("sqlite+aiosqlite://")  # SQLite: the expiry sweep takes no lock

        async def due_expiries(self, now):
            return []

        async def claim(self, now, lease):
            return []

    async def send(*args, **kwargs):
        return None

    async def main():
        worker = Worker(Idle(), send, notice_from="g@example.co.jp", reminders=Counting())  # type: ignore[arg-type]
        t0 = time.time()
        for step in (0.0, 2.0, 30.0, REMINDERS_EVERY - 0.5, REMINDERS_EVERY, REMINDERS_EVERY + 2):
            await worker.run_once(t0 + step)
        return t0

    t0 = asyncio.run(main())
    assert rounds == [t0, t0 + REMINDERS_EVERY], rounds
