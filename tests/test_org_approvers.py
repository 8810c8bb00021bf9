"""Approvers from the org chart (issue 21), pure: `manager` / `manager_of_manager` entries
resolved against a chart (departed manager -> the deputy; duplicates, the sender and hostile
directory values dropped), the configuration's and the rules' validation (errors name the key),
a rule's own approvers, directory groups in rule scopes and add_bcc's approvers."""

from __future__ import annotations

import logging

import pytest

from inspectors.base import Finding
from proxy.errors import ConfigError
from proxy.settings import approvers_for, load_settings, rule_groups, rule_organization
from quarantine.admin.rule_words import _UNKNOWN, detail_ja
from quarantine.holds import rule_approvers
from quarantine.org_chart import MANAGER, MANAGER_OF_MANAGER, OrgChart, OrgGroup, Person
from rules import MessageFacts, RuleError, decide
from rules.approvers import NO_DIRECTORY, resolve_approvers
from rules.book import RuleBook
from rules.loader import parse_rules_text
from rules.model import Action, Decision, MatchedRule, Mode, Organization, RuleSet

D = "example.co.jp"
BOSS = Person(mail=f"boss@{D}", name="社長", department="経営")
MGR = Person(mail=f"mgr@{D}", name="部長", department="営業", manager=BOSS.mail)
TARO = Person(mail=f"taro@{D}", name="山田 太郎", department="営業", manager=MGR.mail)
HANAKO = Person(mail=f"hanako@{D}", name="花子", department="総務", manager=BOSS.mail)
GONE = Person(mail=f"gone@{D}", name="元部長", manager=BOSS.mail, departed=True)
JIRO = Person(mail=f"jiro@{D}", name="次郎", manager=GONE.mail)
SELF = Person(mail=f"self@{D}", name="自分", manager=f"self@{D}")
SALES = OrgGroup(name="sales", members=(TARO.mail, MGR.mail))
SOUMU = OrgGroup(name="soumu", members=(HANAKO.mail,))
CHART = OrgChart.of((BOSS, MGR, TARO, HANAKO, GONE, JIRO, SELF), (SALES, SOUMU))
CHAIN = (MANAGER, MANAGER_OF_MANAGER)
EXT = Finding(code="recipients.external", count=1, where=("envelope",))
ORG = Organization(internal_domains=(D,), approvers={}, directory=True)


def hostile(mail: str) -> OrgChart:
    """A chart in which taro's manager has the mail a directory could hold."""
    bad = Person(mail=mail, manager=BOSS.mail)
    return OrgChart({**CHART.people, TARO.mail: Person(mail=TARO.mail, manager=mail), mail: bad}, {})


@pytest.mark.parametrize(
    "entries, sender, chart, want",
    [
        (CHAIN, TARO.mail, CHART, (MGR.mail, BOSS.mail)),  # the manager approves, his manager deputises
        (CHAIN, "Taro+x@Example.co.jp", CHART, (MGR.mail, BOSS.mail)),  # as a mailbox
        ((MANAGER,), HANAKO.mail, CHART, (BOSS.mail,)),
        (CHAIN, JIRO.mail, CHART, (BOSS.mail,)),  # the manager left: the deputy takes over
        ((MANAGER,), JIRO.mail, CHART, ()),  # nobody left: the admins decide (approvers_for)
        (CHAIN, MGR.mail, CHART, (BOSS.mail,)),  # the top: no manager of manager
        (CHAIN, SELF.mail, CHART, ()),  # his own manager is never his approver
        (CHAIN, f"stranger@{D}", CHART, ()),  # not in the directory
        (CHAIN, "", CHART, ()),  # the null sender names nobody's manager
        ((MANAGER, MGR.mail, f"aide@{D}"), TARO.mail, CHART, (MGR.mail, f"aide@{D}")),  # no duplicate
        ((f"TARO@{D}", MANAGER), TARO.mail, CHART, (MGR.mail,)),  # never the sender
        (CHAIN, TARO.mail, NO_DIRECTORY, ()),
        # A directory value is hostile: what RCPT TO would not carry as written, or outside.
        (CHAIN, TARO.mail, hostile(f"a@{D}, evil@attacker.example"), (BOSS.mail,)),
        (CHAIN, TARO.mail, hostile(f"a%attacker.example@{D}"), (BOSS.mail,)),
        (CHAIN, TARO.mail, hostile(f"a@{D}\r\nrcpt to:<x@attacker.example>"), (BOSS.mail,)),
        (CHAIN, TARO.mail, hostile("boss@attacker.example"), (BOSS.mail,)),
        (CHAIN, TARO.mail, hostile(f"上長@{D}"), (BOSS.mail,)),
    ],
)
def test_resolution(entries, sender, chart, want):
    assert resolve_approvers(entries, sender, chart, (D,)) == want


def settings(tmp_path, groups: str, directory: bool = True):
    path = tmp_path / "guard.yaml"
    text = f"organization:\n  internal_domains: [{D}]\n  groups:\n{groups}"
    if directory:
        text += "directory: {url: 'ldaps://dc1.example.co.jp', people: {base: 'OU=People,DC=example'}}\n"
    path.write_text(text, "utf-8")
    return load_settings(path, {})


def test_group_approvers_follow_the_chart(tmp_path):
    s = settings(
        tmp_path,
        f"    all: {{members: ['@{D}'], approvers: [manager, manager_of_manager]}}\n"
        "    soumu: {approvers: [manager_of_manager]}\n",  # no members: the directory's group
    )
    assert rule_organization(s).directory and s.groups[0].approvers == CHAIN
    admins = (f"admin@{D}",)
    assert approvers_for(s, TARO.mail, admins, CHART) == (MGR.mail, BOSS.mail)
    assert approvers_for(s, JIRO.mail, admins, CHART) == (BOSS.mail,)
    assert approvers_for(s, SELF.mail, admins, CHART) == admins  # nobody left: the admins
    assert approvers_for(s, TARO.mail, admins, OrgChart()) == admins  # an empty copy: the admins
    # A rule's own entries override the group.
    assert approvers_for(s, TARO.mail, admins, CHART, (f"chief@{D}", MANAGER)) == (f"chief@{D}", MGR.mail)
    # The memberless config group takes the directory group's members (order: "all" first).
    s2 = settings(tmp_path, "    soumu: {approvers: [manager_of_manager, 'aide@example.co.jp']}\n")
    assert approvers_for(s2, HANAKO.mail, admins, CHART) == (f"aide@{D}",)  # boss has no manager
    assert approvers_for(s2, TARO.mail, admins, CHART) == admins  # not of soumu
    assert rule_groups(s2) == {"soumu": ()}


@pytest.mark.parametrize(
    "groups, directory, words",
    [
        (
            "    s: {members: ['@x.jp'], approvers: [manager]}\n",
            False,
            "organization.groups.s.approvers: manager: needs a directory",
        ),
        ("    s: {members: ['@x.jp'], approvers: [manager_of_manager]}\n", False, "needs a directory"),
        ("    s: {members: ['@x.jp'], approvers: [Manager]}\n", True, "is not one plain address"),
        (
            "    s: {members: ['@x.jp'], approvers: ['a@x.jp, b@y.jp']}\n",
            True,
            "organization.groups.s.approvers",
        ),
    ],
)
def test_group_approver_errors_name_the_key(tmp_path, groups, directory, words):
    with pytest.raises(ConfigError, match=words):
        settings(tmp_path, groups, directory)


def hold_rule(extra: str = "", action: str = "hold_for_approval", scope: str = "") -> str:
    return (
        f"rules:\n  - id: boss-ok\n    when: {{recipients: external}}\n    action: {action}\n{extra}{scope}"
    )


@pytest.mark.parametrize(
    "text, org, words",
    [
        (hold_rule("    approvers: [manager]\n"), Organization(), "approvers: manager: needs a directory"),
        (hold_rule("    approvers: [manager]\n", "hold"), ORG, "only goes with action hold_for_approval"),
        (hold_rule("    approvers: []\n"), ORG, "must be a list of addresses, manager or manager_of_manager"),
        (hold_rule("    approvers: manager\n"), ORG, "must be a list of addresses"),
        (hold_rule("    approvers: [boss]\n"), ORG, "'boss' is not one plain address"),
        (hold_rule("    approvers: ['a%b@example.co.jp']\n"), ORG, "is not one plain address"),
        (hold_rule(scope="    scope: {senders: ['group:nope']}\n"), Organization(), "unknown group 'nope'"),
        (hold_rule(scope="    scope: {senders: ['group:']}\n"), ORG, "unknown group ''"),
    ],
)
def test_rule_approver_errors_name_rule_and_key(text, org, words):
    with pytest.raises(RuleError, match=words) as caught:
        parse_rules_text(text, "local.yaml", {}, organization=org)
    assert "boss-ok" in str(caught.value)
    assert detail_ja(caught.value.detail) != _UNKNOWN  # the console says it in Japanese too


def facts(sender: str) -> MessageFacts:
    return MessageFacts(mail_from=sender, rcpt_tos=("partner@client.example",))


def test_directory_groups_scope_rules_and_config_groups_win(caplog):
    text = (
        "rules:\n"
        "  - {id: sales-ok, when: {recipients: external}, action: hold_for_approval,"
        " scope: {senders: ['group:sales']}, approvers: [manager_of_manager, manager],"
        " add_bcc: [approvers]}\n"
        "  - {id: soumu-wait, when: {recipients: external}, action: delay, delay: 10m,"
        " scope: {senders: ['group:soumu']}}\n"
    )
    groups = {"soumu": (f"kanri@{D}",)}  # a configuration group of a directory group's name
    rules = RuleSet(rules=tuple(parse_rules_text(text, "local.yaml", groups, organization=ORG)), groups=groups,
                    organization=ORG)  # fmt: skip
    book = RuleBook([], groups, ORG, org=lambda: CHART)
    ruleset = RuleSet(rules=rules.rules, groups=groups, organization=ORG, org=CHART)

    taro = decide([EXT], facts(TARO.mail), ruleset)
    assert taro.action == Action.HOLD_FOR_APPROVAL
    assert rule_approvers(taro) == (MANAGER_OF_MANAGER, MANAGER)
    assert taro.add_bcc == (BOSS.mail, MGR.mail)  # add_bcc: [approvers] is the rule's, resolved
    assert decide([EXT], facts(TARO.mail), rules).action == Action.PASS  # no chart: no group
    # soumu is the configuration's: hanako (the directory's soumu) is not in it, kanri is.
    assert decide([EXT], facts(HANAKO.mail), ruleset).action == Action.PASS
    assert decide([EXT], facts(f"kanri@{D}"), ruleset).action == Action.DELAY
    # A person moving department: the next chart puts him in the other group's rule.
    moved = OrgChart.of(tuple(CHART.people.values()), (OrgGroup(name="sales", members=()), SOUMU))
    assert (
        decide([EXT], facts(TARO.mail), RuleSet(rules=rules.rules, organization=ORG, org=moved)).action
        == Action.PASS
    )
    # The book hands the chart in force with the rules, and says once that soumu is shadowed.
    with caplog.at_level(logging.WARNING, "guard.rules"):
        assert book().org is CHART and book() is book()
    assert [r.message for r in caplog.records].count(
        "event=directory_group_shadowed group='soumu' by=organization.groups"
    ) == 1


def test_group_add_bcc_approvers_include_the_manager():
    org = Organization(internal_domains=(D,), approvers={"all": CHAIN}, directory=True)
    text = "rules:\n  - {id: tell, when: {recipients: external}, action: pass, add_bcc: [approvers]}\n"
    groups = {"all": (f"@{D}",)}
    rules = RuleSet(rules=tuple(parse_rules_text(text, "l.yaml", groups, organization=org)), groups=groups,
                    organization=org, org=CHART)  # fmt: skip
    assert decide([EXT], facts(TARO.mail), rules).add_bcc == (MGR.mail, BOSS.mail)
    assert decide([EXT], facts(JIRO.mail), rules).add_bcc == (BOSS.mail,)  # departed: skipped
    bad = RuleSet(rules=rules.rules, groups=groups, organization=org, org=hostile("boss@attacker.example"))
    assert decide([EXT], facts(TARO.mail), bad).add_bcc == (BOSS.mail,)  # never outside


def test_override_and_stored_decisions():
    org = ORG
    text = "rules:\n  - {id: boss-ok, when: {recipients: external}, action: hold_for_approval, approvers: [manager]}\n"
    base = {r.id: r for r in parse_rules_text(text, "a.yaml", {}, organization=org)}
    with pytest.raises(RuleError, match="only goes with action hold_for_approval"):
        parse_rules_text("rules:\n  - {id: boss-ok, action: hold}\n", "b.yaml", {}, base, org)
    over = parse_rules_text(
        "rules:\n  - {id: boss-ok, approvers: [jicho@example.co.jp]}\n", "b.yaml", {}, base, org
    )
    assert over[0].approvers == ("jicho@example.co.jp",)
    m = MatchedRule(id="x", action=Action.HOLD_FOR_APPROVAL, mode=Mode.ENFORCE, reason={}, findings=(),
                    approvers=CHAIN)  # fmt: skip
    d = Decision(action=Action.HOLD_FOR_APPROVAL, matched=(m,))
    assert Decision.from_dict(d.to_dict()) == d and rule_approvers(d) == CHAIN
    old = m.to_dict()
    del old["approvers"]
    assert "approvers" not in MatchedRule.from_dict(old).to_dict()  # older rows read the same
    monitor = Decision(action=Action.PASS, matched=(MatchedRule(**{**m.__dict__, "mode": Mode.MONITOR}),))
    assert rule_approvers(monitor) == ()  # a monitor-mode rule names nobody
