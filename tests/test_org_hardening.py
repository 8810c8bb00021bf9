"""The directory's review fixes (issue 21): the rules fail closed until a first good sync,
group names compare without case, a memberOf outside the configured groups and two group DNs
of one name are never merged, an address two entries carry names nobody new, the departed are
purged while the directory is down, the copy goes when `directory:` does, an empty bind
password is a configuration error. Pure reads of raw entries, a real store (SQLite and
PostgreSQL), the real decide()."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from inspectors.base import Finding
from proxy.directory_settings import directory_settings
from proxy.errors import ConfigError
from proxy.org_ldap import Reading, _snapshot
from proxy.org_sync import OrgSync
from quarantine.org_cache import OrgCache, health_line
from quarantine.org_chart import OrgChart, OrgGroup, OrgSnapshot, OrgStatus, Person
from quarantine.org_store import OrgStore
from quarantine.store import Store
from rules import MessageFacts, decide
from rules.book import RuleBook
from rules.model import Action, Organization

D = "example.co.jp"
PEOPLE = "ou=people,dc=example,dc=co,dc=jp"
GROUPS = "ou=groups,dc=example,dc=co,dc=jp"
EXTERNAL = Finding(code="recipients.external", count=1, where=("envelope",))


def settings(groups: bool = True):
    raw = {
        "url": "ldaps://dc1.example.co.jp",
        "bind_dn": "cn=sync",
        "bind_password_env": "PW",
        "people": {"base": PEOPLE},
        **({"groups": {"base": GROUPS}} if groups else {}),
    }
    return directory_settings(raw, Path("."), {"PW": "secret"})


def entry(uid: str, mail: str, *member_of: str, manager: str = "") -> tuple[str, dict]:
    raw = {
        "mail": [mail.encode()],
        "displayname": [uid.encode()],
        "memberof": [m.encode() for m in member_of],
    }
    if manager:
        raw["manager"] = [f"uid={manager},{PEOPLE}".encode()]
    return f"uid={uid},{PEOPLE}", raw


def group(dn: str, cn: str, *uids: str) -> tuple[str, dict]:
    return dn, {"cn": [cn.encode()], "member": [f"uid={u},{PEOPLE}".encode() for u in uids]}


def test_empty_bind_password_is_a_config_error_naming_the_key():
    raw = {"url": "ldaps://dc1", "bind_dn": "cn=sync", "bind_password_env": "PW", "people": {"base": PEOPLE}}
    with pytest.raises(ConfigError, match=r"directory\.bind_password_env: the variable PW is empty"):
        directory_settings(raw, Path("."), {"PW": ""})


def test_only_the_configured_groups_count_and_names_fold():
    people = [
        entry("taro", f"taro@{D}", f"cn=Sales,{GROUPS}", "cn=sales,ou=self,dc=example,dc=co,dc=jp"),
        entry("eve", f"eve@{D}", "cn=sales,ou=self,dc=example,dc=co,dc=jp"),
    ]
    groups = [group(f"cn=Sales,{GROUPS}", "Sales", "taro")]
    snap = _snapshot(settings(), people, groups, Reading())
    assert snap.groups == (OrgGroup(name="sales", members=(f"taro@{D}",)),)  # eve's look-alike ignored


def test_two_group_dns_of_one_name_are_neither_read():
    for configured in (True, False):
        people = [
            entry("taro", f"taro@{D}", f"cn=Sales,{GROUPS}"),
            entry("eve", f"eve@{D}", f"cn=SALES,ou=x,{GROUPS}"),
        ]
        groups = [
            group(f"cn=Sales,{GROUPS}", "Sales", "taro"),
            group(f"cn=SALES,ou=x,{GROUPS}", "SALES", "eve"),
        ]
        reading = Reading()
        snap = _snapshot(settings(configured), people, groups if configured else [], reading)
        assert snap.groups == () and reading.group_clashes == 2, configured


def test_an_address_two_entries_carry_names_nobody_and_the_copy_keeps_him(store_url, caplog):
    boss, taro = entry("boss", f"boss@{D}"), entry("taro", f"taro@{D}", manager="boss")
    groups = [group(f"cn=sales,{GROUPS}", "sales", "taro")]
    clash = ("uid=mallory," + PEOPLE, {"mail": [f"taro@{D}".encode()]})

    def reader(people):
        return lambda s, reading: _snapshot(s, people, groups, reading)

    async def body(org: OrgStore):
        await OrgSync(settings(), org, read=reader([boss, taro]), clock=lambda: 1000.0).once()
        with caplog.at_level(logging.WARNING, "guard.org"):
            change = await OrgSync(
                settings(), org, read=reader([boss, taro, clash]), clock=lambda: 2000.0
            ).once()
        assert change is not None and change.empty, change
        chart = await org.chart()
        assert chart.person(f"taro@{D}") == Person(mail=f"taro@{D}", name="taro", manager=f"boss@{D}")
        assert chart.groups == {"sales": (f"taro@{D}",)}
        assert "event=directory_entries_rejected count=2 reason=duplicate_mail" in caplog.text
        assert "taro" not in caplog.text

    run(store_url, body)


def test_a_manager_whose_mail_two_entries_carry_stays_the_manager(store_url):
    boss, taro = entry("boss", f"boss@{D}"), entry("taro", f"taro@{D}", manager="boss")
    clash = ("uid=mallory," + PEOPLE, {"mail": [f"boss@{D}".encode()]})

    async def body(org: OrgStore):
        read = [boss, taro]
        sync = OrgSync(settings(), org, read=lambda s, reading: _snapshot(s, read, [], reading))
        await sync.once()
        read.append(clash)
        change = await sync.once()
        assert change is not None and change.empty, change  # neither departed nor re-managed
        assert (await org.chart()).manager_of(f"taro@{D}") == Person(mail=f"boss@{D}", name="boss")

    run(store_url, body)


def test_departed_purged_on_a_failed_sync_and_the_copy_cleared(store_url):
    async def body(org: OrgStore):
        boss = Person(mail=f"boss@{D}")
        await org.apply(OrgSnapshot(people=(boss, Person(mail=f"x@{D}")), groups=()), now=0.0)
        await org.apply(OrgSnapshot(people=(boss,), groups=()), now=10.0)  # x departs
        rev = await org.revision()
        assert await org.failed("unreachable", 50.0, keep_departed=100.0) == 0
        assert await org.failed("unreachable", 200.0, keep_departed=100.0) == 1
        assert (await org.chart()).person(f"x@{D}") is None and await org.revision() > rev
        assert (await org.status()).last_error == "unreachable"
        assert await org.clear() == 1  # `directory:` removed
        status = await org.status()
        assert (await org.chart()).people == {} and status.last_ok_at is None and status.people == 0
        assert await org.clear() == 0  # nothing left: nothing written

    run(store_url, body)


def test_rules_fail_closed_until_the_first_good_sync(store_url, tmp_path, caplog):
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "rules:\n  - {id: sales-approval, when: {recipients: external}, action: hold_for_approval,"
        " scope: {senders: ['group:SALES']}}\n",
        "utf-8",
    )
    facts = MessageFacts(mail_from=f"taro@{D}", rcpt_tos=("partner@client.example",))
    jiro = MessageFacts(mail_from=f"jiro@{D}", rcpt_tos=("partner@client.example",))

    async def body(org: OrgStore):
        cache = OrgCache(org, poll=0.01)
        await cache.load()
        book = RuleBook([rules], {}, Organization(internal_domains=(D,), directory=True), org=cache.chart)
        assert cache.chart().unread and health_line(cache.status(), 0.0) == (
            "directory: never synced (first sync pending)"
        )
        with caplog.at_level(logging.WARNING, "guard.rules"):
            assert decide([EXTERNAL], facts, book()).action == Action.HOLD_FOR_APPROVAL  # nobody known
            decide([EXTERNAL], facts, book())
        assert caplog.text.count("event=directory_never_synced rules=1 ids=sales-approval") == 1
        await org.failed("unreachable", 5.0)
        await cache.refresh()
        assert (
            health_line(cache.status(), 9.0)
            == "directory: stale error=unreachable last_ok_age=never (never synced)"
        )
        assert decide([EXTERNAL], facts, book()).action == Action.HOLD_FOR_APPROVAL
        # The first good read, even one that moves nothing: an unknown group is nobody again.
        await org.apply(OrgSnapshot(people=(), groups=()), now=10.0)
        await cache.refresh()
        assert not cache.chart().unread and decide([EXTERNAL], facts, book()).action == Action.PASS
        # A directory group named in other letters: its members only.
        taro = Person(mail=f"taro@{D}")
        await org.apply(
            OrgSnapshot(people=(taro,), groups=(OrgGroup(name="Sales", members=(taro.mail,)),)), 20.0
        )
        await cache.refresh()
        assert decide([EXTERNAL], facts, book()).action == Action.HOLD_FOR_APPROVAL
        assert decide([EXTERNAL], jiro, book()).action == Action.PASS

    run(store_url, body)


def test_a_known_group_stays_exact_while_unread():
    """Unread, but the configuration names the group with members: those members only."""
    from rules.model import CodeCondition, Rule, RuleSet, Scope

    rule = Rule(
        id="r",
        when=CodeCondition(code="recipients.external"),
        action=Action.HOLD,
        scope=Scope(senders=("group:Team",)),
    )
    rs = RuleSet(rules=(rule,), groups={"team": (f"taro@{D}",)}, org=OrgChart(unread=True))
    out = MessageFacts(mail_from=f"jiro@{D}", rcpt_tos=("p@client.example",))
    assert decide([EXTERNAL], out, rs).action == Action.PASS
    assert (
        decide([EXTERNAL], MessageFacts(mail_from=f"taro@{D}", rcpt_tos=out.rcpt_tos), rs).action
        == Action.HOLD
    )


def test_the_dashboard_says_never_synced(tmp_path, sqlite_url):
    from .admin_console import open_console
    from .page_words import english_words

    status = [OrgStatus(configured=True)]
    with open_console(tmp_path, sqlite_url, org_status=lambda: status[0]) as console:
        assert console.login().status_code == 303
        ja = console.client.get("/admin/")
        assert 'id="directory-never"' in ja.text and "まだ一度も同期されていません" in ja.text
        assert english_words(ja.text) == []
        en = console.client.get("/admin/?lang=en").text
        assert "The company directory was never synced: rules scoped to a directory group hold" in en
        status[0] = OrgStatus(configured=True, last_attempt_at=5.0, last_error="unreachable")
        stale = console.client.get("/admin/?lang=en").text
        assert 'id="directory-stale"' in stale and 'id="directory-never"' not in stale
        assert "It was never synced: approvals go to the admins, and rules scoped" in stale
        status[0] = OrgStatus(configured=True, last_ok_at=5.0, last_attempt_at=5.0)
        fresh = console.client.get("/admin/").text
        assert 'id="directory-never"' not in fresh and 'id="directory-stale"' not in fresh


def run(store_url: str, body) -> None:
    async def go():
        store = await Store.open(store_url)
        try:
            await body(OrgStore(store))
        finally:
            await store.close()

    asyncio.run(go())


def test_the_rules_page_says_an_unknown_group_holds_everybody_until_the_first_sync(admin):
    import html as html_lib

    from .admin_console import post
    from .page_words import english_words

    admin.rulebook.organization = Organization(internal_domains=(D,), directory=True)
    admin.rulebook.org = lambda: OrgChart(unread=True)
    draft = "rules:\n  - {id: org-scoped, when: {recipients: external}, action: hold, scope: {senders: ['group:ghost']}}\n"
    assert post(admin, "/admin/rules/save", draft=draft, version="0").status_code == 303
    ja = html_lib.unescape(admin.client.get("/admin/rules?lang=ja").text)
    assert (
        "組織のディレクトリはまだ一度も同期されていないため、このルールはすべての送信者・宛先を対象にします"
        in ja
    )
    assert english_words(ja, allow=("ghost", "org-scoped")) == []
    en = html_lib.unescape(admin.client.get("/admin/rules?lang=en").text)
    assert "the directory was never synced: until it is, everybody is in this rule's scope" in en
