"""decide() over plain values, and every validation error of the rule loader."""
from __future__ import annotations

import pytest

from inspectors.base import Finding
from rules import MessageFacts, RuleError, decide, load_rules
from rules.loader import _parse_file

FACTS = MessageFacts(mail_from="a@example.co.jp", rcpt_tos=("b@client.example",))
EXT = Finding(code="recipients.external", count=1, where=("envelope",))
MYNUM = Finding(code="pii.my_number", count=2, where=("body",))
ERROR = Finding(code="inspector.error", count=1, where=("inspector:x",))


def rules_from(text: str):
    from rules.model import RuleSet
    return RuleSet(rules=tuple(_parse_file(text, "local.yaml", {}, True)))


@pytest.mark.parametrize("findings, action, matched", [
    ((), "pass", []),
    ((EXT,), "pass", ["external-recipients"]),
    ((MYNUM,), "pass", []),                                   # internal-only mail passes
    ((EXT, MYNUM), "hold", ["my-number-external", "external-recipients"]),
    ((EXT, ERROR), "hold", ["inspection-failed", "external-recipients"]),
])
def test_default_rules(findings, action, matched):
    decision = decide(findings, FACTS, load_rules())
    assert decision.action == action
    assert [m.id for m in decision.matched] == matched


LOCAL = """
rules:
  - id: many-pii
    when: {code: "pii.*", min_count: 2, max_count: 5, where: body}
    action: hold
    reason: {ja: 多い, en: many}
  - id: refuse-error
    when: {all: [{code: inspector.error}, {not: {code: recipients.external}}]}
    action: reject
  - id: watch
    when: {any: [{code: pii.phone}, {code: pii.my_number, where: attachment}]}
    action: reject
    mode: monitor
"""


@pytest.mark.parametrize("findings, action, matched", [
    ((MYNUM,), "hold", ["many-pii"]),
    ((Finding(code="pii.my_number", count=6, where=("body",)),), "pass", []),
    ((Finding(code="pii.my_number", count=2, where=("attachment:a.xlsx",)),), "pass", ["watch"]),
    ((ERROR,), "reject", ["refuse-error"]),
    ((ERROR, EXT), "pass", []),
    ((MYNUM, ERROR), "reject", ["many-pii", "refuse-error"]),   # strictest wins
])
def test_conditions_and_strictest_wins(findings, action, matched):
    decision = decide(findings, FACTS, rules_from(LOCAL))
    assert decision.action == action
    assert [m.id for m in decision.matched] == matched


def test_matched_rule_carries_the_findings_that_made_it_match():
    decision = decide((EXT, MYNUM, ERROR), FACTS, load_rules())
    mine = next(m for m in decision.matched if m.id == "my-number-external")
    assert mine.findings == (EXT, MYNUM)
    assert mine.reason["ja"] and mine.reason["en"]


def test_local_file_overrides_and_turns_off(tmp_path):
    local = tmp_path / "local.yaml"
    local.write_text("rules:\n  - {id: my-number-external, mode: monitor}\n"
                     "  - {id: inspection-failed, enabled: false}\n")
    rules = load_rules([local])
    decision = decide((EXT, MYNUM, ERROR), FACTS, rules)
    assert decision.action == "pass"
    assert [m.id for m in decision.matched] == ["my-number-external", "external-recipients"]
    assert {r.id: r.source for r in rules.rules}["my-number-external"] == str(local)


@pytest.mark.parametrize("text, message", [
    ("rules: [{id: Bad_Id, when: {code: pii.phone}, action: hold}]", "local.yaml: id: must be kebab-case"),
    ("rules: [{id: a, when: {code: pii.phone}, action: hold, colour: red}]", "local.yaml: rule 'a': colour: unknown key"),
    ("rules: [{id: a, when: {code: pii.phon}, action: hold}]", "rule 'a': when.code: unknown finding code 'pii.phon'"),
    ("rules: [{id: a, when: {code: pii.phone}, action: shred}]", "rule 'a': action: must be one of pass, hold, reject"),
    ("rules: [{id: a, when: {code: pii.phone}, action: hold, mode: loud}]", "rule 'a': mode: must be one of"),
    ("rules: [{id: a, when: {code: pii.phone, min_count: -1}, action: hold}]", "when.min_count: must be a whole number"),
    ("rules: [{id: a, when: {code: pii.phone, where: footer}, action: hold}]", "when.where: must be one of"),
    ("rules: [{id: a, when: {all: []}, action: hold}]", "when.all: must be the only key"),
    ("rules: [{id: a, when: {all: [{code: pii.phone, bogus: 1}]}, action: hold}]", "when.all[0].bogus: unknown key"),
    ("rules: [{id: a, action: hold}]", "rule 'a': when: is required"),
    ("rules: [{id: a, when: {code: pii.phone}, action: hold}, {id: a, when: {code: pii.phone}, action: hold}]", "defined twice"),
    ("rules: [{id: a, when: {code: pii.phone}, action: hold, reason: [x]}]", "reason: must be text or a mapping"),
    ("rules: [{id: a, when: {code: pii.phone}, action: hold, enabled: maybe}]", "enabled: must be true or false"),
    ("rule: []", "expected a mapping with one key, 'rules'"),
    ("rules: [a: b: c]", "not valid YAML"),
])
def test_validation_errors_name_file_rule_and_field(text, message):
    with pytest.raises(RuleError) as err:
        rules_from(text)
    assert message in str(err.value)
    assert str(err.value).startswith("local.yaml")


def test_missing_rule_file_is_a_clear_error(tmp_path):
    with pytest.raises(RuleError, match="missing.yaml: cannot read"):
        load_rules([tmp_path / "missing.yaml"])


def test_wildcards_and_keyword_codes_are_known():
    assert rules_from("rules: [{id: a, when: {code: 'recipients.*'}, action: hold}]").rules
    assert rules_from("rules: [{id: a, when: {code: keyword.project-x}, action: hold}]").rules
