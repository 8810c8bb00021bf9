"""decide() over plain values, and every validation error of the rule loader."""

from __future__ import annotations

import pytest

from inspectors.base import Finding
from proxy.endpoints import parse_duration
from rules import MessageFacts, RuleError, decide, load_rules
from rules.loader import parse_rules_text
from rules.model import RuleSet

FACTS = MessageFacts(mail_from="a@example.co.jp", rcpt_tos=("b@client.example",))
EXT = Finding(code="recipients.external", count=1, where=("envelope",))
MYNUM = Finding(code="pii.my_number", count=2, where=("body",))
ERROR = Finding(code="inspector.error", count=1, where=("inspector:x",))


GROUPS = {"sales": ("@sales.example.co.jp", "boss@example.co.jp")}


def rules_from(text: str) -> RuleSet:
    return RuleSet(rules=tuple(parse_rules_text(text, "local.yaml", GROUPS)), groups=GROUPS)


@pytest.mark.parametrize(
    "findings, action, matched",
    [
        ((), "pass", []),
        ((EXT,), "pass", []),
        ((MYNUM,), "pass", []),  # internal-only mail passes
        ((EXT, MYNUM), "hold", ["sensitive-id-external"]),
        ((EXT, ERROR), "hold", ["inspection-failed"]),
    ],
)
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


@pytest.mark.parametrize(
    "findings, action, matched",
    [
        ((MYNUM,), "hold", ["many-pii"]),
        ((Finding(code="pii.my_number", count=6, where=("body",)),), "pass", []),
        ((Finding(code="pii.my_number", count=2, where=("attachment:a.xlsx",)),), "pass", ["watch"]),
        ((ERROR,), "reject", ["refuse-error"]),
        ((ERROR, EXT), "pass", []),
        ((MYNUM, ERROR), "reject", ["many-pii", "refuse-error"]),  # strictest wins
    ],
)
def test_conditions_and_strictest_wins(findings, action, matched):
    decision = decide(findings, FACTS, rules_from(LOCAL))
    assert decision.action == action
    assert [m.id for m in decision.matched] == matched


def test_matched_rule_carries_the_findings_that_made_it_match():
    decision = decide((EXT, MYNUM, ERROR), FACTS, load_rules())
    mine = next(m for m in decision.matched if m.id == "sensitive-id-external")
    assert mine.findings == (EXT, MYNUM)
    assert mine.reason["ja"] and mine.reason["en"]


def test_local_file_overrides_and_turns_off(tmp_path):
    local = tmp_path / "local.yaml"
    local.write_text(
        "rules:\n  - {id: sensitive-id-external, mode: monitor}\n"
        "  - {id: inspection-failed, enabled: false}\n"
    )
    rules = load_rules([local])
    decision = decide((EXT, MYNUM, ERROR), FACTS, rules)
    assert decision.action == "pass"
    assert [m.id for m in decision.matched] == ["sensitive-id-external"]
    assert {r.id: r.source for r in rules.rules}["sensitive-id-external"] == str(local)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "rules: [{id: Bad_Id, when: {code: pii.phone}, action: hold}]",
            "local.yaml: id: must be kebab-case",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: hold, colour: red}]",
            "local.yaml: rule 'a': colour: unknown key",
        ),
        (
            "rules: [{id: a, when: {code: pii.phon}, action: hold}]",
            "rule 'a': when.code: unknown finding code 'pii.phon'",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: shred}]",
            "rule 'a': action: must be one of pass, tag, delay, hold, hold_for_approval, reject, bcc_convert",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: hold, mode: loud}]",
            "rule 'a': mode: must be one of",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone, min_count: -1}, action: hold}]",
            "when.min_count: must be a whole number",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone, where: footer}, action: hold}]",
            "when.where: must be one of",
        ),
        ("rules: [{id: a, when: {all: []}, action: hold}]", "when.all: must be the only key"),
        (
            "rules: [{id: a, when: {all: [{code: pii.phone, bogus: 1}]}, action: hold}]",
            "when.all[0].bogus: unknown key",
        ),
        ("rules: [{id: a, action: hold}]", "rule 'a': when: is required"),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: hold}, {id: a, when: {code: pii.phone}, action: hold}]",
            "defined twice",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: hold, reason: [x]}]",
            "reason: must be text or a mapping",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: hold, enabled: maybe}]",
            "enabled: must be true or false",
        ),
        ("rule: []", "expected a mapping with the keys 'rules' and 'dictionaries'"),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: delay}]",
            "rule 'a': delay: is required for action delay",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: hold, delay: 5m}]",
            "delay: only goes with action delay",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: delay, delay: soon}]",
            "delay: expected a duration",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: delay, delay: 0m}]",
            "rule 'a': delay: expected a duration such as 10m; got '0m'",
        ),
        # YAML reads .nan and .inf as floats; a NaN delay once reached the database and every
        # retry of the message failed with 451.
        (
            "rules: [{id: a, when: {code: pii.phone}, action: delay, delay: .nan}]",
            "rule 'a': delay: expected a duration such as 10m; got nan",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: delay, delay: .inf}]",
            "rule 'a': delay: expected a duration such as 10m; got inf",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: delay, delay: -5}]",
            "rule 'a': delay: expected a duration such as 10m; got -5",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: delay, delay: 99999999d}]",
            "rule 'a': delay: expected a duration such as 10m; got '99999999d'",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: hold, scope: {senders: [group:nobody]}}]",
            "scope.senders: unknown group 'nobody'",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: hold, scope: {senders: [taro]}}]",
            "scope.senders: 'taro' is not an address",
        ),
        (
            "rules: [{id: a, when: {code: pii.phone}, action: hold, scope: {who: []}}]",
            "scope: must be a mapping with senders",
        ),
        (
            "rules: [{id: a, when: {recipients: internal}, action: hold}]",
            "when.recipients: expected 'recipients: external'",
        ),
        (
            "rules: [{id: a, when: {code: recipients.external, min_tally: {orgs: 2}}, action: hold}]",
            "when.min_tally: must map organisations",
        ),
        ("rules: [a: b: c]", "not valid YAML"),
    ],
)
def test_validation_errors_name_file_rule_and_field(text, message):
    with pytest.raises(RuleError) as err:
        rules_from(text)
    assert message in str(err.value)
    assert str(err.value).startswith("local.yaml")


def test_missing_rule_file_is_a_clear_error(tmp_path):
    with pytest.raises(RuleError, match=r"missing\.yaml: cannot read"):
        load_rules([tmp_path / "missing.yaml"])


def test_wildcards_and_keyword_codes_are_known():
    assert rules_from("rules: [{id: a, when: {code: 'recipients.*'}, action: hold}]").rules
    assert rules_from("rules: [{id: a, when: {code: keyword.project-x}, action: hold}]").rules


SCOPED = """
rules:
  - id: sales-only
    when: {code: pii.phone}
    action: hold
    scope: {senders: [group:sales]}
  - id: to-partner
    when: {code: pii.phone}
    action: tag
    scope: {recipients: ["@client.example"]}
  - id: slow-down
    when: {recipients: external, min_count: 2}
    action: delay
    delay: 10m
  - id: bcc
    when: {code: recipients.visible_external, min_count: 3}
    action: bcc_convert
"""
PHONE = Finding(code="pii.phone", count=1, where=("body",))


@pytest.mark.parametrize(
    "sender, rcpts, findings, action, matched",
    [
        ("taro@sales.example.co.jp", ("b@client.example",), (PHONE,), "hold", ["sales-only", "to-partner"]),
        ("boss@example.co.jp", ("b@other.example",), (PHONE,), "hold", ["sales-only"]),
        ("hanako@example.co.jp", ("b@client.example",), (PHONE,), "tag", ["to-partner"]),
        ("hanako@example.co.jp", ("b@other.example",), (PHONE,), "pass", []),
        (
            "hanako@example.co.jp",
            ("b@x.example", "c@y.example"),
            (Finding(code="recipients.external", count=2, where=("envelope",)),),
            "delay",
            ["slow-down"],
        ),
    ],
)
def test_scope_and_actions(sender, rcpts, findings, action, matched):
    decision = decide(findings, MessageFacts(mail_from=sender, rcpt_tos=rcpts), rules_from(SCOPED))
    assert decision.action == action
    assert [m.id for m in decision.matched] == matched


def test_delay_and_bcc_convert_are_carried_by_the_decision():
    findings = (
        Finding(code="recipients.external", count=5, where=("envelope",)),
        Finding(code="recipients.visible_external", count=5, where=("header:To",)),
    )
    decision = decide(findings, FACTS, rules_from(SCOPED))
    assert decision.action == "delay" and decision.delay == 600 and decision.verdict == "hold"
    assert decision.rewrites == ("bcc_convert",)
    assert [m.id for m in decision.deciding] == ["slow-down"]


@pytest.mark.parametrize(
    "written, seconds",
    [
        ("10m", 600.0),
        ("10 m", 600.0),
        ("90s", 90.0),
        ("2h", 7200.0),
        ("3d", 259200.0),
        ("1.5h", 5400.0),
        (600, 600.0),
    ],
)
def test_a_rule_delay_reads_durations_as_the_configuration_does(written, seconds):
    [rule] = rules_from(
        f"rules: [{{id: a, when: {{code: pii.phone}}, action: delay, delay: {written}}}]"
    ).rules
    assert rule.delay == seconds == parse_duration(written, "smtp.session_timeout")


def test_explain_lists_every_rule_matched_or_not():
    from rules.decide import explain

    rows = explain((EXT, MYNUM), FACTS, load_rules())
    assert [(r.id, m is not None) for r, m in rows][:2] == [
        ("sensitive-id-external", True),
        ("personal-data-list-external", False),
    ]
    assert len(rows) == len(load_rules().active)  # shipped disabled: unsupported-attachment


def test_verdicts_of_actions():
    from rules.model import Decision

    assert [
        Decision(action=a, matched=()).verdict
        for a in ("pass", "tag", "delay", "hold", "hold_for_approval", "reject")
    ] == ["pass", "pass", "hold", "hold", "hold", "reject"]


def test_bcc_convert_lets_the_other_rules_decide_on_the_converted_message():
    text = """
rules:
  - id: bcc
    when: {code: recipients.visible_external, min_count: 3}
    action: bcc_convert
  - id: visible
    when: {code: recipients.visible_external, min_count: 3}
    action: hold
  - id: pii
    when: {code: pii.phone}
    action: hold
"""
    visible = Finding(code="recipients.visible_external", count=5, where=("header:To",))
    decision = decide((visible,), FACTS, rules_from(text))
    assert decision.action == "pass" and decision.rewrites == ("bcc_convert",)
    assert [m.id for m in decision.matched] == ["bcc"]
    decision = decide((visible, PHONE), FACTS, rules_from(text))
    assert decision.action == "hold" and [m.id for m in decision.matched] == ["bcc", "pii"]


@pytest.mark.parametrize(
    "evidence, held",
    [
        (("organisations=2", "gmail.com (9)"), True),
        (("organisations=1", "gmail.com (12)"), False),
        (("gmail.com (12)",), False),  # a finding that states no tally does not match
    ],
)
def test_visible_external_needs_more_than_one_organisation(evidence, held):
    visible = Finding(code="recipients.visible_external", count=12, where=("header:To",), evidence=evidence)
    decision = decide((EXT, visible), FACTS, load_rules())
    assert (decision.action == "hold") is held


@pytest.mark.parametrize(
    "where, kind",
    [
        ("body!line 3", "body"),
        ("body:1.2", "body"),
        ("body", "body"),
        ("attachment:a.xlsx!Sheet1!D2:D9", "attachment"),
        ("headers!line 1", "header"),
        ("header:To", "header"),
    ],
)
def test_where_matches_every_spelling_of_a_location(where, kind):
    rules = rules_from(f"rules: [{{id: a, when: {{code: 'pii.*', where: {kind}}}, action: reject}}]")
    finding = Finding(code="pii.my_number", count=1, where=(where,))
    assert decide((finding,), FACTS, rules).action == "reject"
    other = "subject"
    rules = rules_from(f"rules: [{{id: a, when: {{code: 'pii.*', where: {other}}}, action: reject}}]")
    assert decide((finding,), FACTS, rules).action == "pass"


def test_a_rule_file_in_shift_jis_is_a_clear_error_and_reload_keeps_the_last_good_rules(tmp_path):
    from rules.book import RuleBook

    local = tmp_path / "local.yaml"
    local.write_text("rules: []\n")
    book = RuleBook([local], {})
    good = book()
    local.write_bytes(
        "rules:\n  - {id: x, description: 顧客, when: {code: pii.phone}, action: hold}\n".encode("cp932")
    )
    assert book.reload_if_changed() is False
    assert book() is good and "not UTF-8 text" in book.error and str(local) in book.error
    with pytest.raises(RuleError, match="not UTF-8"):
        load_rules([local])
