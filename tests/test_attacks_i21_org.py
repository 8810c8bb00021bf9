"""Attacker's review of issue 21, the directory sync and the approvers from the org chart: a
real OpenLDAP (tests/slapd.py), a real store. Each test fails today for the reason it names."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from proxy.directory_settings import directory_settings
from proxy.org_ldap import Reading, read_directory
from proxy.org_sync import OrgSync
from quarantine.org_store import OrgStore
from quarantine.store import Store

from .slapd import GROUPS, PEOPLE, SUFFIX, SYNC_DN, SYNC_PW, SlapdServer, person

pytestmark = pytest.mark.process

D = "example.co.jp"
ADMIN1 = f"admin1@{D}"
SELF = f"ou=selfservice,{SUFFIX}"  # an OU outside the configured groups' base


@pytest.fixture(scope="module")
def slapd():
    server = SlapdServer().start()
    yield server
    server.stop()


def settings(slapd, *, port=None, **extra):
    raw = {
        "url": f"ldap://127.0.0.1:{port or slapd.port}",
        "ca_file": str(slapd.ca_file),
        "bind_dn": SYNC_DN,
        "bind_password_env": "PW",
        "people": {"base": PEOPLE, "filter": "(&(objectClass=inetOrgPerson)(mail=*))"},
        "groups": {"base": GROUPS, "filter": "(objectClass=groupOfNames)"},
        "attributes": {"department": "departmentNumber"},
        "timeout": "5s",
        **extra,
    }
    return directory_settings(raw, Path("."), {"PW": SYNC_PW})


def test_a_group_outside_the_configured_groups_joins_a_rule_group_of_the_same_name(slapd):
    """`groups: {base, filter}` says which groups count. A person's memberOf naming a group
    elsewhere in the directory (a self-service OU where staff make their own groups, another
    domain) is still turned into a group by its RDN value, and merged with the configured group
    of the same cn: admin1 joins `sales` (and every `group:sales` rule scope, and the approvers
    a config group `sales` without members takes from the directory) by being put into
    cn=sales,ou=selfservice. proxy/org_ldap.py _snapshot: `group_name.get(...) or _rdn_value(dn)`."""
    slapd.add_ldif(
        f"dn: {SELF}\nobjectClass: organizationalUnit\nou: selfservice\n\n"
        f"dn: cn=sales,{SELF}\nobjectClass: groupOfNames\ncn: sales\nmember: uid=admin1,{PEOPLE}"
    )
    snap = read_directory(settings(slapd), Reading())
    groups = {g.name: g.members for g in snap.groups}
    assert "sales" in groups  # the configured group is read
    assert ADMIN1 not in groups["sales"], "a look-alike group outside groups.base joined `sales`"


def test_departed_people_outlive_keep_departed_while_the_directory_is_unreachable(slapd, sqlite_url):
    """README: a person who left is kept `keep_departed`, then deleted. The purge only runs
    inside a successful sync (quarantine/org_store.py apply), and quarantine/retention.py does
    not know the org tables: while the directory is unreachable (or after `directory:` is
    removed) a departed person's name, department and manager stay for ever."""
    slapd.add_ldif(person("leaver", "退職 予定", "営業部", manager="ceo"))
    leaver = f"leaver@{D}"
    day = 86400.0
    clock = [1_000_000.0]

    async def scene() -> None:
        store = await Store.open(sqlite_url)
        try:
            org = OrgStore(store)
            sync = OrgSync(settings(slapd, keep_departed="1d"), org, clock=lambda: clock[0])
            assert await sync.once() is not None
            slapd.delete(f"uid=leaver,{PEOPLE}")
            clock[0] += 900
            change = await sync.once()
            assert change is not None and change.departed == (leaver,)
            # The directory goes away for ten days (a firewall change, a renamed DC).
            sync.settings = settings(slapd, port=1, keep_departed="1d")
            for _ in range(10):
                clock[0] += day
                assert await sync.once() is None
            chart = await org.chart()
            assert chart.person(leaver) is None, "kept 10 days with keep_departed: 1d"
        finally:
            await store.close()

    asyncio.run(scene())


def test_a_rule_scope_names_an_active_directory_group_in_other_letters(slapd):
    """Active Directory (and LDAP's cn) compare group names without case: `Sales`, `SALES` and
    `sales` are one group, and an AD admin may re-case a name at any time. The copy keeps the
    directory's letters and rules/decide.py scope_groups looks the name up exactly, while the
    loader accepts any `group:NAME` once a directory is configured: a hold rule written
    `group:sales` silently holds nothing of the group read as `Sales` (fails open)."""
    from inspectors.base import Finding
    from quarantine.org_chart import OrgChart
    from rules import MessageFacts, decide
    from rules.loader import parse_rules_text
    from rules.model import Action, Organization, RuleSet

    slapd.add_ldif(
        f"dn: cn=Sales-Team,{GROUPS}\nobjectClass: groupOfNames\ncn: Sales-Team\nmember: uid=taro,{PEOPLE}"
    )
    snap = read_directory(settings(slapd), Reading())
    chart = OrgChart.of(snap.people, snap.groups)
    org = Organization(internal_domains=(D,), approvers={}, directory=True)
    text = (
        "rules:\n  - {id: team-approval, when: {recipients: external}, action: hold_for_approval,"
        " scope: {senders: ['group:sales-team']}}\n"
    )
    rules = RuleSet(
        rules=tuple(parse_rules_text(text, "local.yaml", {}, organization=org)), organization=org, org=chart
    )
    facts = MessageFacts(mail_from=f"taro@{D}", rcpt_tos=("partner@client.example",))
    external = Finding(code="recipients.external", count=1, where=("envelope",))
    assert decide([external], facts, rules).action == Action.HOLD_FOR_APPROVAL, (
        "group:sales-team missed Sales-Team"
    )


def test_a_directory_group_rule_lets_mail_out_while_the_directory_was_never_read(tmp_path, upstream):
    """A new install, or a guard started while the DC is down: `directory:` is configured, no
    sync has ever completed (healthz: pending / stale last_ok_age=never), the copy is empty.
    A rule holding `group:sales` mail to outside then matches nobody and taro's mail to a
    client goes straight out: the failed sync fails OPEN. Expected: until a first good copy
    exists, mail a directory-group rule could catch is not passed (held or 451)."""
    from .support import free_port, make_guard, message, wait_until

    rules = tmp_path / "org.yaml"
    rules.write_text(
        "rules:\n  - {id: sales-approval, when: {recipients: external}, action: hold_for_approval,"
        " scope: {senders: ['group:sales']}}\n",
        "utf-8",
    )
    guard = make_guard(
        tmp_path,
        upstream.url,
        organization={"internal_domains": [D], "groups": {"admins": {"members": [f"boss@{D}"]}}},
        rules=[str(rules)],
        directory={"url": f"ldaps://127.0.0.1:{free_port()}", "people": {"base": PEOPLE}},
    )
    try:
        guard.start()
        code, _ = guard.submit(message(subject="見積書"), f"taro@{D}")
        if code == 250:  # passed (relayed before the 250) or held (the sender's notice goes out)
            wait_until(lambda: upstream.recorder.messages, "nothing went upstream: neither passed nor held")
        assert not upstream.recorder.to("partner@client.example"), "sales mail passed with no copy"
    finally:
        guard.stop()


def test_a_second_entry_with_someones_mail_takes_over_his_manager(slapd):
    """Two directory entries carrying one mail (a stale duplicate, or a person who may edit his
    own `mail`, as many OpenLDAP ACLs allow `by self write`): proxy/org_ldap.py _snapshot keeps
    whichever the server returns last, silently (slapd returns the oldest entry last): here
    ceo's entry, given taro's mail, becomes taro — with no manager, so every `approvers:
    manager` for taro's mail falls to the admins, and ceo vanishes (departed). An address held
    by two entries should name nobody new (skipped, counted, the copy's person kept)."""
    ceo = f"uid=ceo,{PEOPLE}"
    slapd.replace(ceo, mail=[f"taro@{D}"])
    try:
        reading = Reading()
        snap = read_directory(settings(slapd), reading)
    finally:
        slapd.replace(ceo, mail=[f"ceo@{D}"])
    taro = {p.mail: p for p in snap.people}.get(f"taro@{D}")
    assert taro is None or taro.manager == f"sales-head@{D}", f"taro is now {taro}"
