"""Cost of one round of reminders (quarantine/reminders.py) over many live holds, none due.

Every guard runs the round each minute (quarantine/worker.py REMINDERS_EVERY). The due query
must be answered from ix_held_reminders alone: read from the rows, kind and reminded_at sit
after each message's bytes, in its overflow pages (review 2 measured 1.7 s a round for 5,000
holds of 1 MB; about 10 ms from the index).

Run from the repository root:  .venv/bin/python bench/reminders_scan.py [HOLDS] [SIZE]
Prints the round's time and the due query's plan. A temporary database, removed afterwards.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from quarantine.reminders import ReminderPolicy, Reminders  # noqa: E402
from quarantine.schema import held as table  # noqa: E402
from quarantine.store import Store  # noqa: E402
from tests.holds import held  # noqa: E402

PLAN = (
    "EXPLAIN QUERY PLAN SELECT id FROM held_messages WHERE state='held' AND kind!='delay' "
    "AND expires_at > :n AND updated_at <= :n - 14400 "
    "AND (reminded_at IS NULL OR reminded_at + 86400 <= :n) LIMIT 100"
)


async def main(holds: int, size: int, where: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{where / 'guard.db'}")
    try:
        await store.hold(held("seed"), csrf="c", expires_at=time.time() + 86400)
        now = time.time()
        async with store.writing() as conn:
            row = (await conn.execute(table.select().where(table.c.id == "seed"))).one()._asdict()
            rows = [
                dict(row, id=f"q{i}", token_hash=f"t{i}", raw=b"x" * size, created_at=now, updated_at=now)
                for i in range(holds)
            ]
            for k in range(0, holds, 1000):
                await conn.execute(insert(table), rows[k : k + 1000])
        reminders = Reminders(store, ReminderPolicy(after=4 * 3600, every=86400))
        for _ in range(2):  # the second round, with a warm cache
            start = time.perf_counter()
            count = await reminders.run_once(time.time())
            took = time.perf_counter() - start
        print(f"holds={holds} size={size} reminded={count} round={took * 1000:.1f} ms")
        async with store.reading() as conn:
            for step in (await conn.execute(text(PLAN), {"n": time.time()})).all():
                print(step[-1])
    finally:
        await store.close()


if __name__ == "__main__":
    holds = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    with tempfile.TemporaryDirectory() as where:
        asyncio.run(main(holds, size, Path(where)))
