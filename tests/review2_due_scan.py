"""Per-poll cost of Reminders.run_once with N held rows, none due (all fixed/created recently)."""
import asyncio, sys, time, dataclasses
sys.path.insert(0, "/work/wt-review2")
from sqlalchemy import text, insert
from quarantine.store import Store
from quarantine.schema import held as H
from quarantine.reminders import Reminders, ReminderPolicy
from tests.holds import held

N = int(sys.argv[1])
async def main():
    store = await Store.open(f"sqlite+aiosqlite:////tmp/r2/due{N}_{sys.argv[2]}.db")
    await store.hold(held("seed"), csrf="c", expires_at=time.time() + 86400)
    now = time.time()
    async with store.writing() as conn:
        row = (await conn.execute(H.select().where(H.c.id == "seed"))).one()._asdict()
        rows = [dict(row, id=f"q{i}", token_hash=f"t{i}", raw=b"x" * int(sys.argv[2]), created_at=now, updated_at=now) for i in range(N)]
        for k in range(0, N, 5000):
            await conn.execute(insert(H), rows[k:k+5000])
    r = Reminders(store, ReminderPolicy(after=4*3600, every=86400))
    for _ in range(2):
        t = time.perf_counter(); n = await r.run_once(time.time()); dt = time.perf_counter() - t
    print(f"raw={sys.argv[2]} N={N} reminded={n} run_once={dt*1000:.1f} ms")
    async with store.reading() as conn:
        plan = (await conn.execute(text("EXPLAIN QUERY PLAN SELECT id FROM held_messages WHERE state='held' AND kind!='delay' AND expires_at > :n AND updated_at + 14400 <= :n AND (reminded_at IS NULL OR reminded_at + 86400 <= :n) LIMIT 100"), {"n": time.time()})).all()
    print(plan)
    await store.close()
asyncio.run(main())
