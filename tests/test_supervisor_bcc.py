"""Supervisor Bcc (上長Bcc, issue 19): a rule's add_bcc, validated by the loader (errors name
the key, in English and Japanese) and resolved by decide() into the union of the matching
rules' internal addresses."""

from __future__ import annotations

import pytest

from inspectors.base import Finding
from quarantine.admin.rule_words import _UNKNOWN, detail_ja
from rules import MessageFacts, RuleError, decide, load_rules
from rules.diagnose import diagnose
from rules.loader import parse_rules_text
from rules.model import Decision, Organization, RuleSet

ORG = Organization(
    internal_domains=("example.co.jp",),
    approvers={
        "sales": ("bucho@example.co.jp", "jicho@example.co.jp"),
        "dev": ("cto@example.co.jp", "advisor@partner.example"),
    },
)
GROUPS = {"sales": ("@sales.example.co.jp",), "dev": ("@dev.example.co.jp",)}
EXT = Finding(code="recipients.external", count=1, where=("envelope",))
MYNUM = Finding(code="pii.my_number", count=2, where=("body",))


def rule(add_bcc: object, action: str = "pass", extra: str = "") -> str:
    return (
        f"rules:\n  - id: bcc-boss\n    when: {{recipients: external}}\n    action: {action}\n"
        f"    add_bcc: {add_bcc}\n{extra}"
    )


def ruleset(text: str) -> RuleSet:
    rules = tuple(parse_rules_text(text, "local.yaml", GROUPS, organization=ORG))
    return RuleSet(rules=rules, groups=GROUPS, organization=ORG)


@pytest.mark.parametrize(
    "text, words",
    [
        (rule("[boss]"), "'boss' is not an address or approvers"),
        (rule("['@example.co.jp']"), "is not an address or approvers"),
        (rule("['a%b@example.co.jp']"), "is not an address or approvers"),  # source-routed
        (rule("[boss@client.example]"), "'boss@client.example' is not internal"),
        (rule("[boss@example.co.jp.evil.example]"), "is not internal"),
        (rule("[boss@example.co.jp]", "reject"), "only goes with an action that delivers"),
        (rule("boss@example.co.jp"), "must be a list of internal addresses and/or approvers"),
        (rule("[]"), "must be a list of internal addresses and/or approvers"),
        (rule("[1]"), "must be a list of internal addresses and/or approvers"),
        (rule("[" + ", ".join(f"b{i}@example.co.jp" for i in range(21)) + "]"), "21 entries; at most 20"),
    ],
)
def test_validation_names_the_key_in_both_languages(text, words):
    with pytest.raises(RuleError) as caught:
        parse_rules_text(text, "local.yaml", GROUPS, organization=ORG)
    error = caught.value
    assert (error.rule_id, error.field) == ("bcc-boss", "add_bcc") and words in error.detail
    assert detail_ja(error.detail) != _UNKNOWN


def test_approvers_needs_a_group_with_approvers():
    text = rule("[approvers]")
    no_approvers = Organization(internal_domains=("example.co.jp",), approvers={"sales": ()})
    with pytest.raises(RuleError, match="no group has approvers") as caught:
        parse_rules_text(text, "local.yaml", GROUPS, organization=no_approvers)
    assert caught.value.field == "add_bcc" and "承認者のいるグループがありません" in detail_ja(
        caught.value.detail
    )
    assert parse_rules_text(text, "local.yaml", GROUPS, organization=ORG)[0].add_bcc == ("approvers",)


def test_without_the_organization_no_address_is_internal():
    """A caller that forgets the organisation fails closed: no Bcc leaves for anywhere."""
    with pytest.raises(RuleError, match="is not internal"):
        parse_rules_text(rule("[boss@example.co.jp]"), "local.yaml", GROUPS)


def test_an_override_of_a_shipped_rule_may_add_a_bcc_and_is_checked_again(tmp_path):
    local = tmp_path / "local.yaml"
    local.write_text("rules:\n  - {id: sensitive-id-external, add_bcc: [Boss@Example.co.jp]}\n")
    rules = load_rules([local], GROUPS, ORG)
    [overridden] = [r for r in rules.rules if r.id == "sensitive-id-external"]
    assert overridden.add_bcc == ("boss@example.co.jp",) and overridden.action == "hold"
    second = tmp_path / "later.yaml"
    second.write_text("rules:\n  - {id: sensitive-id-external, action: reject}\n")
    with pytest.raises(RuleError, match="only goes with an action that delivers"):
        load_rules([local, second], GROUPS, ORG)


def test_diagnose_lists_the_add_bcc_error_with_its_line():
    text = rule(
        "[boss@client.example]", extra="  - {id: other, when: {recipients: external}, action: hlod}\n"
    )
    problems = diagnose(text, "local.yaml", {}, {}, GROUPS, ORG)
    assert [(p.line, p.path) for p in problems] == [(5, "rules[0].add_bcc"), (6, "rules[1].action")]


def test_the_union_over_several_rules():
    rules = ruleset(
        "rules:\n"
        "  - {id: one, when: {recipients: external}, action: pass, add_bcc: [Boss@example.co.jp, approvers]}\n"
        "  - {id: two, when: {code: pii.my_number}, action: hold, add_bcc: [boss@EXAMPLE.co.jp, kanri@example.co.jp]}\n"
        "  - {id: three, when: {code: pii.my_number}, action: hold, mode: monitor, add_bcc: [audit@example.co.jp]}\n"
        "  - {id: four, when: {code: pii.phone}, action: pass, add_bcc: [phone@example.co.jp]}\n"
    )
    facts = MessageFacts(
        mail_from="taro@sales.example.co.jp", rcpt_tos=("p@client.example", "Kanri@example.co.jp")
    )
    decision = decide([EXT, MYNUM], facts, rules)
    # de-duplicated without regard to case; never an envelope recipient; monitor rules do not act;
    # a rule that did not match adds nobody
    assert decision.action == "hold"
    assert decision.add_bcc == ("boss@example.co.jp", "bucho@example.co.jp", "jicho@example.co.jp")
    assert Decision.from_dict(decision.to_dict()) == decision
    assert decide([EXT], facts, rules).add_bcc == (
        "boss@example.co.jp",
        "bucho@example.co.jp",
        "jicho@example.co.jp",
    )
    assert decide([], facts, rules).add_bcc == ()


def test_approvers_are_the_senders_groups_internal_ones_never_the_sender():
    rules = ruleset(rule("[approvers]"))
    dev = MessageFacts(mail_from="hanako@dev.example.co.jp", rcpt_tos=("p@client.example",))
    assert decide([EXT], dev, rules).add_bcc == ("cto@example.co.jp",)  # the outside adviser is dropped
    boss = MessageFacts(mail_from="bucho+x@example.co.jp", rcpt_tos=("p@client.example",))
    assert decide([EXT], boss, rules).add_bcc == ()  # in no group: nobody
    sales_boss = MessageFacts(mail_from="Bucho@sales.example.co.jp", rcpt_tos=("p@client.example",))
    assert decide([EXT], sales_boss, rules).add_bcc == ("bucho@example.co.jp", "jicho@example.co.jp")


def test_a_rejected_message_adds_nobody():
    rules = ruleset(
        rule("[boss@example.co.jp]") + "  - {id: stop, when: {code: pii.my_number}, action: reject}\n"
    )
    facts = MessageFacts(mail_from="taro@example.co.jp", rcpt_tos=("p@client.example",))
    decision = decide([EXT, MYNUM], facts, rules)
    assert decision.action == "reject" and decision.add_bcc == () and "add_bcc" not in decision.to_dict()
