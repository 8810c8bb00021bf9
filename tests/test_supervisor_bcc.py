"""Supervisor Bcc (上長Bcc, issue 19): a rule's add_bcc, validated by the loader (errors name
the key, in English and Japanese) and resolved by decide() into the union of the matching
rules' internal addresses."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from inspectors.base import Finding
from quarantine.admin.rule_words import _UNKNOWN, detail_ja
from rules import MessageFacts, RuleError, decide, load_rules
from rules.diagnose import diagnose
from rules.loader import parse_rules_text
from rules.model import Decision, Organization, RuleSet

from .admin_console import post, unescaped
from .page_words import english_words
from .support import MY_NUMBER_BODY, message, notice_link, wait_until

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


# --- through the running guard, over real sockets -------------------------------------------
LOCAL = """
rules:
  - id: bcc-boss-on-external
    when: {recipients: external}
    action: pass
    add_bcc: [kacho@example.co.jp, approvers]
"""
RUNNING_ORG = {
    "internal_domains": ["example.co.jp"],
    "groups": {"sales": {"members": ["taro@example.co.jp"], "approvers": ["bucho@example.co.jp"]}},
}


def _guard(guard_factory, tmp_path):
    (tmp_path / "local.yaml").write_text(LOCAL, "utf-8")
    return guard_factory(rules=[str(tmp_path / "local.yaml")], organization=RUNNING_ORG).start()


def test_external_mail_reaches_the_supervisors_in_the_envelope_only(guard_factory, upstream, tmp_path):
    guard = _guard(guard_factory, tmp_path)
    raw = message("お見積り", to="partner@client.example")
    assert guard.submit(raw, "taro@example.co.jp", "partner@client.example")[0] == 250
    [got] = upstream.recorder.wait_for(1)
    assert got.rcpt_tos == ["partner@client.example", "kacho@example.co.jp", "bucho@example.co.jp"]
    assert got.data == raw and b"bcc" not in got.data.lower()  # the bytes as sent: no header names them
    # internal-only mail is not the rule's: nobody is added
    internal = message("社内連絡", to="hanako@example.co.jp")
    assert guard.submit(internal, "taro@example.co.jp", "hanako@example.co.jp")[0] == 250
    second = upstream.recorder.wait_for(2)[1]
    assert second.rcpt_tos == ["hanako@example.co.jp"] and second.data == internal
    wait_until(lambda: "bcc_added=2" in guard.log, "the log line does not count the added Bcc")
    assert "kacho@" not in guard.log and "bucho@" not in guard.log  # counts, never the addresses


def test_a_held_message_released_from_its_page_goes_to_the_supervisors_too(guard_factory, upstream, tmp_path):
    guard = _guard(guard_factory, tmp_path)
    raw = message("個人番号の件", MY_NUMBER_BODY)
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["partner@client.example"], raw)
    notice = upstream.recorder.wait_for(1)[0]
    assert notice.rcpt_tos == ["taro@example.co.jp"]  # the hold notice: the sender only
    link = notice_link(notice)
    page = httpx.get(link, headers={"Accept-Language": "ja"}).text
    assert "上長（kacho@example.co.jp, bucho@example.co.jp）にも Bcc で送られます。" in page
    assert english_words(page) == []
    english = httpx.get(link, headers={"Accept-Language": "en"}).text
    assert "A Bcc copy also goes to your supervisor (kacho@example.co.jp, bucho@example.co.jp)." in english
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert httpx.post(link, data={"action": "release", "csrf": csrf, "confirm": "1"}).status_code == 303
    wait_until(lambda: upstream.recorder.to("partner@client.example"), "the release was never delivered")
    [sent] = upstream.recorder.to("partner@client.example")
    assert sent.rcpt_tos == ["partner@client.example", "kacho@example.co.jp", "bucho@example.co.jp"]
    assert sent.data == raw
    history = httpx.get(link, headers={"Accept-Language": "ja"}).text
    assert "上長などを Bcc の宛先に加えました" in history and "宛先に配送しました" in history
    assert "add-bcc" not in history  # said while it may still go, not after


def test_a_delay_sends_to_the_supervisor_when_its_time_is_up(guard_factory, upstream, tmp_path):
    (tmp_path / "local.yaml").write_text(
        "rules:\n  - {id: wait-and-bcc, when: {recipients: external}, action: delay, delay: 2s,"
        " add_bcc: [kacho@example.co.jp]}\n",
        "utf-8",
    )
    guard = guard_factory(rules=[str(tmp_path / "local.yaml")], organization=RUNNING_ORG).start()
    raw = message("ご案内")
    assert guard.submit(raw, "taro@example.co.jp", "partner@client.example")[0] == 250
    page = httpx.get(notice_link(upstream.recorder.wait_for(1)[0]), headers={"Accept-Language": "ja"}).text
    assert "上長（kacho@example.co.jp）にも Bcc で送られます。" in page and english_words(page) == []
    wait_until(lambda: upstream.recorder.to("partner@client.example"), "the delayed message was never sent")
    [sent] = upstream.recorder.to("partner@client.example")
    assert sent.rcpt_tos == ["partner@client.example", "kacho@example.co.jp"] and sent.data == raw


def test_the_console_message_page_shows_the_added_addresses(admin):
    admin.hold("Q1")
    record = admin.run(lambda: admin.store.get("Q1"))
    decision = json.dumps(record.decision.to_dict() | {"add_bcc": ["kacho@example.co.jp"]})
    admin.sql("UPDATE held_messages SET decision = :d WHERE id = 'Q1'", d=decision)
    page = admin.client.get("/admin/messages/Q1").text
    assert "上長Bcc" in page and "kacho@example.co.jp" in page
    admin.hold("Q2")
    assert "上長Bcc" not in admin.client.get("/admin/messages/Q2").text


def test_the_console_editor_checks_add_bcc_and_says_what_is_wrong_in_japanese(admin):
    admin.rulebook.organization = ORG  # as proxy.server builds it from the configuration
    outside = rule("[boss@client.example]")
    r = post(admin, "/admin/rules/check", draft=outside)
    text = re.sub(r"<[^>]+>", "", unescaped(r))  # the values are in <code>
    assert r.status_code == 422 and "5行目: rules[0].add_bcc: " in text
    assert (
        "'boss@client.example' は社内のアドレスではありません（社外への Bcc は情報漏えいになります）" in text
    )
    r = post(admin, "/admin/rules/check", draft=rule("[boss@example.co.jp]", "reject"))
    assert r.status_code == 422 and "では送信されないため指定できません" in unescaped(r)
    assert post(admin, "/admin/rules/check", draft=rule("[boss@example.co.jp, approvers]")).status_code == 200
    assert (
        post(admin, "/admin/rules/save", draft=rule("[boss@example.co.jp]"), version="0").status_code == 303
    )
    [saved] = [r for r in admin.rulebook.current.rules if r.id == "bcc-boss"]
    assert saved.add_bcc == ("boss@example.co.jp",)
