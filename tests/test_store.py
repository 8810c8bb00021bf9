"""The store on both databases: one schema, one query layer, no message sent twice."""

from __future__ import annotations

import asyncio
import time

from quarantine.store import Store
from rules.model import Decision, MatchedRule

from .holds import held


def run(coro):
    return asyncio.run(coro)


def test_hold_round_trip_and_single_transition(store_url):
    async def scenario():
        store = await Store.open(store_url)
        try:
            await store.hold(
                held("Q1"),
                token="tok-1",
                csrf="c1",
                expires_at=time.time() + 60,
                notices=[("g@example.co.jp", ("taro@example.co.jp",), b"notice")],
                approver_tokens=[("tok-a", "boss@example.co.jp")],
            )
            link = await store.by_link("tok-1")
            record = link.record
            assert (link.role, link.actor) == ("sender", "taro@example.co.jp")
            assert record.summary.subject == "件名" and record.decision.matched[0].reason["ja"] == "理由"
            approver = await store.by_link("tok-a")
            assert (approver.role, approver.actor, approver.record.id) == (
                "approver",
                "boss@example.co.jp",
                "Q1",
            )
            assert await store.by_link("tok-2") is None
            results = await asyncio.gather(
                *(
                    store.decide_hold("Q1", "released", actor="sender", client_addr="127.0.0.1")
                    for _ in range(5)
                )
            )
            assert sorted(results) == [False] * 4 + [True]
            jobs = await store.claim(time.time(), lease=60)
            assert sorted(j.kind for j in jobs) == ["notice", "release"]
            release = next(j for j in jobs if j.kind == "release")
            assert release.raw == held("Q1").raw and release.rcpt_tos == ("p@client.example",)
            assert await store.claim(time.time(), lease=60) == [], "a leased job is not handed out again"
            actions = [e.action for e in await store.audit_trail("Q1")]
            assert actions == ["held", "released"]
        finally:
            await store.close()

    run(scenario())


def test_two_instances_never_claim_the_same_job(store_url):
    async def scenario():
        first, second = await Store.open(store_url), await Store.open(store_url)
        try:
            for i in range(30):
                await first.enqueue("notice", None, "g@example.co.jp", ["a@example.co.jp"], b"n%d" % i)
            now = time.time()
            claimed = []
            for _ in range(4):
                batches = await asyncio.gather(first.claim(now, 60, limit=5), second.claim(now, 60, limit=5))
                claimed += [job.id for batch in batches for job in batch]
            assert len(claimed) == len(set(claimed)) == 30
        finally:
            await first.close()
            await second.close()

    run(scenario())


def test_migrations_are_idempotent_and_concurrent(store_url):
    async def scenario():
        stores = await asyncio.gather(*(Store.open(store_url) for _ in range(3)))
        for store in stores:
            await store.close()
        store = await Store.open(store_url)
        await store.close()

    run(scenario())


def test_rule_statistics_follow_what_senders_did(store_url):
    from quarantine.decisions import DecisionLog, DecisionRecord
    from rules.model import MessageFacts

    async def scenario():
        store = await Store.open(store_url)
        log = DecisionLog(store.engine)
        try:
            facts = MessageFacts(mail_from="taro@example.co.jp", rcpt_tos=("p@client.example",))
            watch = MatchedRule(id="watch", action="hold", mode="monitor", reason={}, findings=())
            for qid, state in (("A", "released"), ("B", "cancelled"), ("C", "expired"), ("D", None)):
                message = held(qid)
                decision = Decision(action="hold", matched=message.decision.matched + (watch,))
                log.record(
                    DecisionRecord(
                        id=qid, at=time.time(), facts=facts, findings=message.findings, decision=decision
                    )
                )
                if state:
                    await store.hold(message, token=f"t{qid}", csrf="c", expires_at=time.time() + 60)
                    actor = "system" if state == "expired" else "sender"
                    assert await store.decide_hold(qid, state, actor=actor, client_addr=None)
            await log.flush()
            stats = {s.rule_id: s for s in await log.rule_stats(time.time() - 60)}
            mine = stats["my-number-external"]
            assert (
                mine.matched,
                mine.held,
                mine.released_by_sender,
                mine.cancelled_by_sender,
                mine.expired,
            ) == (4, 3, 1, 1, 1)
            assert mine.release_rate == 0.5
            assert (stats["watch"].matched, stats["watch"].held) == (4, 0)
            replayed = await log.since(time.time() - 60)
            assert [r.id for r in replayed] == ["A", "B", "C", "D"]
            assert replayed[0].findings == held("A").findings and replayed[0].facts == facts
        finally:
            await store.close()

    run(scenario())
