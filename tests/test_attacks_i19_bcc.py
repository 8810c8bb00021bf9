"""Issue 19 review (supervisor Bcc, rules add_bcc) from an attacker's view: a Bcc must never
leave the internal domains, go to an address other than the one written, or name the
supervisor to the sender."""

from __future__ import annotations

import pytest

from inspectors.base import Finding
from proxy.errors import ConfigError
from proxy.settings import load_settings
from quarantine.delivery import PermanentFailure, hide_bcc
from rules import MessageFacts, RuleError, decide
from rules.loader import parse_rules_text
from rules.model import Organization, RuleSet

from .support import message

EXT = Finding(code="recipients.external", count=1, where=("envelope",))
RULE = "rules:\n  - {id: bcc-boss, when: {recipients: external}, action: pass, add_bcc: [approvers]}\n"


def _ruleset(approvers: tuple[str, ...]) -> RuleSet:
    org = Organization(internal_domains=("example.co.jp",), approvers={"sales": approvers})
    groups = {"sales": ("taro@example.co.jp",)}
    rules = tuple(parse_rules_text(RULE, "local.yaml", groups, organization=org))
    return RuleSet(rules=rules, groups=groups, organization=org)


def _bcc(approver: str) -> tuple[str, ...]:
    facts = MessageFacts(mail_from="taro@example.co.jp", rcpt_tos=("p@client.example",))
    return decide([EXT], facts, _ruleset((approver,))).add_bcc


def test_a_source_routed_approver_is_not_added_as_a_supervisor_bcc():
    # The approvers come from the settings; decide() checks them again as add_bcc entries.
    assert _bcc("boss%partner.example@example.co.jp") == ()


def test_an_approver_entry_with_two_addresses_is_not_added_as_a_supervisor_bcc():
    # domain_of() takes the text after the LAST '@', aiosmtplib sends to the FIRST one.
    assert _bcc("advisor@partner.example,bucho@example.co.jp") == ()
    assert _bcc("bucho@example.co.jp") == ("bucho@example.co.jp",)  # a plain one still is


@pytest.mark.parametrize(
    "entry",
    [
        "advisor@partner.example,bucho@example.co.jp",
        "advisor@partner.example bucho@example.co.jp",
        "boss%partner.example@example.co.jp",
        "Boss <boss@example.co.jp>",
        "boss(x@example.co.jp",
    ],
)
def test_the_settings_refuse_an_approver_that_is_not_one_plain_address(tmp_path, entry):
    path = tmp_path / "guard.yaml"
    path.write_text(
        "organization:\n  groups:\n    sales:\n      members: [taro@example.co.jp]\n"
        f"      approvers: ['{entry}']\n"
    )
    with pytest.raises(ConfigError, match=r"organization\.groups\.sales\.approvers"):
        load_settings(path, {})


def test_the_loader_refuses_add_bcc_entries_that_are_not_sent_as_written():
    """aiosmtplib's quote_address() rewrites a comment '(' or '[' (RCPT TO:<boss>, to the
    upstream's default domain); no upstream takes a control character or, without SMTPUTF8,
    a non-ASCII local part: each is a Bcc that never reaches the supervisor."""
    org = Organization(internal_domains=("example.co.jp",), approvers={})
    for entry in (
        "boss(x@example.co.jp",
        "a[b]@example.co.jp",
        "bo\\x07ss@example.co.jp",
        "上長@example.co.jp",
        "a b@example.co.jp",
        '\\"a\\"@example.co.jp',
        ".boss@example.co.jp",
        "boss!x@example.co.jp",
    ):
        text = f'rules:\n  - {{id: b, when: {{recipients: external}}, action: pass, add_bcc: ["{entry}"]}}\n'
        with pytest.raises(RuleError, match="add_bcc"):
            parse_rules_text(text, "local.yaml", {}, organization=org)
    ok = "rules:\n  - {id: b, when: {recipients: external}, action: pass, add_bcc: [o'neil+x@sub.example.co.jp]}\n"
    assert parse_rules_text(ok, "local.yaml", {}, organization=org)[0].add_bcc == (
        "o'neil+x@sub.example.co.jp",
    )


def test_a_supervisor_refused_upstream_is_not_named_to_the_sender(guard_factory, upstream, tmp_path):
    """README: an upstream that refuses a supervisor's address refuses the message (by design);
    the reply (and so the bounce the sender reads) says a supervisor Bcc was refused, not whom."""
    (tmp_path / "local.yaml").write_text(
        "rules:\n  - {id: bcc, when: {recipients: external}, action: pass, add_bcc: [kacho@example.co.jp]}\n",
        "utf-8",
    )
    org = {"internal_domains": ["example.co.jp"], "groups": {}}
    upstream.recorder.refuse_rcpt["kacho@example.co.jp"] = "550 5.1.1 <Kacho@example.co.jp>: user unknown"
    guard = guard_factory(rules=[str(tmp_path / "local.yaml")], organization=org).start()
    code, text = guard.submit(
        message("お見積り", to="partner@client.example"), "taro@example.co.jp", "partner@client.example"
    )[:2]
    reply = text.decode() if isinstance(text, bytes) else str(text)
    assert code == 550 and "5.1.1" in reply, (code, reply)
    assert "kacho" not in reply.lower() and "supervisor Bcc" in reply, reply


def test_the_added_bcc_counts_against_max_recipients(guard_factory, upstream, tmp_path):
    """A client at smtp.max_recipients plus a supervisor Bcc: refused for good (a 4xx would be
    sent again forever; leaving the Bcc out would let a padded envelope step around it)."""
    (tmp_path / "local.yaml").write_text(
        "rules:\n  - {id: bcc, when: {recipients: external}, action: pass, add_bcc: [kacho@example.co.jp]}\n",
        "utf-8",
    )
    org = {"internal_domains": ["example.co.jp"], "groups": {}}
    guard = guard_factory(
        rules=[str(tmp_path / "local.yaml")], organization=org, smtp={"max_recipients": 1}
    ).start()
    code, text = guard.submit(message("お見積り", to="partner@client.example"))[:2]
    assert code == 552 and b"5.5.3" in text and b"kacho" not in text, (code, text)
    assert upstream.recorder.messages == []


def test_hide_bcc_replaces_the_refused_supervisor_in_text_and_recipients():
    exc = PermanentFailure(
        550,
        "<KACHO@example.co.jp>: 550 5.1.1 kacho@example.co.jp unknown",
        {"kacho@example.co.jp": (550, "5.1.1 <kacho@example.co.jp>")},
    )
    hidden = hide_bcc(exc, ("kacho@example.co.jp",), "supervisor Bcc")
    assert isinstance(hidden, PermanentFailure) and hidden.code == 550
    assert "kacho" not in hidden.text.lower() and "kacho" not in repr(hidden.refused).lower()


def test_a_release_does_not_bcc_an_address_outside_the_internal_domains(tmp_path):
    """enqueue_release checks the hold-time decision's add_bcc again under today's internal
    domains: an external address that slipped into a decision, or a domain dropped from
    organization.internal_domains since, does not get the held message; the drop is audited."""
    import asyncio
    import dataclasses
    import time

    from quarantine.records import HoldState
    from quarantine.store import Store
    from rules.model import Decision

    from .holds import held

    stored = ("advisor@partner.example", "boss%x.example@example.co.jp", "bucho@example.co.jp")

    async def main(domains):
        store = await Store.open(
            f"sqlite+aiosqlite:///{tmp_path / f'g{len(domains)}.db'}", internal_domains=domains
        )
        try:
            msg = held("Q1")
            decision = Decision(action="hold", matched=msg.decision.matched, add_bcc=stored)
            await store.hold(
                dataclasses.replace(msg, decision=decision), csrf="c", expires_at=time.time() + 86400
            )
            assert await store.decide_hold("Q1", HoldState.RELEASED, actor="sender", client_addr=None)
            jobs = await store.claim(time.time() + 1, 60.0, limit=10)
            trail = [(e.action, e.detail) for e in await store.audit_trail("Q1")]
            return [j.rcpt_tos for j in jobs if j.kind == "release"], trail
        finally:
            await store.close()

    [rcpts], trail = asyncio.run(main(("example.co.jp",)))
    assert "advisor@partner.example" not in rcpts and "boss%x.example@example.co.jp" not in rcpts
    assert "bucho@example.co.jp" in rcpts
    assert ("bcc_dropped", "recipients=2") in trail, trail
    [rcpts], trail = asyncio.run(main(()))  # no internal domains (a tool's store): no Bcc at all
    assert not set(stored) & set(rcpts), rcpts


def test_a_failed_release_notice_does_not_name_the_refused_supervisor(guard_factory, upstream, tmp_path):
    """The worker's failure notice quotes the upstream's reply: the refused Bcc is named as the
    supervisor Bcc, the address is not."""
    import email
    import re

    import httpx

    from .support import notice_link, wait_until

    (tmp_path / "local.yaml").write_text(
        "rules:\n  - {id: hold-bcc, when: {recipients: external}, action: hold, add_bcc: [kacho@example.co.jp]}\n",
        "utf-8",
    )
    org = {"internal_domains": ["example.co.jp"], "groups": {}}
    guard = guard_factory(rules=[str(tmp_path / "local.yaml")], organization=org).start()
    assert guard.submit(message("お見積り", to="partner@client.example"))[0] == 250
    link = notice_link(upstream.recorder.wait_for(1)[0])
    upstream.recorder.refuse_rcpt["kacho@example.co.jp"] = "550 5.1.1 <kacho@example.co.jp>: user unknown"
    page = httpx.get(link).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert httpx.post(link, data={"action": "release", "csrf": csrf, "confirm": "1"}).status_code == 303

    def failure_notice():
        for m in upstream.recorder.messages[1:]:
            parsed = email.message_from_bytes(m.data)
            text = "".join(
                p.get_payload(decode=True).decode(p.get_content_charset() or "utf-8")
                for p in parsed.walk()
                if p.get_content_maintype() == "text"
            )
            if "5.1.1" in text:
                return text
        return None

    text = wait_until(failure_notice, "the failure notice", timeout=20)
    assert "kacho" not in text.lower() and "上長Bcc" in text, text
