"""The directory sync against a real OpenLDAP (issue 21): people, groups and manager chains
read over StartTLS and ldaps with a verified certificate, past a size limit by paging; a person
moving department; a manager leaving (the deputy takes over); the server going away mid-sync
(the last good copy stays, the status says stale); the dry run; hostile directory values."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import pytest
import trustme

from proxy.directory_settings import directory_settings
from proxy.org_ldap import DirectoryError, Reading, read_directory
from proxy.org_sync import OrgSync
from quarantine.cluster_lock import ClusterLock
from quarantine.org_chart import MANAGER, MANAGER_OF_MANAGER
from quarantine.org_store import OrgStore
from quarantine.store import Store

from .slapd import GROUPS, PEOPLE, SUFFIX, SYNC_DN, SYNC_PW, Cutter, SlapdServer, group, person

pytestmark = pytest.mark.process

TARO, HEAD, CEO, JIRO = (f"{u}@example.co.jp" for u in ("taro", "sales-head", "ceo", "jiro"))
LAB = f"ou=lab,{SUFFIX}"


@pytest.fixture(scope="module")
def slapd():
    server = SlapdServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cutter(slapd):
    relay = Cutter(slapd.port)
    yield relay
    relay.close()


def settings(
    slapd, *, port=None, ldaps=False, ca=None, password=SYNC_PW, people=PEOPLE, groups=True, **extra
):
    scheme = "ldaps" if ldaps else "ldap"
    raw = {
        "url": f"{scheme}://127.0.0.1:{port or (slapd.ldaps_port if ldaps else slapd.port)}",
        "ca_file": str(ca or slapd.ca_file),
        "bind_dn": SYNC_DN,
        "bind_password_env": "PW",
        "people": {"base": people, "filter": "(&(objectClass=inetOrgPerson)(mail=*))"},
        "groups": {"base": GROUPS, "filter": "(objectClass=groupOfNames)"} if groups else {},
        "attributes": {"department": "departmentNumber"},
        "timeout": "5s",
        **extra,
    }
    return directory_settings(raw, Path("."), {"PW": password})


def read(s, page=2):
    reading = Reading()
    return read_directory(s, reading, page=page), reading


@pytest.mark.parametrize("ldaps", [False, True], ids=["starttls", "ldaps"])
def test_people_groups_and_chains(slapd, ldaps):
    snap, reading = read(settings(slapd, ldaps=ldaps))
    people = {p.mail: p for p in snap.people}
    assert len(people) == 5  # the account's size limit is 5: a plain search would fail at 5
    assert people[TARO].name == "山田 太郎" and people[TARO].department == "営業部"
    assert people[TARO].manager == HEAD and people[HEAD].manager == CEO and people[CEO].manager is None
    groups = {g.name: g.members for g in snap.groups}
    assert groups["sales"] == tuple(sorted((HEAD, TARO, JIRO)))
    assert len(groups["all-staff"]) == 5
    assert reading.filters == ["(&(objectClass=inetOrgPerson)(mail=*))", "(objectClass=groupOfNames)"]


def test_groups_from_member_of_alone(slapd):
    snap, _ = read(settings(slapd, groups=False))  # AD style: the people's memberOf
    assert {g.name: g.members for g in snap.groups}["sales"] == tuple(sorted((HEAD, TARO, JIRO)))


def test_failures_have_codes(slapd, tmp_path):
    other_ca = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    cases = {
        "tls_failed": settings(slapd, ca=other_ca),  # StartTLS to a certificate we do not trust
        "bind_failed": settings(slapd, password="wrong"),
        "search_failed": settings(slapd, people=f"ou=nowhere,{SUFFIX}"),
        "unreachable": settings(slapd, port=1),
    }
    cases["tls_failed "] = settings(slapd, ldaps=True, ca=other_ca)
    for code, s in cases.items():
        with pytest.raises(DirectoryError) as caught:
            read(s)
        assert caught.value.code == code.strip(), code


def test_hostile_values(slapd):
    """Values are data, never filter or DN text; a mail that is not one plain address drops the
    person; control characters leave names; a big group is read whole, past the size limit."""
    slapd.add_ldif(f"dn: {LAB}\nobjectClass: organizationalUnit\nou: lab")
    entries = [
        person("boss", "Boss", "R&D"),
        person("inj", "*)(mail=*))(|(uid=*", "x)(objectClass=*", manager="boss"),
        person("crlf", "CR LF", "lab", mail="crlf@example.co.jp\r\nBcc: evil@evil.example"),
        person("two", "Two", "lab") + "\nmail: two2@example.co.jp",  # two mails: which one?
        person("ctl", "名前\u202e\u0007偽", "部\r\n署", manager="nobody)(uid=*"),
    ] + [person(f"m{i}", f"M{i}", "lab", manager="boss") for i in range(300)]
    slapd.add_ldif("\n\n".join(e.replace(f",{PEOPLE}", f",{LAB}") for e in entries))
    slapd.add_ldif(group("huge", *[f"m{i}" for i in range(300)]).replace(f",{PEOPLE}", f",{LAB}"))
    snap, reading = read(settings(slapd, people=LAB), page=100)
    people = {p.mail: p for p in snap.people}
    assert "inj@example.co.jp" in people and people["inj@example.co.jp"].manager == "boss@example.co.jp"
    assert people["inj@example.co.jp"].name == "*)(mail=*))(|(uid=*"  # a value, never a filter
    assert reading.filters == ["(&(objectClass=inetOrgPerson)(mail=*))", "(objectClass=groupOfNames)"]
    assert not any("crlf" in m or "evil" in m for m in people) and "two@example.co.jp" not in people
    assert reading.rejected == 2
    ctl = people["ctl@example.co.jp"]
    assert ctl.name == "名前 偽" and ctl.department == "部 署" and ctl.manager is None
    assert len({g.name: g.members for g in snap.groups}["huge"]) == 300
    assert len(people) == 303


def run(store_url, body):
    async def go():
        store = await Store.open(store_url)
        try:
            await body(OrgStore(store))
        finally:
            await store.close()

    asyncio.run(go())


def test_sync_moves_leaves_and_goes_away(slapd, cutter, sqlite_url, caplog):
    caplog.set_level(logging.INFO, logger="guard.org")
    clock = [1000.0]
    good = settings(slapd)
    via_relay = settings(slapd, port=cutter.port)

    async def body(org: OrgStore):
        sync = OrgSync(good, org, clock=lambda: clock[0])
        first = await sync.once()
        assert first is not None and len(first.added) == 5
        chart = await org.chart()
        assert chart.resolve(MANAGER, TARO) == HEAD and chart.resolve(MANAGER_OF_MANAGER, TARO) == CEO

        slapd.replace(f"uid=taro,{PEOPLE}", departmentNumber=["総務部"])  # taro moves
        plan = await sync.plan()  # the dry run: what would change, nothing written
        assert plan.changed == ((TARO, ("department",)),) and not plan.added and not plan.departed
        assert (await org.chart()).person(TARO).department == "営業部"
        clock[0] += 900
        change = await sync.once()
        assert change is not None and change.changed == ((TARO, ("department",)),)
        assert (await org.chart()).person(TARO).department == "総務部"

        slapd.delete(f"uid=sales-head,{PEOPLE}")  # the manager leaves: the deputy takes over
        clock[0] += 900
        change = await sync.once()
        assert change is not None and change.departed == (HEAD,)
        chart = await org.chart()
        assert chart.person(HEAD).departed and chart.person(TARO).manager == HEAD
        assert chart.resolve(MANAGER, TARO) is None and chart.resolve(MANAGER_OF_MANAGER, TARO) == CEO
        assert HEAD not in chart.groups["sales"]

        # The directory goes away mid-read: the copy stays, the status says so.
        sync.settings = via_relay
        assert await sync.once() is not None  # through the relay, whole: its byte count
        cutter.cut_after(cutter.last_bytes - 200)
        clock[0] += 900
        assert await sync.once() is None
        status = await org.status()
        assert status.last_error == "unreachable" and status.last_ok_at == clock[0] - 900
        assert (await org.chart()).person(TARO).department == "総務部"  # the last good copy
        cutter.cut_after(None)
        cutter.refuse()
        assert await sync.once() is None and (await org.status()).last_error == "unreachable"
        cutter.refuse(False)

        # A read that finds nobody while the copy has people never departs everybody.
        sync.settings = settings(slapd, people=f"ou=service,{SUFFIX}")
        assert await sync.once() is None and (await org.status()).last_error == "empty_result"
        assert (await org.status()).people == 4
        sync.settings = good
        assert await sync.once() is not None and not (await org.status()).stale

    run(sqlite_url, body)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    # groups=2, or 3 when test_hostile_values's `huge` ran first on this slapd (xdist's order)
    assert re.search(r"event=directory_synced people=4 groups=[23] added=0 departed=1 changed=0", logged)
    assert "event=directory_sync_failed error=unreachable" in logged
    for secret in ("taro", "山田", "sales-head", "example.co.jp", "営業"):
        assert secret not in logged  # counts and codes only


def test_once_per_cluster(slapd, postgres_url):
    """Two guards' rounds at the same moment on one PostgreSQL: one reads the directory, the
    other skips (the advisory lock) or finds the round done; the next round waits `refresh`."""
    url = "postgresql+asyncpg://" + postgres_url.split("://", 1)[1]
    reads: list[int] = []

    def counted(s, reading):
        reads.append(1)
        return read_directory(s, reading)

    async def go():
        stores = [await Store.open(url), await Store.open(url)]
        try:
            syncs = [
                OrgSync(settings(slapd), OrgStore(st), lock=ClusterLock(st.engine, "directory"), read=counted)
                for st in stores
            ]
            await asyncio.gather(*(s.round() for s in syncs))
            status = await syncs[0].org.status()
            assert len(reads) == 1 and status.people >= 4 and status.last_error is None
            await asyncio.gather(*(s.round() for s in syncs))
            assert len(reads) == 1  # not due again before `refresh`
        finally:
            for st in stores:
                await st.close()

    asyncio.run(go())
