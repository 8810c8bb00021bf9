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
