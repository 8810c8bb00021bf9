"""Review of issue 19 (reminders, supervisor Bcc) from an attacker's view: each test states
the behaviour that should hold; a failing one is a finding."""

from __future__ import annotations

from inspectors.base import Finding
from rules import MessageFacts, decide
from rules.loader import parse_rules_text
from rules.model import Organization, RuleSet

from .support import message

EXT = Finding(code="recipients.external", count=1, where=("envelope",))
RULE = "rules:\n  - {id: bcc-boss, when: {recipients: external}, action: pass, add_bcc: [approvers]}\n"


def _ruleset(approvers: tuple[str, ...]) -> RuleSet:
    org = Organization(internal_domains=("example.co.jp",), approvers={"sales": approvers})
    groups = {"sales": ("taro@example.co.jp",)}
    return RuleSet(rules=tuple(parse_rules_text(RULE, "local.yaml", groups, organization=org)), groups=groups, organization=org)


def test_a_source_routed_approver_is_not_added_as_a_supervisor_bcc():
    # The loader refuses `a%b@example.co.jp` as an add_bcc entry (is_source_routed), but an
    # approver resolved at decide() time is only checked with is_within(domain_of()).
    rules = _ruleset(("boss%partner.example@example.co.jp",))
    facts = MessageFacts(mail_from="taro@example.co.jp", rcpt_tos=("p@client.example",))
    assert decide([EXT], facts, rules).add_bcc == ()


def test_an_approver_entry_with_two_addresses_is_not_added_as_a_supervisor_bcc():
    # domain_of() takes the text after the LAST '@' ("example.co.jp": internal), while
    # aiosmtplib's quote_address() sends RCPT TO:<advisor@partner.example> (the FIRST one).
    rules = _ruleset(("advisor@partner.example,bucho@example.co.jp",))
    facts = MessageFacts(mail_from="taro@example.co.jp", rcpt_tos=("p@client.example",))
    assert decide([EXT], facts, rules).add_bcc == ()


def test_a_comma_in_an_approver_does_not_send_the_message_outside(guard_factory, upstream, tmp_path):
    """End to end: organization.groups.*.approvers accepts any text with an '@' not in front;
    an admin's 'a@x, b@y' typed as one entry makes the guard Bcc the message to a@x."""
    (tmp_path / "local.yaml").write_text(RULE, "utf-8")
    org = {
        "internal_domains": ["example.co.jp"],
        "groups": {
            "sales": {
                "members": ["taro@example.co.jp"],
                "approvers": ["advisor@partner.example,bucho@example.co.jp"],
            }
        },
    }
    guard = guard_factory(rules=[str(tmp_path / "local.yaml")], organization=org).start()
    raw = message("お見積り", to="partner@client.example")
    assert guard.submit(raw, "taro@example.co.jp", "partner@client.example")[0] == 250
    [got] = upstream.recorder.wait_for(1)
    assert "advisor@partner.example" not in got.rcpt_tos, got.rcpt_tos


def test_the_reminders_due_query_does_not_read_the_held_rows(tmp_path):
    """Every poll (2 s, and each wake) runs the reminders' due query over every live hold. Its
    only index is (state, expires_at); kind and reminded_at come after `raw` in the row, so SQLite
    walks each held message's overflow pages to read them: 5,000 holds of 1 MB took 1.7 s per
    poll in review (10 ms without the columns after raw). It must be answered from an index."""
    import asyncio
    import time

    from sqlalchemy import event, text

    from quarantine.reminders import ReminderPolicy, Reminders
    from quarantine.store import Store

    from .holds import held

    async def main():
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}")
        seen: list[tuple[str, object]] = []

        def grab(conn, cursor, statement, parameters, context, executemany):
            if "held_messages" in statement and "reminded_at" in statement and statement.lstrip().startswith("SELECT"):
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
                    cursor = await raw.driver_connection.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                    plans.append([row[-1] for row in await cursor.fetchall()])
            return plans
        finally:
            await store.close()

    # Each SELECT of the round: answered from an index alone, or a fetch by id (of the due ones).
    for plan in asyncio.run(main()):
        assert any("COVERING INDEX" in step or "(id=?)" in step for step in plan), plan


def test_a_supervisor_refused_upstream_is_not_named_to_the_sender(guard_factory, upstream, tmp_path):
    """README: an upstream that refuses a supervisor's address refuses the message (by design).
    But the reply the client gets (and the bounce the sender reads) quotes the upstream's
    per-recipient text, so a pass-through sender learns the Bcc address the README says only
    hold pages and the console show; and every matching mail of every sender bounces 5xx
    for a reason none of them can fix."""
    (tmp_path / "local.yaml").write_text(
        "rules:\n  - {id: bcc, when: {recipients: external}, action: pass, add_bcc: [kacho@example.co.jp]}\n",
        "utf-8",
    )
    org = {"internal_domains": ["example.co.jp"], "groups": {}}
    upstream.recorder.refuse_rcpt["kacho@example.co.jp"] = "550 5.1.1 <kacho@example.co.jp>: user unknown"
    guard = guard_factory(rules=[str(tmp_path / "local.yaml")], organization=org).start()
    code, text = guard.submit(message("お見積り", to="partner@client.example"), "taro@example.co.jp", "partner@client.example")[:2]
    reply = text.decode() if isinstance(text, bytes) else str(text)
    assert "kacho" not in reply, (code, reply)


def test_a_release_does_not_bcc_an_address_outside_the_internal_domains(tmp_path):
    """enqueue_release (quarantine/outbound.py) adds the hold-time decision's add_bcc as stored,
    with no check at release time: an external address that slipped into a decision (the
    comma approver above, or a domain dropped from organization.internal_domains since) still
    gets the held message when it is released — the admin's fix of the configuration does not
    protect what is already held."""
    import asyncio
    import dataclasses
    import time

    from quarantine.records import HoldState
    from quarantine.store import Store
    from rules.model import Decision

    from .holds import held

    async def main():
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}")
        try:
            msg = held("Q1")
            decision = Decision(action="hold", matched=msg.decision.matched, add_bcc=("advisor@partner.example",))
            await store.hold(dataclasses.replace(msg, decision=decision), csrf="c", expires_at=time.time() + 86400)
            assert await store.decide_hold("Q1", HoldState.RELEASED, actor="sender", client_addr=None)
            jobs = await store.claim(time.time() + 1, 60.0, limit=10)
            return [j.rcpt_tos for j in jobs if j.kind == "release"]
        finally:
            await store.close()

    [rcpts] = asyncio.run(main())
    assert "advisor@partner.example" not in rcpts, rcpts


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
                await conn.execute(update(table).where(table.c.id == "Q1").values(created_at=past, updated_at=past))
            reminders = Reminders(store, ReminderPolicy(after=after, every=every, notice_from="g@example.co.jp"))
            record = await store.get("Q1")
            # The first reminder went 6 hours ago (held + 4 h) ...
            assert await reminders.run_once(past + after) == 1
            await store.claim(past + after, 10 * every, limit=100)
            # ... and the sender fixes it now; it now needs approval.
            assert await store.replace_held(
                "Q1", read_at=record.updated_at, raw=msg.raw, rcpt_tos=msg.rcpt_tos, findings=msg.findings,
                summary=msg.summary, decision=msg.decision, kind=Action.HOLD_FOR_APPROVAL,
                expires_at=time.time() + 3 * every, actor="sender", client_addr=None, detail="",
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

            reminders = Reminders(store, ReminderPolicy(after=1.0, every=86400.0, notice_from="g@example.co.jp"))
            worker = Worker(store, send, notice_from="g@example.co.jp", reminders=reminders)
            with caplog.at_level(logging.INFO):
                await worker.run_once(time.time() + 10)
        finally:
            await store.close()

    asyncio.run(main())
    assert "reminders_error" in caplog.text
    logged = caplog.text
    assert "boss@example.co.jp" not in logged and "件名" not in logged, logged[-1500:]


def test_the_loader_refuses_add_bcc_entries_that_are_not_sent_as_written():
    """supervisor_bcc._ADDRESS lets through local parts that aiosmtplib's quote_address() rewrites
    (a comment '(' or '[' cuts the address: RCPT TO:<boss>, to the upstream's default domain) or
    that no upstream takes (a control character); each is a Bcc that never reaches the
    supervisor, or bounces every matching message."""
    import pytest

    from rules import RuleError

    org = Organization(internal_domains=("example.co.jp",), approvers={})
    for entry in ("boss(x@example.co.jp", "a[b]@example.co.jp", "bo\\x07ss@example.co.jp"):
        text = f'rules:\n  - {{id: b, when: {{recipients: external}}, action: pass, add_bcc: ["{entry}"]}}\n'
        with pytest.raises(RuleError):
            parse_rules_text(text, "local.yaml", {}, organization=org)
