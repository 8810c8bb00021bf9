"""The lists of a signed-in person's own page (quarantine/me_list.py) after v016: exact, indexed
matches paged in SQL — the mailbox written with the hold, the approvers in their own table — so
no flood of other mail, look-alike or not, hides a person's own; and v016 filling the holds made
before it, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import json
import time
from itertools import chain

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import create_async_engine

from quarantine.me_list import PAGE, mine, mine_count, to_approve, to_approve_count
from quarantine.migrate import available
from quarantine.schema import held, held_approvers, schema_version
from quarantine.store import Store
from rules.model import Action

from .approvals import BOSS, SENDER, mail
from .approvals import held as held_message

JURGEN = "jürgen@例え.jp"  # a non-ASCII approver: JSON stores him escaped
LOOK_ALIKES = (
    "xhanako@example.co.jp",
    "hanako.sato@example.co.jp",
    "hanako@example.co",
    "hanako@sub.example.co.jp",
)


def _row(qid: str, sender: str, approvers: list[str] | None, created_at: float) -> dict:
    """A hold as v005-v015 stored it (no sender_box; approvers only as JSON)."""
    kind = Action.HOLD_FOR_APPROVAL if approvers else Action.HOLD
    m = held_message(qid, mail("件", with_files=False), kind)
    return {
        "id": qid,
        "state": "held",
        "kind": kind,
        "created_at": created_at,
        "updated_at": created_at,
        "expires_at": time.time() + 3600,
        "mail_from": sender,
        "rcpt_tos": json.dumps(list(m.rcpt_tos)),
        "raw": m.raw,
        "decision": json.dumps(m.decision.to_dict()),
        "findings": json.dumps([f.to_dict() for f in m.findings]),
        "summary": json.dumps(m.summary.to_dict()),
        "token_hash": f"{qid:0>64}",
        "csrf": "c",
        "approvers": None if approvers is None else json.dumps(approvers),
    }


def test_v016_fills_the_holds_made_before_it(store_url):
    async def scene():
        engine = create_async_engine(store_url)
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: schema_version.create(c))
            for version, name in available():
                if version >= 16:
                    break
                module = importlib.import_module(f"quarantine.migrations.{name}")
                await conn.run_sync(module.upgrade)
                await conn.execute(schema_version.insert().values(version=version, applied_at=0.0))
            now = time.time()
            for i, (sender, approvers) in enumerate(
                (
                    ('"Hanako"@Example.co.jp.', None),  # quoted, capitals, a trailing dot: hers
                    ("Hanako+sales@EXAMPLE.co.jp", [" Boss@Example.co.jp ", "JÜRGEN@例え.jp"]),
                    ("xhanako@example.co.jp", [BOSS, BOSS.upper()]),  # a look-alike; Boss twice
                    ("", None),  # the null sender, <>
                    ("hanako@example.co.jp", []),  # an empty list asks nobody
                )
            ):
                row = _row(f"M{i}", sender, approvers, now + i)
                await conn.execute(held.insert().values(row))
        await engine.dispose()
        store = await Store.open(store_url)
        try:
            async with store.reading() as conn:
                boxes = dict((await conn.execute(select(held.c.id, held.c.sender_box))).all())
                asked = sorted((await conn.execute(select(held_approvers))).all())
                indexes = await conn.run_sync(lambda c: inspect(c).get_indexes("held_messages"))
            later = time.time()
            return (
                boxes,
                asked,
                {i["name"]: i["column_names"] for i in indexes},
                [r.id for r in await mine(store, "HANAKO@example.co.jp", later)],
                [r.id for r in await to_approve(store, JURGEN)],
                [r.id for r in await to_approve(store, BOSS)],
            )
        finally:
            await store.close()

    boxes, asked, indexes, hers, jurgen, boss = asyncio.run(scene())
    assert boxes == {
        "M0": "hanako@example.co.jp",
        "M1": "hanako@example.co.jp",
        "M2": "xhanako@example.co.jp",
        "M3": "@",
        "M4": "hanako@example.co.jp",
    }
    assert asked == [("M1", BOSS), ("M1", "jürgen@例え.jp"), ("M2", BOSS)]
    assert indexes["ix_held_sender"] == ["sender_box", "created_at"]
    assert hers == ["M4", "M1", "M0"] and jurgen == ["M1"] and boss == ["M2", "M1"]


def test_a_flood_of_other_mail_never_hides_a_persons_own_and_pages_run_in_sql(store_url):
    """PAGE*2+1 of hanako's holds and approvals asked of a non-ASCII approver, under more
    newer look-alike holds and approvals asked of others than either list has: every one of
    hers is on some page, once, newest first; the counts are exact."""

    async def scene():
        store = await Store.open(store_url)
        try:
            base = held_message("T", mail("件", with_files=False))
            now, later = time.time(), time.time() + 3600
            for i in range(2 * PAGE + 1):
                message = dataclasses.replace(base, id=f"H{i:03d}", mail_from="Hanako+x@example.co.jp")
                await store.hold(
                    message, csrf="c", expires_at=later, token=f"h{i}", approvers=[JURGEN.upper()]
                )
            for i in range(3 * PAGE):  # newer, from look-alikes, asking look-alike approvers
                sender = LOOK_ALIKES[i % len(LOOK_ALIKES)]
                message = dataclasses.replace(base, id=f"Z{i:03d}", mail_from=sender)
                await store.hold(
                    message,
                    csrf="c",
                    expires_at=later,
                    token=f"z{i}",
                    approvers=["x" + JURGEN, "jürgen@例え.jpx"],
                )
            pages = [[r.id for r in await mine(store, SENDER, now, p)] for p in (1, 2, 3, 4)]
            waiting = [[r.id for r in await to_approve(store, JURGEN, p)] for p in (1, 2, 3, 4)]
            counts = (await mine_count(store, SENDER, now), await to_approve_count(store, JURGEN))
            return pages, waiting, counts
        finally:
            await store.close()

    pages, waiting, counts = asyncio.run(scene())
    expected = [f"H{i:03d}" for i in reversed(range(2 * PAGE + 1))]
    assert [len(p) for p in pages] == [PAGE, PAGE, 1, 0]
    assert list(chain(*pages)) == expected and list(chain(*waiting)) == expected
    assert counts == (2 * PAGE + 1, 2 * PAGE + 1)


def test_a_fix_that_asks_others_moves_the_hold_to_their_list(sqlite_url):
    """A sender's fix re-asks (store.replace_held with the new approvers): the hold leaves the
    old approver's list and enters the new one's, as approver_pages.asks now says."""

    async def scene():
        store = await Store.open(sqlite_url)
        try:
            message = held_message("R1", mail("件", with_files=False))
            await store.hold(message, csrf="c", expires_at=time.time() + 3600, token="r", approvers=[BOSS])
            before = [r.id for r in await to_approve(store, BOSS)]
            record = await store.get("R1")
            assert record is not None
            assert await store.replace_held(
                "R1",
                read_at=record.updated_at,
                raw=message.raw,
                rcpt_tos=message.rcpt_tos,
                findings=message.findings,
                summary=message.summary,
                decision=message.decision,
                kind=message.kind,
                expires_at=record.expires_at,
                actor="sender",
                client_addr=None,
                detail="test",
                approvers=[JURGEN.upper(), "Boss2@example.co.jp"],
            )
            return (
                before,
                [r.id for r in await to_approve(store, BOSS)],
                [r.id for r in await to_approve(store, JURGEN)],
                [r.id for r in await to_approve(store, "boss2@example.co.jp")],
            )
        finally:
            await store.close()

    assert asyncio.run(scene()) == (["R1"], [], ["R1"], ["R1"])
