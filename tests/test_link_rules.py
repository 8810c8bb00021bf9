"""Attachment links (issue 19): the link_attachments rule, its terms, and decide() on the
message as the external recipients get it (the attachments as links, not attached)."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from inspectors.base import Envelope, Finding
from proxy.check import report
from quarantine.admin.rule_form import read_edit
from quarantine.admin.rule_words import _UNKNOWN, detail_ja
from quarantine.admin.rule_words import ACTIONS as ACTION_WORDS
from rules import Action, Decision, MessageFacts, RuleError, decide, load_rules
from rules.loader import parse_rules_text
from rules.model import DELIVERING, MODIFIERS, LinkTerms, RuleSet

FACTS = MessageFacts(mail_from="a@example.co.jp", rcpt_tos=("b@client.example",))
EXT = Finding(code="recipients.external", count=1, where=("envelope",))
PPAP = Finding(code="attachment.encrypted", count=1, where=("attachment:見積書.zip",))
LIST_IN_SHEET = Finding(code="pii.my_number", count=3, where=("attachment:名簿.xlsx!Sheet1!D2",))
MYNUM_BODY = Finding(code="pii.my_number", count=2, where=("body",))
# The files the links take (quarantine/link_mime.split's names; proxy/judge.py hands them over).
TAKEN = frozenset({"見積書.zip", "名簿.xlsx", "a.xlsx"})
MYNUM_BOTH = Finding(code="pii.my_number", count=2, where=("attachment:a.xlsx!Sheet1!A1", "body!line 3"))
VISIBLE = Finding(
    code="recipients.visible_external", count=3, where=("header",), evidence=("organisations=2",)
)

LINKS = """
rules:
  - id: attachments-as-links
    when: {recipients: external}
    action: link_attachments
    link_expiry: 3d
    link_max_downloads: 10
    link_notify: false
"""


def with_defaults(text: str) -> RuleSet:
    """The shipped rules plus a local file's."""
    shipped = load_rules()
    local = parse_rules_text(text, "local.yaml", known={r.id: r for r in shipped.rules})
    merged = {r.id: r for r in shipped.rules} | {r.id: r for r in local}
    return RuleSet(rules=tuple(merged.values()), dictionaries=shipped.dictionaries)


def test_the_action_is_a_modifier_that_delivers():
    assert Action.LINK_ATTACHMENTS in MODIFIERS and Action.LINK_ATTACHMENTS in DELIVERING
    assert Action("link_attachments") is Action.LINK_ATTACHMENTS


def test_the_loader_reads_the_terms_and_their_defaults():
    [rule] = parse_rules_text(LINKS, "local.yaml")
    assert rule.action == Action.LINK_ATTACHMENTS
    assert rule.links == LinkTerms(expiry=3 * 86400, max_downloads=10, notify=False)
    [plain] = parse_rules_text(
        "rules:\n  - {id: links, when: {recipients: external}, action: link_attachments}\n", "l.yaml"
    )
    assert plain.links == LinkTerms() == LinkTerms(expiry=7 * 86400, max_downloads=5, notify=True)
    [hold] = parse_rules_text("rules:\n  - {id: h, when: {code: pii.phone}, action: hold}\n", "l.yaml")
    assert hold.links is None


@pytest.mark.parametrize(
    "extra, key",
    [
        ("link_expiry: 30m", "link_expiry"),  # shorter than an hour
        ("link_expiry: 32d", "link_expiry"),  # longer than 31 days
        ("link_expiry: soon", "link_expiry"),
        ("link_expiry: -1", "link_expiry"),
        ("link_max_downloads: 0", "link_max_downloads"),
        ("link_max_downloads: 101", "link_max_downloads"),
        ("link_max_downloads: true", "link_max_downloads"),
        ("link_max_downloads: '5'", "link_max_downloads"),
        ("link_max_downloads: 2.5", "link_max_downloads"),
        ("link_notify: 'yes'", "link_notify"),
        ("link_expiry_typo: 3d", "link_expiry_typo"),
    ],
)
def test_bad_terms_are_refused_naming_the_key_and_the_rule(extra, key):
    text = f"rules:\n  - id: links\n    when: {{recipients: external}}\n    action: link_attachments\n    {extra}\n"
    with pytest.raises(RuleError) as err:
        parse_rules_text(text, "local.yaml")
    assert err.value.field == key and err.value.rule_id == "links"
    assert key in str(err.value) and "'links'" in str(err.value)
    assert detail_ja(err.value.detail) != _UNKNOWN  # the console says it in Japanese


@pytest.mark.parametrize("action", ["hold", "pass", "bcc_convert", "reject"])
def test_the_terms_go_only_with_link_attachments(action):
    text = f"rules:\n  - id: r1\n    when: {{code: pii.phone}}\n    action: {action}\n    link_notify: true\n"
    with pytest.raises(RuleError, match=r"r1.*link_notify: only goes with action link_attachments"):
        parse_rules_text(text, "local.yaml")


def test_a_shipped_rule_overridden_to_links_gets_the_terms():
    rules = with_defaults(
        "rules:\n  - {id: encrypted-attachment, action: link_attachments, link_max_downloads: 2}\n"
    )
    rule = next(r for r in rules.rules if r.id == "encrypted-attachment")
    assert rule.action == Action.LINK_ATTACHMENTS and rule.links == LinkTerms(max_downloads=2)
    with pytest.raises(RuleError, match="link_max_downloads"):
        with_defaults("rules:\n  - {id: encrypted-attachment, link_max_downloads: 2}\n")  # still hold


def test_ppap_is_held_without_links_and_passes_with_them():
    held = decide((EXT, PPAP), FACTS, load_rules())
    assert held.action == Action.HOLD and [m.id for m in held.deciding] == ["encrypted-attachment"]
    assert held.links is None and held.rewrites == ()

    linked = decide((EXT, PPAP), FACTS, with_defaults(LINKS), linked=TAKEN)
    assert linked.action == Action.PASS and linked.verdict == Action.PASS
    assert linked.rewrites == (Action.LINK_ATTACHMENTS,)
    assert linked.links == LinkTerms(expiry=3 * 86400, max_downloads=10, notify=False)
    assert [m.id for m in linked.matched] == ["attachments-as-links"]


def test_a_list_only_in_an_attachment_no_longer_counts_but_one_in_the_body_does():
    rules = with_defaults(LINKS)
    assert decide((EXT, LIST_IN_SHEET), FACTS, load_rules()).action == Action.HOLD
    assert decide((EXT, LIST_IN_SHEET), FACTS, rules, linked=TAKEN).action == Action.PASS
    body = decide((EXT, PPAP, MYNUM_BODY), FACTS, rules, linked=TAKEN)
    assert body.action == Action.HOLD and body.links is not None
    found = [f for m in body.deciding for f in m.findings]
    assert MYNUM_BODY in found and PPAP not in found
    both = decide((EXT, MYNUM_BOTH), FACTS, rules, linked=TAKEN)  # also in the body: still sent
    assert both.action == Action.HOLD


def test_monitor_mode_records_and_does_not_filter():
    rules = with_defaults(
        LINKS.replace("action: link_attachments", "action: link_attachments\n    mode: monitor")
    )
    decision = decide((EXT, PPAP), FACTS, rules)
    assert decision.action == Action.HOLD and decision.rewrites == () and decision.links is None
    assert {m.id for m in decision.matched} == {"attachments-as-links", "encrypted-attachment"}


def test_also_is_the_sender_s_choice_with_default_terms():
    decision = decide((EXT, PPAP), FACTS, load_rules(), also=(Action.LINK_ATTACHMENTS,), linked=TAKEN)
    assert decision.action == Action.PASS
    assert decision.rewrites == (Action.LINK_ATTACHMENTS,) and decision.links == LinkTerms()
    # the rule's terms win over the defaults when both ask
    ruled = decide((EXT, PPAP), FACTS, with_defaults(LINKS), also=(Action.LINK_ATTACHMENTS,))
    assert ruled.rewrites == (Action.LINK_ATTACHMENTS,) and ruled.links.max_downloads == 10
    # a reject on the body is still a reject
    assert (
        decide(
            (EXT, PPAP, MYNUM_BODY), FACTS, load_rules(), also=(Action.LINK_ATTACHMENTS,), linked=TAKEN
        ).action
        == "hold"
    )


def test_with_bcc_convert_both_filters_apply():
    text = LINKS + "  - {id: to-bcc, when: {code: recipients.visible_external}, action: bcc_convert}\n"
    rules = with_defaults(text)
    decision = decide((EXT, VISIBLE, PPAP), FACTS, rules, linked=TAKEN)
    assert decision.action == Action.PASS
    assert set(decision.rewrites) == {Action.BCC_CONVERT, Action.LINK_ATTACHMENTS}
    assert decide((EXT, VISIBLE, PPAP), FACTS, load_rules()).action == Action.HOLD


def test_only_the_files_the_links_take_stop_counting():
    rules = with_defaults(LINKS)
    # Not split yet (None) or split without the file (kept inline, too deep): still held.
    for linked in (None, frozenset(), frozenset({"other.pdf"}), frozenset({"見積書"})):
        decision = decide((EXT, PPAP), FACTS, rules, linked=linked)
        assert decision.action == Action.HOLD and decision.rewrites == (Action.LINK_ATTACHMENTS,), linked
    # A member of a taken archive, a sheet of a taken workbook: taken with it.
    member = Finding(code="pii.my_number", count=2, where=("attachment:見積書.zip!名簿.xlsx!Sheet1!B2",))
    assert decide((EXT, member), FACTS, rules, linked=TAKEN).action == Action.PASS
    # In a taken file and in one that stays: the one that stays still carries it.
    two = Finding(code="pii.my_number", count=2, where=("attachment:見積書.zip", "attachment:logo.png"))
    assert decide((EXT, two), FACTS, rules, linked=TAKEN).action == Action.HOLD


@pytest.mark.parametrize(
    "code",
    [
        "client.mismatch",
        "attachment.unscannable",
        "attachment.unsupported",
        "attachment.type_mismatch",
        "inspector.error",
    ],
)
def test_links_do_not_answer_a_wrong_client_or_what_could_not_be_read(code):
    finding = Finding(code=code, count=1, where=("attachment:見積書.zip",), evidence=("B社",))
    stop = f"  - {{id: stop, when: {{code: {code}}}, action: hold}}\n"
    held = decide((EXT, finding), FACTS, with_defaults("rules:\n" + stop))
    assert held.action == Action.HOLD, code
    linked = decide((EXT, finding), FACTS, with_defaults(LINKS + stop), linked=TAKEN)
    assert linked.action == Action.HOLD and linked.rewrites == (Action.LINK_ATTACHMENTS,), code


def test_the_decision_keeps_the_terms_through_storage():
    decision = decide((EXT, PPAP), FACTS, with_defaults(LINKS), linked=TAKEN)
    stored = decision.to_dict()
    assert stored["links"] == {"expiry": 3 * 86400, "max_downloads": 10, "notify": False}
    assert stored["matched"][0]["links"] == stored["links"]
    assert Decision.from_dict(stored) == decision
    plain = decide((EXT, PPAP), FACTS, load_rules()).to_dict()
    assert "links" not in plain and all("links" not in m for m in plain["matched"])
    assert Decision.from_dict(plain).links is None


@pytest.mark.parametrize(
    "terms",
    [{"expiry": 60}, {"expiry": float("inf")}, {"max_downloads": 0}, {"max_downloads": "5"}, {"notify": 1}],
)
def test_terms_out_of_bounds_are_refused_when_read_back(terms):
    with pytest.raises(ValueError):
        LinkTerms.from_dict(terms)


def test_the_shipped_example_loads_and_links_are_off_by_default():
    text = resources.files("rules").joinpath("defaults.yaml").read_text("utf-8")
    assert not any(r.action == Action.LINK_ATTACHMENTS for r in load_rules().rules)
    start = text.index("  #   rules:\n")
    lines = []
    for line in text[start:].splitlines():
        if not line.startswith("  #  "):
            break
        lines.append(line[5:])
    [rule] = parse_rules_text("\n".join(lines), "example.yaml")
    assert rule.action == Action.LINK_ATTACHMENTS and rule.links == LinkTerms()


def test_check_json_states_the_terms():
    out = report(
        (EXT, PPAP),
        Envelope(mail_from="a@example.co.jp", rcpt_tos=("b@client.example",)),
        with_defaults(LINKS),
        False,
        TAKEN,
    )
    assert out["verdict"] == "pass" and out["links"]["max_downloads"] == 10
    assert [r["action"] for r in out["rules"]] == ["link_attachments"]
    held = report(
        (EXT, PPAP),
        Envelope(mail_from="a@example.co.jp", rcpt_tos=("b@client.example",)),
        load_rules(),
        False,
    )
    assert "links" not in held


def test_the_console_words_the_action_and_drops_the_terms_with_it():
    ja, en, _, _ = ACTION_WORDS["link_attachments"]
    assert ja == "添付ファイルをダウンロードリンクにして送る" and not re.search("[A-Za-z]", ja)
    assert "link" in en.lower()
    [rule] = parse_rules_text(LINKS, "local.yaml")
    changes, errors = read_edit({"enabled": "1", "mode": "enforce", "action": "hold"}, rule, {})
    assert errors == [] and changes["action"] == "hold"
    assert {k: changes[k] for k in ("link_expiry", "link_max_downloads", "link_notify")} == dict.fromkeys(
        ("link_expiry", "link_max_downloads", "link_notify")
    )
    kept, _ = read_edit({"enabled": "1", "mode": "monitor", "action": "link_attachments"}, rule, {})
    assert kept == {"mode": "monitor"}


def test_the_console_draft_check_lists_every_link_error_with_its_line():
    from quarantine.admin.rule_words import problem_text
    from rules.diagnose import diagnose

    text = (
        "rules:\n  - id: a\n    when: {code: pii.phone}\n    action: hold\n    link_notify: true\n"
        "  - id: b\n    when: {recipients: external}\n    action: link_attachments\n"
        "    link_expiry: 40d\n    link_max_downloads: 0\n"
    )
    said = [problem_text(p, "ja") for p in diagnose(text, "local.yaml", {}, {}, {})]
    assert said == [
        "5行目: rules[0].link_notify: 動作が添付ファイルのダウンロードリンク化（link_attachments）のときだけ指定できます",
        "9行目: rules[1].link_expiry: '40d' は使えません（1h から 31d までの時間）",
        "10行目: rules[1].link_max_downloads: 0 は使えません（1〜100 の整数）",
    ]
