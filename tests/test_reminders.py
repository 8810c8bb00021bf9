"""Reminders for forgotten holds (issue 19): the schedule, who is reminded, one reminder per due
time however many guards share the store, and the reminder's words."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import re
import time
from zoneinfo import ZoneInfo

from quarantine.notice import render
from quarantine.records import HoldState
from quarantine.reminders import ReminderPolicy, Reminders
from quarantine.store import Store
from quarantine.worker import Worker
from rules.model import Action

from .holds import held

AFTER, EVERY = 4 * 3600.0, 86400.0
EXPIRY = 3 * 86400.0
POLICY = ReminderPolicy(
    after=AFTER,
    every=EVERY,
    public_url="http://guard.test",
    notice_from="guard@example.co.jp",
    notice_name="送信確認係",
    zone=ZoneInfo("Asia/Tokyo"),
)
APPROVERS = ("boss@example.co.jp", "deputy@example.co.jp")


def _run(scenario, url: str):
    async def main():
        store = await Store.open(url)
        try:
            return await scenario(store)
        finally:
            await store.close()

    return asyncio.run(main())


async def _hold(store: Store, qid: str, kind: Action = Action.HOLD, expiry: float = EXPIRY) -> float:
    """A held message of `kind`; when it was held."""
    msg = dataclasses.replace(held(qid), kind=kind)
    approvers = APPROVERS if kind == Action.HOLD_FOR_APPROVAL else None
    await store.hold(msg, csrf="c", expires_at=time.time() + expiry, approvers=approvers)
    record = await store.get(qid)
    assert record is not None
    return record.created_at


async def _drafts(store: Store, now: float) -> list:
    """The reminders queued and not yet claimed: (template, recipients)."""
    jobs = await store.claim(now, 10 * EVERY, limit=100)  # not claimed again in the test
    return sorted((j.draft.template, j.rcpt_tos) for j in jobs if j.draft is not None)


def test_first_after_remind_after_then_every_remind_every_none_after_expiry(sqlite_url):
    async def scenario(store: Store):
        t0 = await _hold(store, "Q1", expiry=AFTER + 2.5 * EVERY)
        await store.claim(t0, 60)  # nothing but reminders from here on (held() queues none)
        reminders = Reminders(store, POLICY)
        seen: list[tuple[float | str, int]] = []
        for at in (AFTER - 1, AFTER, AFTER + 60, AFTER + EVERY - 1, AFTER + EVERY, AFTER + 2 * EVERY):
            seen.append((at, await reminders.run_once(t0 + at)))
        # Past the expiry (the worker cancels it then) nothing more is due, even unexpired.
        seen.append(("late", await reminders.run_once(t0 + AFTER + 3 * EVERY)))
        drafts = await _drafts(store, t0 + AFTER + 3 * EVERY)
        trail = [e for e in await store.audit_trail("Q1") if e.action == "reminder_sent"]
        return seen, drafts, trail

    seen, drafts, trail = _run(scenario, sqlite_url)
    assert seen == [
        (AFTER - 1, 0),
        (AFTER, 1),
        (AFTER + 60, 0),
        (AFTER + EVERY - 1, 0),
        (AFTER + EVERY, 1),
        (AFTER + 2 * EVERY, 1),
        ("late", 0),
    ]
    assert drafts == [("hold_reminder", ("taro@example.co.jp",))] * 3
    assert [e.detail for e in trail] == ["first=1 sender=1 approvers=0"] + [
        "first=0 sender=1 approvers=0"
    ] * 2
    assert all(e.actor == "system" and "@" not in e.detail for e in trail), "no personal data"


def test_a_delay_is_never_reminded_and_a_decided_hold_no_more(sqlite_url):
    async def scenario(store: Store):
        t0 = await _hold(store, "D1", kind=Action.DELAY)
        await _hold(store, "H1")
        await store.decide_hold("H1", HoldState.CANCELLED, actor="sender", client_addr=None)
        reminders = Reminders(store, POLICY)
        return await reminders.run_once(t0 + AFTER + 10), await _drafts(store, t0 + AFTER + 10)

    assert _run(scenario, sqlite_url) == (0, [])


def test_off_means_none_and_every_off_means_once(sqlite_url):
    async def scenario(store: Store):
        t0 = await _hold(store, "Q1")
        off = Reminders(store, dataclasses.replace(POLICY, after=0))
        once = Reminders(store, dataclasses.replace(POLICY, every=0))
        return [
            await off.run_once(t0 + AFTER),
            await once.run_once(t0 + AFTER),
            await once.run_once(t0 + AFTER + EVERY),
            await once.run_once(t0 + AFTER + 2 * EVERY),
        ]

    assert _run(scenario, sqlite_url) == [0, 1, 0, 0]


def test_an_approval_hold_reminds_its_approvers_and_its_sender_only_once(sqlite_url):
    async def scenario(store: Store):
        t0 = await _hold(store, "A1", kind=Action.HOLD_FOR_APPROVAL)
        await store.claim(t0, 60)
        reminders = Reminders(store, POLICY)
        await reminders.run_once(t0 + AFTER)
        first = await _drafts(store, t0 + AFTER)
        await reminders.run_once(t0 + AFTER + EVERY)
        second = await _drafts(store, t0 + AFTER + EVERY)
        return first, second

    first, second = _run(scenario, sqlite_url)
    approvers = [("approval_reminder", (a,)) for a in APPROVERS]
    assert first == sorted([*approvers, ("hold_reminder", ("taro@example.co.jp",))])
    assert second == approvers, "the sender cannot approve: he is not told again every day"


def test_two_guards_on_one_store_send_one_reminder_per_due_time(store_url):
    async def scenario(first: Store):
        second = await Store.open(store_url)
        try:
            t0 = await _hold(first, "Q1")
            guards = [Reminders(first, POLICY), Reminders(second, POLICY)]
            counts = []
            for at in (AFTER, AFTER + 1, AFTER + EVERY, AFTER + EVERY + 1):
                # Both guards look at the same moment; each round's claims race.
                counts.append(sum(await asyncio.gather(*(g.run_once(t0 + at) for g in guards))))
            return counts, await _drafts(first, t0 + AFTER + EVERY + 2)
        finally:
            await second.close()

    counts, drafts = _run(scenario, store_url)
    assert counts == [1, 0, 1, 0]
    assert drafts == [("hold_reminder", ("taro@example.co.jp",))] * 2


def test_a_reminder_whose_hold_is_decided_before_it_goes_is_dropped(sqlite_url):
    sent: list = []

    async def send(mail_from, rcpt_tos, raw, deadline=None):
        sent.append(raw)

    async def scenario(store: Store):
        t0 = await _hold(store, "Q1")
        await store.claim(t0, 60)
        reminders = Reminders(store, POLICY)
        worker = Worker(store, send, notice_from="guard@example.co.jp", reminders=reminders)
        assert await reminders.run_once(t0 + AFTER) == 1
        await store.decide_hold("Q1", HoldState.RELEASED, actor="sender", client_addr=None)
        await worker.run_once(t0 + AFTER + 1)
        return [e.action for e in await store.audit_trail("Q1")]

    trail = _run(scenario, sqlite_url)
    assert not [raw for raw in sent if b"Reminder" in raw]
    assert "reminder_dropped" in trail and "notice_failed" not in trail


def test_the_worker_sends_the_reminder_with_a_working_link(sqlite_url):
    sent: list = []

    async def send(mail_from, rcpt_tos, raw, deadline=None):
        sent.append(raw)

    async def scenario(store: Store):
        t0 = await _hold(store, "Q1")
        await store.claim(t0, 60)
        worker = Worker(store, send, notice_from="guard@example.co.jp", reminders=Reminders(store, POLICY))
        await worker.run_once(t0 + AFTER)
        [raw] = sent
        token = re.search(r"http://guard\.test/h/([A-Za-z0-9_\-]+)", _text(raw))
        assert token is not None, "the reminder carries a link"
        link = await store.by_link(token.group(1))
        return raw, link

    raw, link = _run(scenario, sqlite_url)
    assert link is not None and link.record.id == "Q1" and link.role == "sender"
    assert "[再通知 / Reminder]" in email.message_from_bytes(raw, policy=email.policy.default)["Subject"]


def _text(raw: bytes) -> str:
    return email.message_from_bytes(raw, policy=email.policy.default).get_content()


POLITE_ENDINGS = ("です。", "ます。", "ください。", "ません。", "ました。", "でした。")


def test_the_reminders_are_polite_japanese_first_with_the_zone_named(sqlite_url):
    async def scenario(store: Store):
        t0 = await _hold(store, "A1", kind=Action.HOLD_FOR_APPROVAL)
        await _hold(store, "H1")
        await store.claim(t0, 60)
        await Reminders(store, POLICY).run_once(t0 + AFTER + 5)
        jobs = await store.claim(t0 + AFTER + 5, 60, limit=100)
        return [render(j.draft.template, j.draft.args, "http://guard.test/h/T") for j in jobs if j.draft]

    notices = _run(scenario, sqlite_url)
    assert len(notices) == 4  # H1's sender, A1's sender and its two approvers
    for raw in notices:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert msg["From"].addresses[0].display_name == "送信確認係"
        body = msg.get_content()
        japanese = body.split("\n-- \n")[0]
        assert "http://guard.test/h/T" in japanese and "(JST)" in japanese
        assert re.search(r"[\u3040-\u30ff]", japanese) and body.index("-- ") > body.index("(JST)")
        sentences = [s + "。" for s in japanese.replace("\n", "").split("。") if s.strip()][:-1]
        assert sentences
        for sentence in sentences:
            assert sentence.endswith(POLITE_ENDINGS) or sentence.endswith("）。"), sentence


def test_next_at_is_what_the_page_shows(sqlite_url):
    async def scenario(store: Store):
        t0 = await _hold(store, "Q1", expiry=AFTER + 1.5 * EVERY)
        await _hold(store, "D1", kind=Action.DELAY)
        before = await store.get("Q1")
        await Reminders(store, POLICY).run_once(t0 + AFTER)
        after = await store.get("Q1")
        await Reminders(store, POLICY).run_once(t0 + AFTER + EVERY)
        last = await store.get("Q1")
        delay = await store.get("D1")
        return t0, before, after, last, delay

    t0, before, after, last, delay = _run(scenario, sqlite_url)
    assert POLICY.next_at(before) == t0 + AFTER
    assert POLICY.next_at(after) == t0 + AFTER + EVERY
    assert POLICY.next_at(last) is None, "the next would come after the expiry"
    assert POLICY.next_at(delay) is None and dataclasses.replace(POLICY, after=0).next_at(before) is None
